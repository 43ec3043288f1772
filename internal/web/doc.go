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
// base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
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
