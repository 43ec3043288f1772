package keylab

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/lab/aalto"
	"github.com/lagwatch/lagwatch/internal/relay"
)

// RelayConfig describes one relay evaluation. [DefaultRelayConfig] is the
// full grid of issue 4.
type RelayConfig struct {
	RTTs     []time.Duration `json:"rtts_ns"`
	Jitters  []time.Duration `json:"jitters_ns"`
	Losses   []float64       `json:"losses"`
	NoDelay  []bool          `json:"nodelay"`
	Batches  []time.Duration `json:"batches_ns"` // 0 = no input batching
	AckDelay time.Duration   `json:"ack_delay_ns"`
	// Window is the window length in strokes (default relay.RefKeys).
	Window int `json:"window"`
	// Resolution is the clock the laptop timestamps relayed events with;
	// the default 1 ms matches the dataset's browser clock, so relayed and
	// local typing are compared at the same resolution.
	Resolution time.Duration `json:"resolution_ns"`
	// EnrolKeys is how many of a participant's first strokes, typed
	// locally, enrol the per-worker baseline in the baseline mode.
	EnrolKeys int    `json:"enrol_keys"`
	Seed      uint64 `json:"seed"`
	// RealPath also runs [RealPathCheck] (needs root and netpath).
	RealPath bool `json:"real_path"`
}

// DefaultRelayConfig returns the grid RTT 30/60/110/150/250 ms × jitter
// 0/5/20 ms × loss 0/0.5/2 % × NoDelay on/off × batching off/16.7 ms.
func DefaultRelayConfig() RelayConfig {
	ms := time.Millisecond
	return RelayConfig{
		RTTs:       []time.Duration{30 * ms, 60 * ms, 110 * ms, 150 * ms, 250 * ms},
		Jitters:    []time.Duration{0, 5 * ms, 20 * ms},
		Losses:     []float64{0, 0.005, 0.02},
		NoDelay:    []bool{true, false},
		Batches:    []time.Duration{0, 16_666_667},
		AckDelay:   relay.DelayedAck,
		Window:     relay.RefKeys,
		Resolution: time.Millisecond,
		EnrolKeys:  2 * relay.RefKeys,
		Seed:       1,
	}
}

