// Package identity verifies that the person typing now is the person who
// was enrolled, from keystroke timing alone ("identity drift", or
// continuous verification).
//
// A [Profile] is enrolled from verified typing; [Score] compares a later
// window of typing with it and returns a distance: 0 when the window's
// timing distributions match the profile's, larger the less alike they
// are. A caller picks a threshold for its false-match budget (the lab,
// internal/lab/keylab, measures the trade-off on real typing and
// docs/lab-keystrokes.md gives the numbers).
//
// Typing is reduced to "units", each a distribution of durations in
// milliseconds: the hold time of each key symbol, the press-to-press and
// release-to-press flight of each consecutive pair of symbols (flights
// longer than [Params].MaxFlight are pauses and count only in the pooled
// flight unit), and the pooled hold and flight distributions. The distance
// is a weighted mean, over the units that both sides have enough samples
// of, of a per-unit distance between the window's and the profile's
// distributions ([DistQuantile] or [DistKS]).
//
// What a symbol is depends on the [Mode]:
//
//   - [ModePrivacy], the default, uses the coarse [keystroke.Class] the
//     agent already emits (letter, space, modifier, ...), so a profile
//     holds nothing that could spell a word;
//   - [ModeFullKey] uses key codes and exists only for the evaluation lab,
//     to measure what privacy costs; lagwatch never has key codes outside
//     the lab;
//   - [ModeWindow] uses only what the agent sends today in a
//     [keystroke.Window]: the pooled hold and flight histograms.
//
// Profiles are immutable once enrolled and safe for concurrent use;
// [Profile.Calibrate] returns a calibrated copy.
package identity
