package relay

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// DefaultAlpha is the per-window false-alarm budget the shipped threshold
// is set at: 0.1 % of windows of local typing score above it.
const DefaultAlpha = 0.001

// Calibration is a detector set-up fitted on local typing: the population
// priors, the score threshold for a per-window false-alarm budget, and
// what they rest on. The one that ships is [DefaultCalibration].
type Calibration struct {
	Priors Priors `json:"priors"`
	// Threshold is the score, in nats, above which a verdict counts
	// ([Detector.Score] on windows of Window strokes, summed over up to
	// Span of them): the higher of FoldThresholds.
	Threshold float64 `json:"threshold"`
	// FoldThresholds are the thresholds of the two folds of typists, as
	// the lab judges them: FoldThresholds[f] is the score that at most
	// Alpha of the other fold's scored windows of local typing exceed,
	// with priors fitted on fold f (typing the priors have not seen).
	FoldThresholds [2]float64 `json:"fold_thresholds"`
	Alpha          float64    `json:"alpha"`
	Window         int        `json:"window"`    // strokes per window
	Typists        int        `json:"typists"`   // typists the fit used
	Windows        int        `json:"windows"`   // non-overlapping local windows the rates rest on
	Decisions      int        `json:"decisions"` // local window scores the thresholds rest on
	// RTTSamples is how many relayed sessions the RTT scales rest on
	// (ack-clock, stall).
	RTTSamples [2]int `json:"rtt_samples"`
	Source     string `json:"source"` // where the typing came from and how to refit
}

// maxScore is the highest score a window can get: each scored
// fingerprint's surprise is capped at maxSurprise.
const maxScore = maxSurprise * (NumCounts - 1)

// Validate reports a calibration a detector cannot use.
func (c Calibration) Validate() error {
	for i, r := range c.Priors.Rate {
		if !(r > 0) || math.IsInf(r, 0) {
			return fmt.Errorf("priors.rate[%d] (%s) is %v, want a finite rate above 0", i, countNames[i], r)
		}
	}
	for _, s := range []struct {
		name string
		v    float64
	}{{"ack_scale", c.Priors.AckScale}, {"stall_scale", c.Priors.StallScale}} {
		if !(s.v >= 0 && s.v <= 10) {
			return fmt.Errorf("priors.%s is %v, want 0 to 10", s.name, s.v)
		}
	}
	switch {
	case !(c.Threshold > 0) || c.Threshold > maxScore:
		return fmt.Errorf("threshold is %v nats, want above 0 and at most %d", c.Threshold, maxScore)
	case !(c.Alpha > 0 && c.Alpha < 1):
		return fmt.Errorf("alpha is %v, want between 0 and 1", c.Alpha)
	case c.Window <= 0:
		return fmt.Errorf("window is %d strokes, want at least 1", c.Window)
	}
	return nil
}

// Typist is one typist's local typing for [Fit].
type Typist struct {
	// ID identifies the typist; with FitConfig.Seed it picks the
	// typist's fold.
	ID     int
	Events []keystroke.Event // strokes in press order
}

// FitConfig says how [Fit] calibrates.
type FitConfig struct {
	// Window is the window length in strokes; 0 means RefKeys.
	Window int
	// Alpha is the per-window false-alarm budget; 0 means DefaultAlpha.
	Alpha float64
	// Paths are the relay paths the RTT scales are fitted over; none
	// leaves them at 0 (uncalibrated).
	Paths []Path
	// Resolution is the laptop clock relayed times are truncated to, so
	// that relayed and local typing have the same resolution; 0 means
	// 1 ms, the clock of the lab's data.
	Resolution time.Duration
	// Seed picks the folds and seeds the relay paths.
	Seed uint64
	// Source describes the typing, for Calibration.Source.
	Source string
}

