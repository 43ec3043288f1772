// Package relay detects keyboard input that reaches the laptop through a
// remote-control relay rather than from a keyboard at the laptop, from
// timing alone, and estimates the hidden path's round-trip time.
//
// A relay sends every key event (press and release separately) as a small
// write on a TCP connection. TCP leaves marks no finger and no local
// keyboard can make:
//
//   - Zero holds: with Nagle's algorithm on (TCP_NODELAY off) a write
//     waits while an earlier small segment is unacknowledged, so a quick
//     key's press and release leave in one segment and arrive together.
//   - An ACK clock: under Nagle, segments leave one ACK apart, so
//     deliveries are never closer than about one RTT; that floor is the
//     RTT estimate ("ack-clock").
//   - Stall then burst: after a loss the receiver holds everything behind
//     the lost segment until the resend (RACK: about one RTT after a later
//     segment was sent; RTO: RTT + 200 ms), then delivers it at once:
//     several messages in the same instant after a silence. Its length
//     gives a coarser RTT estimate ("stall").
//   - Ties and quantisation: input batched into frames, or squeezed
//     together by jitter, arrives on a grid or in the same instant. These
//     also depend on the typist's own clock (the lab's browser data has
//     8 and 16 ms clocks), so they are reported, not scored.
//
// [Path] models such a relay on a typist's events (for the evaluation lab
// and tests). [Extractor] folds events into [Features] in O(1) time per
// stroke without allocating; [LiveExtractor] does the same for strokes in
// the order a keyboard reader reports them (at release), as the agent
// does. [Detector] scores windows of features against population [Priors]
// fitted on local typing, blends in the worker's own baseline when it has
// one, sums evidence over the last [Span] windows, and gives an RTT
// [Estimate] with its basis. [Fit] calibrates priors and a score
// threshold on typists' local typing; the calibration that ships,
// fitted on the Aalto keystroke data, is [DefaultCalibration].
//
// A constant delay, or a relay whose tool disables Nagle on a clean path,
// leaves none of these marks: timing alone cannot see it, and the
// presence challenge (reaction time through the relay's loop) must.
package relay
