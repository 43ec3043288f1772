package relay

import (
	"math"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// trainedPriors fits priors on synthetic local typing of other typists.
func trainedPriors() Priors {
	var loc []Features
	for s := uint64(100); s < 120; s++ {
		loc = append(loc, Windows(typing(1000, s), RefKeys)...)
	}
	return FitPriors(loc)
}

func TestDetectorFlagsRelaysNotLocal(t *testing.T) {
	pri := trainedPriors()
	const threshold = 15 // nats: e^-15, far beyond any synthetic local window
	local := typing(1000, 1)
	d := NewDetector(pri)
	for i, w := range Windows(local, RefKeys) {
		if v := d.Score(w); v.Score > threshold {
			t.Fatalf("local window %d scored %.1f (%v), want <= %d", i, v.Score, v.Parts, threshold)
		}
	}
	for _, tc := range []struct {
		p     Path
		basis string
	}{
		// Immediate ACKs (replies carry them): the clock is the RTT. With
		// Linux's 40 ms delayed ACK and no pauses long enough for quick
		// ACKs it would be RTT + 40 ms, a bias the lab calibrates.
		{Path{RTT: 150 * ms}, "ack-clock"},
		{Path{RTT: 150 * ms, Loss: 0.02, NoDelay: true}, "stall"},
	} {
		d := NewDetector(pri)
		flagged := 0
		for _, w := range Windows(tc.p.Relay(local, 2), RefKeys) {
			if d.Score(w).Score > threshold {
				flagged++
			}
		}
		if flagged == 0 {
			t.Errorf("%v: no window flagged", tc.p)
		}
		e := d.EstimateRTT()
		if e.Basis != tc.basis {
			t.Errorf("%v: estimate %v, want basis %s", tc.p, e, tc.basis)
		}
		if tc.basis == "ack-clock" && math.Abs(float64(e.RTT-tc.p.RTT)) > 0.25*float64(tc.p.RTT) {
			t.Errorf("%v: RTT estimate %v, want within 25 %% of %v", tc.p, e, tc.p.RTT)
		}
	}
}

func TestExtractorCounts(t *testing.T) {
	// Three strokes whose six messages arrive at one instant after a
	// silence: one tie run of six, one burst, one stall burst, three zero
	// holds.
	at := 2 * time.Second
	ev := []keystroke.Event{{Press: time.Second, Release: time.Second + 80*ms}}
	for range 3 {
		ev = append(ev, keystroke.Event{Press: at, Release: at})
	}
	var x Extractor
	for _, e := range ev {
		x.Add(e)
	}
	x.Add(keystroke.Event{Press: 3 * time.Second, Release: 3*time.Second + 90*ms}) // places the pending releases
	f := x.Cut()
	if f.Keys != 5 || f.Bursts != 1 || f.StallBursts != 1 || f.ZeroHolds != 3 || f.Ties != 5 {
		t.Errorf("features = keys %d bursts %d stall %d zero %d ties %d, want 5 1 1 3 5", f.Keys, f.Bursts, f.StallBursts, f.ZeroHolds, f.Ties)
	}
	if got := f.StallMedian(); got < 900*ms || got > 930*ms {
		t.Errorf("stall median %v, want the 920 ms silence", got)
	}
}

func TestPoissonSurprise(t *testing.T) {
	for _, tc := range []struct {
		k      int
		lambda float64
		want   float64
	}{
		{0, 1, 0},
		{1, 1, -math.Log(1 - math.Exp(-1))},
		{2, 0.5, -math.Log(1 - math.Exp(-0.5)*(1+0.5))},
		{500, 0.01, maxSurprise},
	} {
		if got := poissonSurprise(tc.k, tc.lambda); math.Abs(got-tc.want) > 1e-9*max(1, tc.want) {
			t.Errorf("poissonSurprise(%d, %g) = %g, want %g", tc.k, tc.lambda, got, tc.want)
		}
	}
}
