package relay

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// synthTypists returns n typists of synthetic local typing, with now and
// then a key whose press and release the clock put in the same instant, so
// that local scores are not all 0.
func synthTypists(n, strokes int) []Typist {
	out := make([]Typist, n)
	for i := range out {
		ev := typing(strokes, uint64(200+i))
		for k := (i * 37) % 150; k < len(ev); k += 150 + i*7 {
			ev[k].Release = ev[k].Press
		}
		out[i] = Typist{ID: i, Events: ev}
	}
	return out
}

func TestFit(t *testing.T) {
	paths := []Path{{RTT: 150 * ms}, {RTT: 100 * ms, Loss: 0.05, NoDelay: true}}
	c, err := Fit(t.Context(), synthTypists(12, 600), FitConfig{Paths: paths, Seed: 1, Source: "synthetic"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Fit() = %+v, invalid: %v", c, err)
	}
	if c.Typists != 12 || c.Windows != 72 || c.Window != RefKeys || c.Alpha != DefaultAlpha || c.Source != "synthetic" {
		t.Errorf("Fit() = %d typists, %d windows of %d, alpha %v, source %q; want 12, 72 of 100, 0.001, synthetic", c.Typists, c.Windows, c.Window, c.Alpha, c.Source)
	}
	var local []Features
	for _, ty := range synthTypists(12, 600) {
		local = append(local, Windows(ty.Events, RefKeys)...)
	}
	if want := FitPriors(local).Rate; c.Priors.Rate != want {
		t.Errorf("Fit() rates %v, want FitPriors over every typist %v", c.Priors.Rate, want)
	}
	if c.Threshold != max(c.FoldThresholds[0], c.FoldThresholds[1]) || c.Decisions == 0 {
		t.Errorf("threshold %v, fold thresholds %v, %d decisions; want the higher fold threshold", c.Threshold, c.FoldThresholds, c.Decisions)
	}
	// Immediate ACKs: the ack-clock period is the RTT, so the scale is 1.
	if c.RTTSamples[0] == 0 || math.Abs(c.Priors.AckScale-1) > 0.05 {
		t.Errorf("ack scale %v from %d sessions, want about 1", c.Priors.AckScale, c.RTTSamples[0])
	}
	// Deterministic: the same input fits the same calibration.
	again, err := Fit(t.Context(), synthTypists(12, 600), FitConfig{Paths: paths, Seed: 1, Source: "synthetic"})
	if err != nil || again != c {
		t.Errorf("second Fit() = %+v, %v; want the first %+v", again, err, c)
	}
}

func TestFitErrors(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name    string
		typists []Typist
		cfg     FitConfig
		want    string
	}{
		{"no typists", nil, FitConfig{}, "want at least 1 per fold"},
		{"too short", synthTypists(4, 50), FitConfig{}, "0 typists with at least 100 strokes"},
		{"one fold", synthTypists(1, 500), FitConfig{}, "want at least 1 per fold"},
		{"alpha", synthTypists(4, 500), FitConfig{Alpha: 1.5}, "alpha 1.5"},
		{"window", synthTypists(4, 500), FitConfig{Window: -1}, "window -1"},
		{"path", synthTypists(4, 500), FitConfig{Paths: []Path{{Loss: 0.7}}}, "loss 0.7"},
	} {
		if _, err := Fit(ctx, tc.typists, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Fit(%s) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fit(cancelled, synthTypists(6, 300), FitConfig{Paths: []Path{{RTT: 100 * ms}}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit(cancelled) = %v, want context.Canceled", err)
	}
}

// TestDefaultCalibration checks the shipped priors: valid, fitted on the
// whole Aalto data, and a detector with them tells local typing from a
// relay at the shipped threshold.
func TestDefaultCalibration(t *testing.T) {
	c := DefaultCalibration()
	if err := c.Validate(); err != nil {
		t.Fatalf("DefaultCalibration() = %+v: %v", c, err)
	}
	if c.Typists != 300 || c.Alpha != DefaultAlpha || c.Window != RefKeys || DefaultPriors() != c.Priors || DefaultThreshold() != c.Threshold {
		t.Errorf("DefaultCalibration() = %+v; want the 0.1 %% fit on 300 Aalto typists", c)
	}
	local := typing(1000, 9)
	for name, tc := range map[string]struct {
		ev   []keystroke.Event
		want bool
	}{
		"local":            {local, false},
		"nagle 150 ms":     {Path{RTT: 150 * ms, AckDelay: DelayedAck}.Relay(local, 1), true},
		"nodelay 2 % loss": {Path{RTT: 150 * ms, Loss: 0.02, NoDelay: true}.Relay(local, 1), true},
	} {
		d := NewDetector(DefaultPriors())
		flagged := false
		for _, w := range Windows(tc.ev, RefKeys) {
			flagged = flagged || d.Score(w).Score >= DefaultThreshold()
		}
		if flagged != tc.want {
			t.Errorf("%s: flagged %v at the default threshold %.2f, want %v", name, flagged, DefaultThreshold(), tc.want)
		}
	}
}
