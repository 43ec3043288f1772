// Package operator estimates how far the person typing on a device is from
// it, fusing three measurements of the loop between them: the kernel RTT
// of the remote-access session that carries the input (agent, package
// endpoint/remote), the hidden RTT the relay detector reads from keystroke
// timing (package relay), and the delay the presence challenge adds to
// the worker's reactions (package presence).
//
// Latency cannot prove distance from above: a nearby operator can add
// delay. What it can say is (a) physics: a loop of r ms spans at most
// geo.MaxDistance(r) of fibre, and (b) statistics: a typist closer than X
// km would, with the stated confidence, answer faster than the loop did,
// because honest internet paths of that length (the fitted band of
// package latency, with an undeclared access link at one end) are not
// that slow. The estimate is "at least X km" in sense (b), with the
// measured loop and its source in plain words.
package operator

import (
	"errors"
	"fmt"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/latency"
)

// Allowances that turn an estimate into a lower bound of the network loop.
const (
	// PresenceProcessing is what a remote-desktop tool itself adds to the
	// presence challenge's loop (screen capture, encoding, decoding,
	// display): taken off the added delay so that the rest is network.
	PresenceProcessing = 50 * time.Millisecond
	// RelayError is the relative error allowed on the relay detector's
	// RTT estimate (the lab's ±25 %): the bound uses RTT × (1 − RelayError).
	RelayError = 0.25
	// DefaultConfidence is the confidence of the "at least" distance.
	DefaultConfidence = 0.99
)

// Session is the kernel's minimum RTT of an established remote-access
// session: a measured lower bound of the network loop to its other end,
// which may be a relay rather than the operator.
type Session struct {
	Tool   string
	Remote string
	MinRTT time.Duration
}

// Relay is the relay detector's estimate of the hidden path's RTT.
type Relay struct {
	RTT   time.Duration
	Basis string // what it was read from, e.g. "ack-clock", "stall"
}

// Presence is the presence challenge's estimate of the loop delay added to
// the worker's reactions, with its 95 % interval.
type Presence struct {
	Added, Low, High time.Duration
	Prompts          int
}

// Evidence is what is known about the loop; any part may be nil.
type Evidence struct {
	Session  *Session
	Relay    *Relay
	Presence *Presence
}

// Estimate is how far the typist is from the device.
type Estimate struct {
	// LoopRTT is the lower bound of the network loop the estimate rests
	// on, and Source which measurement gave it: "session", "relay" or
	// "presence". Zero when no measurement shows a loop.
	LoopRTT time.Duration
	Source  string
	// AtLeastKm: a typist closer than this would have answered faster
	// than LoopRTT with probability Confidence. 0 means the evidence is
	// consistent with a typist at the device.
	AtLeastKm  float64
	Confidence float64
	// AtMostKm is the physics limit for LoopRTT: light in fibre covers no
	// more in that time. It bounds where the far end of the loop is; a
	// slower loop than that distance needs is possible, a faster is not.
	AtMostKm float64
	// Explanation states the numbers in plain words.
	Explanation string
}

// Fuse picks the largest lower bound of the loop among the evidence and
// converts it to distances with band (confidence in (0, 1); 0 means
// DefaultConfidence).
func Fuse(band *latency.Band, ev Evidence, confidence float64) (Estimate, error) {
	if band == nil {
		return Estimate{}, errors.New("fuse operator distance: no latency band")
	}
	if confidence == 0 {
		confidence = DefaultConfidence
	}
	if confidence <= 0 || confidence >= 1 {
		return Estimate{}, fmt.Errorf("fuse operator distance: confidence %v is outside (0, 1)", confidence)
	}
	est := Estimate{Confidence: confidence}
	var parts []string
	if s := ev.Session; s != nil && s.MinRTT > 0 {
		parts = append(parts, fmt.Sprintf("the %s session from %s has a kernel minimum RTT of %s", s.Tool, s.Remote, ms(s.MinRTT)))
		est.take(s.MinRTT, "session")
	}
	if r := ev.Relay; r != nil && r.RTT > 0 {
		lb := time.Duration(float64(r.RTT) * (1 - RelayError))
		parts = append(parts, fmt.Sprintf("keystroke timing shows a relay with an RTT of about %s (read from %s; at least %s allowing ±%.0f %%)", ms(r.RTT), r.Basis, ms(lb), 100*RelayError))
		est.take(lb, "relay")
	}
	if p := ev.Presence; p != nil && p.Prompts > 0 {
		lb := max(p.Low-PresenceProcessing, 0)
		parts = append(parts, fmt.Sprintf("the presence challenge measured %s of added delay over %d prompts (95 %% interval %s to %s; at least %s of network after %s for the remote tool itself)",
			ms(p.Added), p.Prompts, ms(p.Low), ms(p.High), ms(lb), ms(PresenceProcessing)))
		est.take(lb, "presence")
	}
	if len(parts) == 0 {
		est.Explanation = "No remote session, relay timing or presence delay is known for this device: nothing says how far the typist is."
		return est, nil
	}
	est.AtMostKm = geo.MaxDistance(est.LoopRTT)
	est.AtLeastKm = atLeastKm(band, est.LoopRTT, 1-confidence)
	var b []byte
	b = fmt.Appendf(b, "Evidence: %s. ", join(parts))
	switch {
	case est.LoopRTT == 0:
		b = fmt.Appendf(b, "None of it shows a network loop between the typist and the device.")
	case est.AtLeastKm == 0:
		b = fmt.Appendf(b, "A loop of %s (from the %s) is within what a typist at or near the device can produce; light in fibre would allow up to %s km.",
			ms(est.LoopRTT), est.Source, km(est.AtMostKm))
	default:
		b = fmt.Appendf(b, "The loop of at least %s (from the %s) puts the typist at least %s km from the device (%.0f %% confidence: internet paths shorter than that are faster); light in fibre allows up to %s km.",
			ms(est.LoopRTT), est.Source, km(est.AtLeastKm), 100*confidence, km(est.AtMostKm))
	}
	est.Explanation = string(b)
	return est, nil
}

// take keeps the largest lower bound.
func (e *Estimate) take(rtt time.Duration, source string) {
	if rtt > e.LoopRTT {
		e.LoopRTT, e.Source = rtt, source
	}
}

// atLeastKm returns the smallest distance at which an honest path (the
// band's prediction plus its (1-alpha) tolerance with an undeclared access
// link) is as slow as rtt, searched in 10 km steps; 0 if even a path of
// length 0 may be that slow.
func atLeastKm(band *latency.Band, rtt time.Duration, alpha float64) float64 {
	unknown, err := latency.ParseAccess("")
	if err != nil {
		return 0
	}
	want := float64(rtt) / float64(time.Millisecond)
	origin := geo.Point{}
	lo := 0.0
	for d := 0.0; d <= 20_000; d += 10 {
		p := band.Predict(origin, geo.Destination(origin, 90, d), nil)
		if p.ExpectedMs()+band.Tolerance(p, unknown, alpha) >= want {
			return lo
		}
		lo = d
	}
	return 20_000
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func km(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%d,%03d", int(v)/1000, int(v)%1000)
	}
	return fmt.Sprintf("%.0f", v)
}

func join(parts []string) string {
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	s := ""
	for i, p := range parts {
		if i == len(parts)-1 {
			s += "and " + p
		} else {
			s += p + "; "
		}
	}
	return s
}
