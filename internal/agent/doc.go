// Package agent is lagwatch-agent's side of the ingest protocol (wire
// format v1, docs/wire-v1.md): a [Client] for one landmark server, and the
// [Agent] loop that enrols once, then periodically probes every landmark
// and reports what it measured.
//
// Each round, for each landmark, the agent runs Config.Probes probes
// (GET a challenge, POST it straight back): the server times each one
// itself and stores it, and the agent measures the same exchange from its
// side (request written to first response byte). It then sends one batch
// with its own measurements and a heartbeat to that landmark. A batch that
// fails on the network or with a 5xx/429 answer is retried with backoff
// under the same batch ID, so the server stores it once; the retries of a
// round end when the next round is due.
//
// The device credential lives in state.json in the state directory, mode
// 0600; the agent enrols with its token (at the first server) only when
// that file has no credential. All landmark servers of a deployment share
// one store, so one credential works at all of them.
//
// This package is linked into lagwatch-agent and must not import server
// code (store, ingest, web, analyze, lab): cmd/lagwatch-agent's deps test
// enforces it.
//
// # Concurrency
//
// A Client is safe for concurrent use. [Agent.Run] runs one goroutine per
// landmark server and waits for all of them before it returns.
package agent
