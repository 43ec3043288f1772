// Package latency turns round-trip times between landmarks (our servers, at
// known places) and a device into verdicts about where the device can be.
//
// The model has three parts, each documented in docs/rtt-model.md:
//
//   - physics: light in fibre needs at least d/100 ms for a round trip over d
//     km (package geo). An RTT below that bound for the claimed place is
//     impossible, whatever the network does.
//   - path: real routes are longer than great circles. The expected path RTT
//     from a landmark to a place comes from a [Band] fitted on real
//     city-to-city pings (its coefficients are embedded and refitted by
//     `lagwatch lab fit`), or, where the landmark has been calibrated against
//     anchors near the claimed place, from those anchors ([Calibration]).
//   - access: the last mile (fibre, cable, DSL, mobile, satellite) adds its
//     own latency, described per [Access] type.
//
// [Assess] holds a claim against the minimum RTTs measured to one or more
// landmarks and returns a [Verdict] that states its numbers in plain words.
// With several landmarks it also checks that one access latency explains all
// of them, and computes the region the device must be in ([FeasibleRegion]).
//
// Everything here is pure and safe for concurrent use once built.
package latency
