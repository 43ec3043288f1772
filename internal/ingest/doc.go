// Package ingest is the HTTP API a landmark server exposes to
// lagwatch-agent: enrolment, telemetry batches, and the probes that let the
// server time its own round trips to the device. The messages are wire
// format v1 (package wire, docs/wire-v1.md).
//
// Create a [Server] with [New], serve [Server.Handler] with an http.Server
// whose ConnContext is [Server.ConnContext], and run [Server.Run] for the
// life of the server:
//
//	ing, err := ingest.New(st, ingest.Config{Landmark: lm, Logger: log})
//	...
//	srv := &http.Server{
//		Handler:           ing.Handler(),
//		ConnContext:       ing.ConnContext,
//		ReadHeaderTimeout: 10 * time.Second,
//		ReadTimeout:       time.Minute,
//		IdleTimeout:       2 * time.Minute,
//	}
//	go ing.Run(ctx) // registers the landmark; owned and waited for by the caller
//
// Agents must reach the server directly over TCP (plain or TLS), not
// through an HTTP proxy or load balancer that terminates connections:
// the server measures RTT on the agent's own connection, and a proxy would
// hide both the device's RTT and its address.
//
// # Routes
//
//	POST /api/v1/enrol          EnrolRequest -> EnrolResponse; 401 on a bad token
//	POST /api/v1/batches        Batch -> BatchResponse (auth); a retried batch is stored once
//	GET  /api/v1/probe          -> ProbeChallenge (auth)
//	POST /api/v1/probe/{nonce}  -> ProbeResult (auth, same device, within Config.ProbeTTL, once)
//	GET  /api/v1/healthz        -> Health; 503 after [Server.Drain]
//
// "auth" means Authorization: Bearer <credential>, the credential returned
// at enrolment. Every error is a wire.ErrorBody with a stable code. A
// rejected batch stores nothing.
//
// # Signed batches
//
// An agent may send an Ed25519 public key at enrolment; the store keeps it
// with the device. Every batch of such a device must carry the
// wire.SignatureHeader with the signature of the exact request body
// (wire.Sign); the server checks it with wire.Verify before decoding the
// body and answers 401 unauthorized, storing nothing, when it is missing or
// does not verify. Devices enrolled without a key (agents from before
// signing) send unsigned batches as before; a signature header from them is
// ignored. A replayed signed batch is a retry: it is answered as a
// duplicate and stores nothing new.
//
// A batch's samples, input windows and endpoint report are stored in one
// transaction with its ID. An input window is stored once per device
// whichever batches carry it, as first received.
//
// # What the server measures
//
// Three provenances of RTT samples end up in the store:
//
//   - store.ServerTCP: on authenticated requests the server reads the kernel's
//     TCP RTT of the connection (MinRTT, else the smoothed RTT) and stores
//     it, at most once per connection per second. A batch of a device with
//     a public key counts only once its signature has verified. GET /api/v1/probe skips
//     this so that nothing delays the challenge; the POST that answers it
//     records it instead. Where TCP_INFO is unsupported nothing is stored.
//   - store.ServerApp: the time from flushing a ProbeChallenge to the
//     arrival of its answer, on the monotonic clock.
//   - store.Agent: the RTTs the agent reports in batches.
//
// # Concurrency
//
// A Server is safe for concurrent use. It starts no goroutines: the open
// probes are swept lazily when a new one is opened, and [Server.Run] runs
// on the caller's goroutine. Its two mutexes (landmark cache, probe table)
// are never held together.
package ingest
