//go:build race

package remote

// raceEnabled is true when the race detector is on: it slows the
// netpath delay loop enough to spoil RTT tolerances.
const raceEnabled = true