// Fit calibrates a detector on the local typing of typists, with the
// protocol of the keystroke lab (docs/lab-keystrokes.md):
//
//   - Rates: [FitPriors] on every typist's non-overlapping windows.
//   - Threshold: the typists are split into two folds by a seeded hash of
//     their ID, as the lab splits them. Each fold's typing is scored with
//     priors fitted on the other fold, so on typing the priors have not
//     seen, as a new worker's is: one [Detector] per run from strokes 0,
//     Window/10, 2·Window/10, ... on (ten times as many decisions, so the
//     Alpha quantile does not rest on one or two windows). Each fold's
//     threshold is the smallest score that at most Alpha of its scores
//     exceed, and the threshold is the higher of the two: one half's
//     threshold still let 0.24 % of the other half's windows through at
//     a 0.1 % budget in the lab, so Fit keeps the stricter.
//   - RTT scales: every typist's typing through every path of cfg.Paths
//     (times truncated to Resolution) and the session's raw estimates
//     ([Detector.RawEstimates]); each scale is the median of true RTT /
//     raw estimate.
//
// Typists with fewer than Window strokes are left out; each fold needs at
// least one typist. Fit runs the paths on GOMAXPROCS goroutines and
// returns ctx's error if it is cancelled.
func Fit(ctx context.Context, typists []Typist, cfg FitConfig) (Calibration, error) {
	if cfg.Window == 0 {
		cfg.Window = RefKeys
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = DefaultAlpha
	}
	if cfg.Resolution == 0 {
		cfg.Resolution = time.Millisecond
	}
	switch {
	case cfg.Window < 1:
		return Calibration{}, fmt.Errorf("fit relay priors: window %d strokes, want at least 1", cfg.Window)
	case !(cfg.Alpha > 0 && cfg.Alpha < 1):
		return Calibration{}, fmt.Errorf("fit relay priors: alpha %v, want between 0 and 1", cfg.Alpha)
	case cfg.Resolution < 0:
		return Calibration{}, fmt.Errorf("fit relay priors: resolution %v is negative", cfg.Resolution)
	}
	for _, p := range cfg.Paths {
		if err := p.Validate(); err != nil {
			return Calibration{}, fmt.Errorf("fit relay priors: %w", err)
		}
	}
	var (
		use        []Typist
		local      []Features
		foldLocal  [2][]Features
		foldTypist [2][]Typist
	)
	for _, t := range typists {
		if len(t.Events) < cfg.Window {
			continue
		}
		ws := Windows(t.Events, cfg.Window)
		f := FoldOf(t.ID, cfg.Seed)
		use = append(use, t)
		local = append(local, ws...)
		foldLocal[f] = append(foldLocal[f], ws...)
		foldTypist[f] = append(foldTypist[f], t)
	}
	if len(foldTypist[0]) == 0 || len(foldTypist[1]) == 0 {
		return Calibration{}, fmt.Errorf("fit relay priors: %d typists with at least %d strokes, %d and %d per fold; want at least 1 per fold",
			len(use), cfg.Window, len(foldTypist[0]), len(foldTypist[1]))
	}
	c := Calibration{Priors: FitPriors(local), Alpha: cfg.Alpha, Window: cfg.Window, Typists: len(use), Windows: len(local), Source: cfg.Source}
	for f := range 2 {
		pri := FitPriors(foldLocal[f])
		var scores []float64
		for _, t := range foldTypist[1-f] {
			scores = append(scores, localScores(t.Events, pri, cfg.Window)...)
		}
		c.Decisions += len(scores)
		c.FoldThresholds[f] = Threshold(scores, cfg.Alpha)
	}
	c.Threshold = max(c.FoldThresholds[0], c.FoldThresholds[1])

	ack, stall, err := rttRatios(ctx, use, c.Priors, cfg)
	if err != nil {
		return Calibration{}, err
	}
	c.RTTSamples = [2]int{len(ack), len(stall)}
	c.Priors.AckScale, c.Priors.StallScale = median(ack), median(stall)
	if err := c.Validate(); err != nil {
		return Calibration{}, fmt.Errorf("fit relay priors: %w", err)
	}
	return c, nil
}

// localScores scores local typing with pri, one detector per run from
// strokes 0, n/10, 2·n/10, ... on.
func localScores(ev []keystroke.Event, pri Priors, n int) []float64 {
	var out []float64
	for off := 0; off < n && off+n <= len(ev); off += max(n/10, 1) {
		d := NewDetector(pri)
		for _, w := range Windows(ev[off:], n) {
			out = append(out, d.Score(w).Score)
		}
	}
	return out
}

// FoldOf assigns a typist to fold 0 or 1 by a seeded hash of its ID: the
// split of Fit and of the keystroke lab.
func FoldOf(id int, seed uint64) int {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d", seed, id)
	return int(h.Sum64() & 1)
}

// rttRatios relays every typist through every path and returns true RTT /
// raw estimate for the sessions that gave an ack-clock or a stall
// estimate.
func rttRatios(ctx context.Context, typists []Typist, pri Priors, cfg FitConfig) (ack, stall []float64, err error) {
	type job struct{ path, typist int }
	jobs := make(chan job)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var a, s []float64
			for j := range jobs {
				p := cfg.Paths[j.path]
				seed := cfg.Seed*1_000_003 + uint64(j.path)*7919 + uint64(typists[j.typist].ID)
				ev := p.Relay(typists[j.typist].Events, seed)
				Truncate(ev, cfg.Resolution)
				d := NewDetector(pri)
				for _, w := range Windows(ev, cfg.Window) {
					d.Score(w)
				}
				rawAck, rawStall := d.RawEstimates()
				if rawAck > 0 {
					a = append(a, float64(p.RTT)/float64(rawAck))
				}
				if rawStall > 0 {
					s = append(s, float64(p.RTT)/float64(rawStall))
				}
			}
			mu.Lock()
			ack, stall = append(ack, a...), append(stall, s...)
			mu.Unlock()
		})
	}
send:
	for pi := range cfg.Paths {
		for ti := range typists {
			select {
			case jobs <- job{pi, ti}:
			case <-ctx.Done():
				break send
			}
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("fit relay priors: %w", err)
	}
	// The workers append in any order; sort so the medians' inputs do
	// not depend on scheduling (the medians would not either).
	slices.Sort(ack)
	slices.Sort(stall)
	return ack, stall, nil
}

// Windows cuts strokes in press order into the features of consecutive
// windows of n strokes; a last partial window is dropped.
func Windows(ev []keystroke.Event, n int) []Features {
	var x Extractor
	out := make([]Features, 0, len(ev)/n)
	for i, e := range ev {
		x.Add(e)
		if (i+1)%n == 0 {
			out = append(out, x.Cut())
		}
	}
	return out
}

// Truncate puts times on a clock of resolution res (a laptop clock's
// grid) and sorts the strokes by press again.
func Truncate(ev []keystroke.Event, res time.Duration) {
	for i := range ev {
		ev[i].Press = ev[i].Press.Truncate(res)
		ev[i].Release = ev[i].Release.Truncate(res)
	}
	slices.SortStableFunc(ev, func(a, b keystroke.Event) int { return cmp.Compare(a.Press, b.Press) })
}

// Threshold returns the smallest score s such that at most alpha of the
// scores exceed it (+Inf for no scores).
func Threshold(scores []float64, alpha float64) float64 {
	if len(scores) == 0 {
		return math.Inf(1)
	}
	s := slices.Clone(scores)
	slices.Sort(s)
	allowed := int(math.Floor(alpha * float64(len(s))))
	return s[len(s)-1-min(allowed, len(s)-1)]
}

// median returns the median of v, 0 when v is empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
