// Package web serves lagwatch's dashboard and its REST API over HTTP. A
// [Handler] built by [New] reads the device-distance verdicts (package
// analyze) through the [Config.Verdicts] callback on every request; it keeps
// no state of its own and is safe for concurrent use. Mount it on an
// [net/http.Server]; it may be mounted under a prefix with
// [net/http.StripPrefix], since the page links its assets relatively.
//
// # Routes
//
//   - GET / is the dashboard: one row per device, flagged devices first.
//     Server-rendered HTML, no JavaScript; each row's summary expands to the
//     full explanation.
//   - GET /api/v1/verdicts is the same data as JSON (shape below).
//   - GET /healthz answers 200 "ok" without reading any verdicts.
//   - GET /static/style.css is the page's stylesheet, embedded in the binary.
//
// With [Config.Applicants] set, the applicant review routes are added:
//
//   - GET /applicants is the review queue, highest score first, filtered by
//     ?level=high|review|low and ?undecided=true, paged by ?after_score and
//     ?after_id (the page links the next one).
//   - GET /applicants/{id} shows one applicant: every piece of evidence with
//     its weight and sentence (weak evidence marked as such), what could not
//     be checked, what it shares with whom, the application, the decision
//     history, and a form that POSTs to /applicants/{id}/decision (outcome
//     cleared, rejected or escalate; reviewer; note).
//   - GET /rings lists rings, largest first; GET /rings/{id} shows one with
//     its members and what they share.
//   - GET /api/v1/applicants is the queue as JSON: {"applicants": [{"id",
//     "name", "score", "level", "ring_id", "imported_at", "decision",
//     "reviewer", "decided_at"}], "next": query string of the next page or
//     null}, with the same parameters and ?limit=1–1000 (default 100).
//   - GET /api/v1/applicants/{id} is one applicant: {"applicant" (the
//     imported record), "score", "level", "result" (the screening result),
//     "shared", "ring_id", "import_id", "imported_at", "decisions"}.
//   - POST /api/v1/applicants/{id}/decisions records a decision from a JSON
//     body {"outcome", "reviewer", "note", "at" (optional)}: 201 with the
//     decision, 400 naming the bad field, 404 for an unknown applicant.
//   - GET /api/v1/rings and GET /api/v1/rings/{id}: {"id", "members",
//     "shared", "updated_at"}.
//   - POST /api/v1/applicants/import?name=FILE[&layout=NAME], with
//     [Config.Import] set, imports the request body as the file FILE (its
//     extension picks the format; at most MaxImportBytes) and answers the
//     import report; a file that cannot be used at all is 400.
//
// With [Config.Risks] set, GET /risk lists every worker's fused risk
// (package risk) with the evidence behind it, highest first, and GET
// /api/v1/risks is the same as a JSON array of risk.Risk.
//
// With [Config.Cases] (and [Config.CaseStore]) set, the case pages are
// added (package cases; statuses and transitions in docs/cases.md):
//
//   - GET /cases lists cases, newest first, filtered by ?status= and paged
//     by ?before=ID (100 a page); a form POSTs to /cases to open a case by
//     hand with kind and subject_id (or subject "kind:id", as the risk
//     page's "Open case" button sends), title (default "Investigate
//     kind:id") and reason, and goes to the new case.
//   - GET /cases/{id} shows a case: subject, status, assignee, its
//     timeline (evidence, notes and audit entries in time order), its
//     notes, and forms that POST to /cases/{id}/assign (assignee, empty to
//     unassign), /cases/{id}/status (status; resolution when closing) and
//     /cases/{id}/notes (text). A form that succeeds goes back to the case
//     (303); a bad field is 400 and a move the case's status does not allow
//     409, both showing the page with the message; an unknown case is 404.
//     Posting the status a case already has changes nothing.
//   - GET /cases/{id}/report is the case report (package report): the
//     case's fields, subject, evidence timeline, notes and audit trail and,
//     with [Config.Risks] set and a worker subject, the worker's current
//     fused risk and its contributions. RTT plots, the map, devices and the
//     IC3 section stay empty: the case records do not hold them.
//   - GET /cases/{id}/report.pdf, with [Config.ReportPDF] set, is that
//     report printed to PDF. Each export records an audit entry
//     "report.exported" by the actor with the PDF's size and SHA-256
//     before the file is sent.
//
// Every case change is recorded as the signed-in user when [Config.Auth]
// is set, else as "dashboard" ([DashboardActor]).
//
// Cross-origin POSTs are refused with 403 (http.CrossOriginProtection: the
// browser's Sec-Fetch-Site and Origin headers), so another site cannot
// record decisions through a reviewer's browser. With [Config.Auth] set
// every route but the public ones needs a signed-in user whose role holds
// the route's permission ([Handler.Routes]; docs/dashboard-access.md).
//
// GET routes also answer HEAD. Any other path is 404 and any other method on
// these paths is 405 (with an Allow header); both have plain-text bodies. When
// the verdicts cannot be read, the dashboard answers 500 with a plain-text
// body and the API answers 500 with
//
//	{"error": {"code": "internal", "message": "internal server error"}}
//
// The cause is logged to [Config.Logger], never sent to the client.
//
// Every response carries Content-Security-Policy "default-src 'self';
// base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
// X-Content-Type-Options nosniff, Referrer-Policy no-referrer and
// X-Frame-Options DENY. The dashboard and the API also send Cache-Control
// no-store: they hold personal data.
//
// # API: GET /api/v1/verdicts
//
// The response is a JSON array with one object per device (an empty array
// when there are none), in the dashboard's order: impossible, too-slow,
// inconsistent, consistent, insufficient, then by worker ID and device ID.
// Fields are never omitted; absent values are null. Times are RFC 3339 in
// UTC; RTTs are in milliseconds, distances in kilometres, areas in square
// kilometres. A number that is not finite is encoded as null.
//
//	[
//	  {
//	    "worker_id": "w-1042",               // string
//	    "worker_name": "Dana Example",       // string
//	    "claimed_location": "Phoenix, AZ, US",
//	    "access": "cable",                   // declared access type; null when undeclared
//	    "device_id": "d-7",
//	    "hostname": "dana-laptop",
//	    "last_seen": "2026-03-01T16:59:00Z", // null when never seen
//	    "last_ip": "198.51.100.7",           // null when none
//	    "ip_location": {                     // null when not located
//	      "country": "US",                   // ISO 3166-1 alpha-2; "" when unknown
//	      "city": "Phoenix",                 // "" unless a city database knows it
//	      "source": "mmdb"                   // "mmdb" (DB-IP city), "iploc" (country) or "reserved"
//	    },
//	    "status": "too-slow",                // impossible, too-slow, inconsistent, consistent, insufficient
//	    "summary": "Too slow for Phoenix, AZ, US: ...",
//	    "explanation": ["Landmark us-west ...", "..."], // sentences; [] when none
//	    "landmarks": [                       // one per landmark used; [] when none
//	      {
//	        "name": "us-west",
//	        "place": "Los Angeles, CA, US",
//	        "min_rtt_ms": 172,               // minimum RTT over the window
//	        "samples": 40,                   // samples behind the minimum
//	        "provenance": "server-tcp",      // server-tcp, server-app or agent
//	        "first_sample_at": "2026-03-01T09:00:00Z", // window the samples cover; null when unknown
//	        "last_sample_at": "2026-03-01T17:00:00Z",
//	        "expected_ms": 24.1,             // predicted RTT from the claimed place
//	        "threshold_ms": 61.3,            // slowest RTT an honest device would show
//	        "fibre_min_ms": 5.2,             // physics minimum from the claimed place
//	        "distance_km": 574.3,            // landmark to claimed place
//	        "method": "band",                // "band" or "calibrated"
//	        "status": "too-slow",            // this landmark's verdict
//	        "text": "Landmark us-west ..."   // the finding in words
//	      }
//	    ],
//	    "region": {                          // feasible region; null with fewer than 2 landmarks
//	      "empty": false,                    // true: no place fits every RTT (centroid is then null)
//	      "area_km2": 123456,
//	      "centroid": {"lat": 36.2, "lon": -101.9},
//	      "radius_km": 900,                  // farthest feasible point from the centroid
//	      "near": "Amarillo, TX, US",        // place nearest the centroid; "" when unknown
//	      "contains_claim": false,
//	      "claim_to_edge_km": 310            // claim to nearest feasible point; 0 when inside
//	    },
//	    "computed_at": "2026-03-01T17:00:00Z"
//	  }
//	]
//
// Fields may be added in v1; none will be removed or change meaning.
package web
