// Package presence is the presence challenge: a page, served by lagwatch and
// opened by the worker on the company device, that shows short visual
// prompts and measures in the browser how long the person takes to press a
// key after each prompt is painted. An operator who drives the device from
// far away sees each prompt late (the video path) and answers late (the input
// path), so the remote loop's delay adds to every reaction. [Assess] holds
// the reactions against the worker's enrolled [Baseline] (or the population
// norms) with a sequential test that stops as soon as the answer is clear,
// and reports the added delay with a 95 % confidence interval.
//
// Only timing reaches the server: the page never reads which key was
// pressed. See docs/presence.md for the statistics, the simulation that
// measures them and the limits.
//
// # Routes
//
// [Handler] serves, relative to where it is mounted (use
// [net/http.StripPrefix]; the page's URLs are relative, so mount it at a
// path ending in "/"):
//
//   - GET / is the page; GET /presence.js and /presence.css its script and
//     style. The Content-Security-Policy allows nothing but these and the
//     API ("default-src 'none'; script-src 'self'; style-src 'self';
//     connect-src 'self'"), and framing is refused.
//   - POST /api/start {"worker_id": "w-1", "enrol": false} starts a session.
//     With [Config.Identify] set, the body's fields are ignored and the
//     worker comes from the request: with [Links.Identify], as in
//     lagwatch serve, from a signed link sent as "Authorization: Bearer
//     TOKEN" (the page takes the token from its own ?t=). Answer: {"session": "<32 hex>",
//     "foreperiods_ms": [...], "prompts": 20, "pings": 5, "enrol": false}:
//     the server draws every random wait before a prompt.
//   - POST /api/ping {"session", "seq", "client_rtt_ms"} five times in a
//     row, seq 0 to 4; client_rtt_ms is the page's own timing of the
//     previous ping (null on the first). The server times the gap between
//     answering ping k-1 and receiving ping k: the page's round trip,
//     measured on the server's clock only.
//   - POST /api/reaction {"session", "seq", "shown_ms", "key_ms",
//     "trusted"} after each prompt, or {"session", "seq", "false_start":
//     true} when a key came before it. shown_ms and key_ms are
//     performance.now() times; trusted is the event's isTrusted and must be
//     true. The server refuses a reaction that arrives sooner after its
//     previous answer than the prompt's foreperiod plus the reaction allow.
//     Answer: {"done": false}, or {"done": true, "result": {...}}.
//   - POST /api/finish {"session"} ends a session early and answers the
//     result.
//
// The result is {"verdict": "consistent"|"delayed"|"insufficient",
// "added_delay_ms", "ci_low_ms", "ci_high_ms", "prompts", "valid",
// "excluded", "false_starts", "median_rt_ms", "baseline":
// "worker"|"population", "page_rtt_ms", "client_rtt_ms" (null when not
// measured), "enrol", "explanation"}. Errors are {"error": {"code",
// "field", "message"}} with codes invalid (400, field names the input),
// forbidden (403), link_used (403 at start, 409 at the end: a session
// from the signed link is already stored), no_session (404), out_of_order (409), too_large (413),
// implausible_timing (422), too_many_sessions (503) and internal (500).
// Request bodies are limited to 1 KiB.
//
// # Concurrency and storage
//
// The handler is safe for concurrent use. Unfinished sessions live in
// memory, bounded by [Config.MaxSessions] and [Config.SessionTTL]; finished
// ones go to the [Store], whose baselines come from enrolment sessions only.
// [MemStore] is the in-memory Store; the SQLite and PostgreSQL stores of
// internal/store keep sessions for lagwatch serve.
package presence
