// Package risk fuses the evidence every lagwatch detector emits into one
// explained risk per person over time, and raises alerts from it by rules.
//
// Every finding becomes an [Evidence]: who it is about (a worker, an
// applicant, a device or an account), which detector found it, a likelihood
// ratio P(observation | fraud) / P(observation | honest), who measured it
// and what it rests on. [Links] ties applicants, devices and accounts to the
// worker they belong to, so hiring evidence follows the person. [Fuse] adds
// the evidence up in bits (log2 of the likelihood ratio) on top of a prior,
// per person:
//
//   - evidence in one independence group (for example every RTT verdict of
//     one device) is not multiplied: only the strongest item counts;
//   - each detector's |bits| is capped, so no one finding decides alone
//     beyond what its cap allows;
//   - agent-reported evidence is scaled down against server-measured
//     evidence, because a compromised agent can lie;
//   - evidence fades with a half-life per detector (screening never fades).
//
// The result is a [Risk] with the posterior log-odds and probability, a
// level ("clear", "watch", "high"), every contribution in bits and a
// timeline. An [Alerter] turns risks into [Alert]s by [Rule]s, with
// deduplication, re-alerting and suppression; its state is a plain
// JSON-serialisable [State] the caller persists.
//
// The default likelihood ratios ([DefaultWeights]) are judgement, not fitted
// to data; docs/risk.md gives each one with its reason and shows how to
// change them with a JSON configuration ([ParseConfig]).
//
// Fuse and the adapters are pure functions. A [Links] must not be changed
// while it is read; an [Alerter] is safe for concurrent use.
package risk
