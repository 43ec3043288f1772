// Package keylab evaluates lagwatch's keystroke-timing detectors on real
// human typing (the Aalto 136M-keystrokes subset, package aalto), with the
// protocols documented in docs/lab-keystrokes.md.
//
// The relay evaluation ([RunRelay], [RelayEval]) replays every
// participant's typing locally and through modelled remote-control relays
// (package relay's [relay.Path]) over a grid of RTT, jitter, loss, Nagle
// and input batching, and reports per condition the detection rate at
// fixed per-window false-alarm budgets, keystrokes until detection and the
// error of the hidden-RTT estimate. Participants are split into two
// disjoint folds; everything fitted (priors, thresholds, RTT calibration)
// is fitted on one fold and reported on the other, so no participant is
// judged by a model that saw their typing. [RealPathCheck] sends some
// participants' key events across a real kernel TCP path (package netpath)
// and compares what arrives with the model.
//
// The identity evaluation ([RunIdentity]) enrols each participant of a
// held-out half on their first 250 or 500 strokes and scores later
// windows of 50 or 200 strokes from them (genuine) and from everyone else
// (impostors), in privacy mode (timing and coarse classes only, what the
// agent may keep), full-key mode (lab only, to measure what privacy costs)
// and agent-window mode (only the histograms the agent sends today). The
// scoring set-up is chosen on the other half.
//
// It is lab tooling: it reads a research dataset and must never be linked
// into the agent.
package keylab
