// Package keystroke is the timing-only model of keyboard input that the
// agent's input readers produce and the detectors consume: an [Event] is
// one key stroke reduced to its press and release times, a coarse [Class]
// from a small fixed set, and the [Provenance] of the device it came from.
// There is no field for a key code or a character, so nothing built on
// this package can carry one; readers drop the code as soon as they have
// classified it (docs/agent-input.md lists the classes).
//
// A [Windower] folds events into fixed-length [Window]s of aggregate
// statistics in O(1) time and memory per event: counts by class and
// provenance, histograms of inter-key ("flight") and hold times on fixed
// bins ([FlightBins], [HoldBins]), and counters for input a person at a
// keyboard cannot produce (bursts closer than fingers can type) and for
// stalls. Only windows leave the device unless the raw-timing mode, meant
// for the evaluation lab, is switched on.
package keystroke
