// Package geo holds lagwatch's typed geographic units and the physics that
// turns a round-trip time into a distance bound.
//
// Light in optical fibre covers about 200 km per millisecond (two thirds of c),
// so a round trip over a great-circle distance d takes at least d/100 ms with d
// in kilometres. A measured minimum RTT therefore proves an upper bound on the
// distance between the two ends: d <= RTT_min * 100 km. Every verdict lagwatch
// gives about where a device can be rests on these two functions,
// [MinRTT] and [MaxDistance].
//
// The package is pure: no I/O, no global state, safe for concurrent use.
package geo