func (c *RelayConfig) validate() error {
	if c.Window <= 0 {
		c.Window = relay.RefKeys
	}
	if c.Resolution <= 0 {
		c.Resolution = time.Millisecond
	}
	if c.EnrolKeys < 2*relay.RefKeys {
		return fmt.Errorf("relay eval: EnrolKeys %d is below %d, the least a baseline uses", c.EnrolKeys, 2*relay.RefKeys)
	}
	if len(c.RTTs) == 0 || len(c.Jitters) == 0 || len(c.Losses) == 0 || len(c.NoDelay) == 0 || len(c.Batches) == 0 {
		return fmt.Errorf("relay eval: every grid axis needs at least one value")
	}
	for _, p := range c.Paths() {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Paths returns every relay path of the grid, in the order the report
// lists the conditions.
func (c *RelayConfig) Paths() []relay.Path {
	var out []relay.Path
	for _, nd := range c.NoDelay {
		for _, b := range c.Batches {
			for _, l := range c.Losses {
				for _, r := range c.RTTs {
					for _, j := range c.Jitters {
						out = append(out, relay.Path{RTT: r, Jitter: j, Loss: l, NoDelay: nd, Batch: b, AckDelay: c.AckDelay})
					}
				}
			}
		}
	}
	return out
}

// Alphas are the per-window false-alarm budgets thresholds are set at.
var Alphas = [2]float64{0.01, 0.001}

// FalseAlarms are the false alarms on local typing of test participants.
type FalseAlarms struct {
	Mode    string  `json:"mode"`  // "prior" or "baseline"
	Alpha   float64 `json:"alpha"` // budget the threshold was set for
	Windows int     `json:"windows"`
	Alarms  int     `json:"alarms"`
	// Rate is Alarms/Windows and RateUpper its one-sided 95 % upper
	// bound (3/Windows with no alarm: the rule of three).
	Rate      float64 `json:"rate"`
	RateUpper float64 `json:"rate_upper"`
	// Typists is how many test participants were judged and Flagged how
	// many of them had at least one alarm: the rate to compare with a
	// relay condition's TPR, which is also per participant.
	Typists   int     `json:"typists"`
	Flagged   int     `json:"typists_flagged"`
	Hours     float64 `json:"hours"` // typing time the windows span
	PerHour   float64 `json:"per_hour"`
	HourUpper float64 `json:"per_hour_upper"`
}

// Condition is the outcome for one relay path over all test participants.
type Condition struct {
	Path         relay.Path `json:"-"`
	Name         string     `json:"path"`
	Participants int        `json:"participants"`
	// TPR is the share of participants flagged before their typing ran
	// out, at each of Alphas (population priors only).
	TPR [2]float64 `json:"tpr"`
	// KeysMedian and KeysP95 are keystrokes until detection at the 0.1 %
	// threshold over all participants; -1 when fewer than half (95 %) were
	// detected.
	KeysMedian int `json:"keys_median"`
	KeysP95    int `json:"keys_p95"`
	// BaselineTPR is the detection rate at 0.1 % with a per-worker
	// baseline enrolled on the participant's first EnrolKeys local
	// strokes, the rest relayed.
	BaselineTPR float64 `json:"baseline_tpr_0_1"`
	// Estimated is the share of participants the detector gave an RTT
	// estimate for; RTTErr its median absolute error in percent (-1
	// without estimates); Basis
	// the most common basis.
	Estimated float64 `json:"estimated"`
	RTTErr    float64 `json:"rtt_err_pct"`
	RTTWithin float64 `json:"rtt_within_25"` // share of estimates within ±25 %
	Basis     string  `json:"basis"`
	// Bar says whether the condition is under the bar and met it:
	// "" (not a bar condition), "met" or "MISSED".
	Bar string `json:"bar"`
}

// RelayReport is one evaluation run.
type RelayReport struct {
	Config       RelayConfig     `json:"config"`
	Participants int             `json:"participants"`
	Folds        [2][]int        `json:"folds"` // participant IDs per fold
	Priors       [2]relay.Priors `json:"priors"`
	// Thresholds per fold (fitted on the other fold's local typing), at
	// each of Alphas, for the prior and the baseline mode.
	Thresholds  [2][2]float64   `json:"thresholds_prior"`
	BaseThresh  [2][2]float64   `json:"thresholds_baseline"`
	FalseAlarms []FalseAlarms   `json:"false_alarms"`
	Conditions  []Condition     `json:"conditions"`
	RealPath    *RealPathReport `json:"real_path,omitempty"`
	Elapsed     time.Duration   `json:"elapsed_ns"`
}

// RelayEval runs the evaluation without progress output or cancellation.
func RelayEval(participants []aalto.Participant, cfg RelayConfig) (RelayReport, error) {
	return RunRelay(context.Background(), participants, cfg, io.Discard)
}

// typist is one participant's local data, prepared once.
type typist struct {
	id     int
	fold   int
	events []keystroke.Event
	local  []relay.Features // non-overlapping windows of local typing
	span   time.Duration    // typing time the windows cover
}

// RunRelay runs the relay evaluation (protocol in docs/lab-keystrokes.md),
// writing a line per condition to progress.
func RunRelay(ctx context.Context, participants []aalto.Participant, cfg RelayConfig, progress io.Writer) (RelayReport, error) {
	start := time.Now()
	if err := cfg.validate(); err != nil {
		return RelayReport{}, err
	}
	rep := RelayReport{Config: cfg}
	var ts []typist
	for _, p := range participants {
		ev := p.Events()
		if len(ev) < cfg.EnrolKeys+cfg.Window {
			continue
		}
		t := typist{id: p.ID, fold: relay.FoldOf(p.ID, cfg.Seed), events: ev, local: relay.Windows(ev, cfg.Window)}
		last := len(t.local) * cfg.Window
		t.span = ev[last-1].Press - ev[0].Press
		ts = append(ts, t)
		rep.Folds[t.fold] = append(rep.Folds[t.fold], p.ID)
	}
	if len(rep.Folds[0]) < 2 || len(rep.Folds[1]) < 2 {
		return RelayReport{}, fmt.Errorf("relay eval: %d usable participants (at least %d strokes), need 2 per fold", len(ts), cfg.EnrolKeys+cfg.Window)
	}
	rep.Participants = len(ts)
	enrolWin := cfg.EnrolKeys / cfg.Window

	// Fit priors on each fold's local windows; they are used for the other fold.
	for f := range 2 {
		var train []relay.Features
		for _, t := range ts {
			if t.fold != f {
				train = append(train, t.local...)
			}
		}
		rep.Priors[f] = relay.FitPriors(train)
	}
	// Local scores, prior mode (all windows) and baseline mode (after
	// enrolment): offset 0 (non-overlapping windows) is what false alarms
	// are counted on; thresholds are fitted on the windows at offsets
	// 0, 10, ..., 90 strokes, ten times as many decisions, so the 0.1 %
	// quantile rests on more than one or two of them.
	localScores := make([][]float64, len(ts))
	baseScores := make([][]float64, len(ts))
	fitScores := make([][]float64, len(ts))
	fitBase := make([][]float64, len(ts))
	for i, t := range ts {
		for off := 0; off < cfg.Window; off += max(cfg.Window/10, 1) {
			loc, base := localRun(t, rep.Priors[t.fold], off, cfg.Window, enrolWin)
			if off == 0 {
				localScores[i], baseScores[i] = loc, base
			}
			fitScores[i] = append(fitScores[i], loc...)
			fitBase[i] = append(fitBase[i], base...)
		}
	}
	// Thresholds: for the typists of fold f, fitted on the other fold.
	for f := range 2 {
		var loc, base []float64
		for i, t := range ts {
			if t.fold != f {
				loc = append(loc, fitScores[i]...)
				base = append(base, fitBase[i]...)
			}
		}
		for a, alpha := range Alphas {
			rep.Thresholds[f][a] = relay.Threshold(loc, alpha)
			rep.BaseThresh[f][a] = relay.Threshold(base, alpha)
		}
	}
	// False alarms on each typist's local typing, judged with its test fold's thresholds.
	for _, mode := range []string{"prior", "baseline"} {
		for a, alpha := range Alphas {
			fa := FalseAlarms{Mode: mode, Alpha: alpha}
			var hours float64
			for i, t := range ts {
				sc, thr := localScores[i], rep.Thresholds[t.fold][a]
				frac := 1.0
				if mode == "baseline" {
					sc, thr = baseScores[i], rep.BaseThresh[t.fold][a]
					frac = float64(len(sc)) / float64(len(t.local))
				}
				fa.Typists++
				any := false
				for _, s := range sc {
					fa.Windows++
					if s > thr {
						fa.Alarms++
						any = true
					}
				}
				if any {
					fa.Flagged++
				}
				hours += t.span.Hours() * frac
			}
			fa.Rate = float64(fa.Alarms) / float64(fa.Windows)
			fa.RateUpper = poissonUpper(fa.Alarms) / float64(fa.Windows)
			fa.Hours = hours
			fa.PerHour = float64(fa.Alarms) / hours
			fa.HourUpper = poissonUpper(fa.Alarms) / hours
			rep.FalseAlarms = append(rep.FalseAlarms, fa)
		}
	}

	// Relay conditions.
	paths := cfg.Paths()
	outcomes := make([][]outcome, len(paths))
	for ci, p := range paths {
		if err := ctx.Err(); err != nil {
			return RelayReport{}, err
		}
		outcomes[ci] = runCondition(ctx, ts, rep, p, ci, cfg)
	}
	// RTT calibration per fold: median of true/raw on the other fold, over all conditions.
	var scales [2][2]float64 // [fold][ack, stall]
	for f := range 2 {
		var ack, stall []float64
		for ci, p := range paths {
			for i, t := range ts {
				if t.fold == f {
					continue
				}
				o := outcomes[ci][i]
				if o.rawAck > 0 {
					ack = append(ack, float64(p.RTT)/float64(o.rawAck))
				}
				if o.rawStall > 0 {
					stall = append(stall, float64(p.RTT)/float64(o.rawStall))
				}
			}
		}
		scales[f] = [2]float64{median(ack), median(stall)}
		rep.Priors[f].AckScale, rep.Priors[f].StallScale = scales[f][0], scales[f][1]
	}
	for ci, p := range paths {
		c := summarize(p, ts, outcomes[ci], scales)
		rep.Conditions = append(rep.Conditions, c)
		fmt.Fprintf(progress, "relay %-44s tpr@0.1%%=%.3f keys p95=%d rtt err=%.1f%% (%s)\n", c.Name, c.TPR[1], c.KeysP95, c.RTTErr, c.Basis)
	}
	if cfg.RealPath {
		rp, err := RealPathCheck(ctx, participants, RealPathConfig{})
		if err != nil {
			return RelayReport{}, fmt.Errorf("relay eval: real path: %w", err)
		}
		rep.RealPath = &rp
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// localRun scores a typist's local typing from stroke off on, without and
// with a baseline enrolled on the first enrolWin windows.
func localRun(t typist, pri relay.Priors, off, n, enrolWin int) (loc, base []float64) {
	ws := t.local
	if off > 0 {
		ws = relay.Windows(t.events[off:], n)
	}
	d := relay.NewDetector(pri)
	for _, w := range ws {
		loc = append(loc, d.Score(w).Score)
	}
	d = relay.NewDetector(pri)
	for k, w := range ws {
		if k < enrolWin {
			d.Learn(w)
			continue
		}
		base = append(base, d.Score(w).Score)
	}
	return loc, base
}

// outcome is one typist's result under one path.
type outcome struct {
	detect   [2]int // keystrokes until detection at each alpha, 0 = never
	baseDet  bool
	rawAck   time.Duration
	rawStall time.Duration
}

func runCondition(ctx context.Context, ts []typist, rep RelayReport, p relay.Path, ci int, cfg RelayConfig) []outcome {
	out := make([]outcome, len(ts))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				out[i] = relayOne(ts[i], rep, p, ci, cfg)
			}
		})
	}
	for i := range ts {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func relayOne(t typist, rep RelayReport, p relay.Path, ci int, cfg RelayConfig) outcome {
	var o outcome
	seed := cfg.Seed*1_000_003 + uint64(ci)*7919 + uint64(t.id)
	ev := p.Relay(t.events, seed)
	relay.Truncate(ev, cfg.Resolution)
	ws := relay.Windows(ev, cfg.Window)
	d := relay.NewDetector(rep.Priors[t.fold])
	for k, w := range ws {
		s := d.Score(w).Score
		for a := range Alphas {
			if o.detect[a] == 0 && s > rep.Thresholds[t.fold][a] {
				o.detect[a] = (k + 1) * cfg.Window
			}
		}
	}
	o.rawAck, o.rawStall = d.RawEstimates()
	// Baseline mode: enrol on local strokes, then relay the rest.
	enrolWin := cfg.EnrolKeys / cfg.Window
	bd := relay.NewDetector(rep.Priors[t.fold])
	for _, w := range t.local[:enrolWin] {
		bd.Learn(w)
	}
	rest := ev[enrolWin*cfg.Window:]
	for _, w := range relay.Windows(rest, cfg.Window) {
		if bd.Score(w).Score > rep.BaseThresh[t.fold][1] {
			o.baseDet = true
			break
		}
	}
	return o
}

func summarize(p relay.Path, ts []typist, os []outcome, scales [2][2]float64) Condition {
	c := Condition{Path: p, Name: p.String(), Participants: len(ts)}
	keys := make([]int, 0, len(ts))
	var errs []float64
	within, ack, stall := 0, 0, 0
	base := 0
	for i, o := range os {
		for a := range Alphas {
			if o.detect[a] > 0 {
				c.TPR[a]++
			}
		}
		k := o.detect[1]
		if k == 0 {
			k = math.MaxInt
		}
		keys = append(keys, k)
		if o.baseDet {
			base++
		}
		est := time.Duration(0)
		sc := scales[ts[i].fold]
		switch {
		case o.rawAck > 0:
			est = time.Duration(float64(o.rawAck) * sc[0])
			ack++
		case o.rawStall > 0:
			est = time.Duration(float64(o.rawStall) * sc[1])
			stall++
		}
		if est > 0 && p.RTT > 0 {
			e := math.Abs(float64(est-p.RTT)) / float64(p.RTT) * 100
			errs = append(errs, e)
			if e <= 25 {
				within++
			}
		}
	}
	n := float64(len(ts))
	c.TPR[0] /= n
	c.TPR[1] /= n
	c.BaselineTPR = float64(base) / n
	slices.Sort(keys)
	c.KeysMedian, c.KeysP95 = rank(keys, 0.5), rank(keys, 0.95)
	c.Estimated = float64(len(errs)) / n
	c.RTTErr = -1
	if len(errs) > 0 {
		c.RTTErr = median(errs)
	}
	if len(errs) > 0 {
		c.RTTWithin = float64(within) / float64(len(errs))
	}
	switch {
	case ack == 0 && stall == 0:
		c.Basis = "none"
	case ack >= stall:
		c.Basis = "ack-clock"
	default:
		c.Basis = "stall"
	}
	if p.RTT >= 100*time.Millisecond && p.Loss >= 0.005 {
		limit := 1000
		if !p.NoDelay {
			limit = 300
		}
		c.Bar = "MISSED"
		if c.TPR[1] >= 0.95 && c.KeysP95 > 0 && c.KeysP95 <= limit {
			c.Bar = "met"
		}
	}
	return c
}

// rank returns the q-quantile of sorted keys, -1 when it is "never".
func rank(sorted []int, q float64) int {
	if len(sorted) == 0 {
		return -1
	}
	v := sorted[min(int(math.Ceil(q*float64(len(sorted))))-1, len(sorted)-1)]
	if v == math.MaxInt {
		return -1
	}
	return v
}

// poissonUpper returns the one-sided 95 % upper confidence bound of a
// Poisson mean after observing k events (Wilson–Hilferty; 3.00 for k = 0,
// the rule of three).
func poissonUpper(k int) float64 {
	if k <= 0 {
		return math.Log(20)
	}
	n := float64(k + 1)
	return n * math.Pow(1-1/(9*n)+1.6449/(3*math.Sqrt(n)), 3)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
