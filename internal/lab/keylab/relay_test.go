package keylab

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/lab/aalto"
	"github.com/lagwatch/lagwatch/internal/relay"
)

// synthetic returns n typists of 600 strokes each: gaps of 80–300 ms with
// a pause now and then, holds of 50–130 ms.
func synthetic(n int) []aalto.Participant {
	out := make([]aalto.Participant, n)
	for i := range out {
		r := rand.New(rand.NewPCG(uint64(i), 2))
		p := aalto.Participant{ID: 10 + i}
		t := time.Duration(1e12)
		for range 600 {
			t += 80*time.Millisecond + time.Duration(r.Int64N(int64(220*time.Millisecond)))
			if r.IntN(15) == 0 {
				t += time.Duration(r.Int64N(int64(2 * time.Second)))
			}
			h := 50*time.Millisecond + time.Duration(r.Int64N(int64(80*time.Millisecond)))
			p.Strokes = append(p.Strokes, aalto.Stroke{Press: t.Truncate(time.Millisecond), Release: (t + h).Truncate(time.Millisecond), KeyCode: 65})
		}
		out[i] = p
	}
	return out
}

func smallConfig() RelayConfig {
	c := DefaultRelayConfig()
	c.RTTs = []time.Duration{150 * time.Millisecond}
	c.Jitters = []time.Duration{0}
	c.Losses = []float64{0, 0.02}
	c.Batches = []time.Duration{0}
	return c
}

func TestRelayEvalFoldsAreDisjoint(t *testing.T) {
	ps := synthetic(40)
	rep, err := RelayEval(ps, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	for f, ids := range rep.Folds {
		for _, id := range ids {
			if g, ok := seen[id]; ok {
				t.Fatalf("participant %d in folds %d and %d", id, g, f)
			}
			seen[id] = f
		}
	}
	if len(seen) != len(ps) || len(rep.Folds[0]) == 0 || len(rep.Folds[1]) == 0 {
		t.Fatalf("folds hold %d and %d of %d participants", len(rep.Folds[0]), len(rep.Folds[1]), len(ps))
	}
	// Fold f is judged with priors fitted on the other fold only.
	for f := range 2 {
		var train []relay.Features
		for _, p := range ps {
			if seen[p.ID] != f {
				train = append(train, relay.Windows(p.Events(), relay.RefKeys)...)
			}
		}
		if want := relay.FitPriors(train).Rate; rep.Priors[f].Rate != want {
			t.Errorf("fold %d priors %v, want %v fitted on the other fold", f, rep.Priors[f].Rate, want)
		}
	}
}

func TestRelayEvalDetectsSyntheticRelays(t *testing.T) {
	rep, err := RelayEval(synthetic(40), smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Conditions {
		if c.Path.Loss == 0 && c.Path.NoDelay {
			continue // a constant delay: nothing to see
		}
		if c.TPR[0] < 0.9 {
			t.Errorf("%s: TPR@1%% = %.2f, want >= 0.9", c.Name, c.TPR[0])
		}
		if !c.Path.NoDelay && (c.Basis != "ack-clock" || c.RTTErr > 30) {
			t.Errorf("%s: RTT estimate basis %s error %.1f%%, want ack-clock within 30%%", c.Name, c.Basis, c.RTTErr)
		}
	}
	for _, fa := range rep.FalseAlarms {
		if fa.Windows == 0 || fa.RateUpper < fa.Rate || fa.HourUpper <= 0 {
			t.Errorf("false alarms %+v: want windows and upper bounds >= rates", fa)
		}
	}
	var buf bytes.Buffer
	rep.WriteTable(&buf)
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
}

func TestThresholdAndBounds(t *testing.T) {
	scores := make([]float64, 1000)
	for i := range scores {
		scores[i] = float64(i)
	}
	for _, tc := range []struct {
		alpha float64
		want  float64
	}{{0.01, 989}, {0.001, 998}, {0, 999}} {
		thr := relay.Threshold(scores, tc.alpha)
		over := 0
		for _, s := range scores {
			if s > thr {
				over++
			}
		}
		if thr != tc.want || float64(over) > tc.alpha*float64(len(scores)) {
			t.Errorf("relay.Threshold(0..999, %g) = %g with %d above, want %g", tc.alpha, thr, over, tc.want)
		}
	}
	if got := poissonUpper(0); math.Abs(got-3) > 0.01 {
		t.Errorf("poissonUpper(0) = %g, want about 3 (rule of three)", got)
	}
	if got := poissonUpper(10); math.Abs(got-16.96) > 0.05 { // χ²(0.95; 22)/2
		t.Errorf("poissonUpper(10) = %g, want about 16.96", got)
	}
	if got := rank([]int{100, 200, math.MaxInt}, 0.5); got != 200 {
		t.Errorf("rank median = %d, want 200", got)
	}
	if got := rank([]int{100, 200, math.MaxInt}, 0.95); got != -1 {
		t.Errorf("rank p95 = %d, want -1 (not reached)", got)
	}
}

// TestRelayEvalAalto runs the bar conditions at RTT 150 ms on the real
// dataset: Nagle relays with loss must be caught within 300 strokes.
func TestRelayEvalAalto(t *testing.T) {
	ps := aaltoOrSkip(t)
	c := smallConfig()
	c.Losses = []float64{0.005}
	rep, err := RelayEval(ps, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, cd := range rep.Conditions {
		if !cd.Path.NoDelay && cd.Bar != "met" {
			t.Errorf("%s: TPR@0.1%% %.3f, p95 keys %d: bar missed", cd.Name, cd.TPR[1], cd.KeysP95)
		}
		if cd.Path.NoDelay && cd.TPR[0] < 0.9 {
			t.Errorf("%s: TPR@1%% %.3f, want >= 0.9", cd.Name, cd.TPR[0])
		}
	}
	for _, fa := range rep.FalseAlarms {
		if fa.Mode == "prior" && fa.Rate > 5*fa.Alpha {
			t.Errorf("%s at %g: %d of %d local windows flagged", fa.Mode, fa.Alpha, fa.Alarms, fa.Windows)
		}
	}
}

// TestRelayEvalFullGrid prints the full evaluation; it takes about a
// minute and runs only with LAGWATCH_LAB_FULL=1 (and -v to see the table;
// LAGWATCH_LAB_JSON=file also writes the JSON).
func TestRelayEvalFullGrid(t *testing.T) {
	if os.Getenv("LAGWATCH_LAB_FULL") == "" {
		t.Skip("set LAGWATCH_LAB_FULL=1 to run the full relay grid")
	}
	ps := aaltoOrSkip(t)
	c := DefaultRelayConfig()
	c.RealPath = os.Getenv("LAGWATCH_LAB_REALPATH") != ""
	rep, err := RunRelay(t.Context(), ps, c, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	rep.WriteTable(os.Stdout)
	if f := os.Getenv("LAGWATCH_LAB_JSON"); f != "" {
		var buf bytes.Buffer
		if err := rep.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatal("report JSON is not valid")
		}
		if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ids := slices.Concat(rep.Folds[0], rep.Folds[1])
	if len(ids) != rep.Participants {
		t.Errorf("folds hold %d participants, report says %d", len(ids), rep.Participants)
	}
}
