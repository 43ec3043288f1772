package relay

import (
	"fmt"
	"math"
	"time"
)

// RefKeys is the window length, in strokes, that [Priors] rates refer to.
const RefKeys = 100

// Counted fingerprints, indexes into Priors.Rate.
const (
	FeatTies = iota
	FeatBursts
	FeatStallBursts
	FeatZeroHolds
	NumCounts
)

var countNames = [NumCounts]string{"ties", "bursts", "stall_bursts", "zero_holds"}

func (f *Features) count(i int) int {
	switch i {
	case FeatTies:
		return f.Ties
	case FeatBursts:
		return f.Bursts
	case FeatStallBursts:
		return f.StallBursts
	default:
		return f.ZeroHolds
	}
}

// Priors are population rates of the counted fingerprints in local typing,
// per RefKeys strokes, and the calibration of the RTT estimators. They are
// fitted on training typists ([FitPriors], [Fit]) so a
// detector works before it has seen its worker type.
type Priors struct {
	Rate [NumCounts]float64 `json:"rate"`
	// AckScale and StallScale turn the ack-clock period and the excess
	// stall into an RTT (see [Detector.EstimateRTT]); 0 means 1.
	AckScale   float64 `json:"ack_scale"`
	StallScale float64 `json:"stall_scale"`
}

// FitPriors fits the rates on windows of local typing. Each rate gets half
// a count of smoothing, so a fingerprint never seen in training still has
// a finite, small rate.
func FitPriors(local []Features) Priors {
	var p Priors
	keys := 0
	var sum [NumCounts]int
	for i := range local {
		keys += local[i].Keys
		for c := range sum {
			sum[c] += local[i].count(c)
		}
	}
	for c := range p.Rate {
		p.Rate[c] = (float64(sum[c]) + 0.5) / float64(max(keys, 1)) * RefKeys
	}
	return p
}

// baselineWeight is how many RefKeys windows of population prior a
// worker's own counts are blended with.
const baselineWeight = 5

// Span is how many recent windows the detector sums evidence over: a
// window's verdict is the strongest of the scores of the last 1, 2, ...,
// Span windows taken together, so rare fingerprints (one stall per few
// hundred strokes) add up while a single chance event in local typing
// does not.
const Span = 10

// Detector scores windows against the population priors, tightened or
// loosened by what it learns of its own worker.
//
// The score sums the surprises of the fingerprints that local typing on
// any keyboard and clock almost never shows: bursts, stall-then-burst and
// zero holds. With a baseline ([Detector.Learn], at least 2·RefKeys
// strokes) their expected rates blend the population's with the worker's
// own. Ties, quantisation and hold spread are computed and reported in
// [Verdict.Parts] but not scored: on real typing they depend on the
// typist's device and vary within one typist's session (a browser clock
// on an 8 or 16 ms grid produces ties and a frame-like grid), so neither
// population priors nor a 200-stroke baseline made them reliable
// (docs/lab-keystrokes.md).
// It is not safe for concurrent use.
type Detector struct {
	pri      Priors
	base     Features // the worker's own local windows, summed
	baseQmax float64  // the largest quantisation statistic in them
	recent   [Span]Features
	nrecent  int
	sess     Features // every window scored, summed, for the RTT estimate
}

// NewDetector returns a detector with the given priors.
func NewDetector(p Priors) *Detector { return &Detector{pri: p} }

// Learn adds a window the worker is known to have typed locally (say, at
// enrolment) to the worker's baseline.
func (d *Detector) Learn(f Features) {
	d.base.Add(&f)
	d.baseQmax = max(d.baseQmax, f.Quant())
}

// Baselined reports whether the worker's baseline is in use.
func (d *Detector) Baselined() bool { return d.base.Keys >= 2*RefKeys }

// Reset forgets the session evidence and recent windows (not the baseline).
func (d *Detector) Reset() {
	d.sess = Features{}
	d.nrecent = 0
}

// Verdict is the score of one window.
type Verdict struct {
	// Score is the strongest evidence over the last 1..Span windows: the
	// sum of the fingerprints' surprises, in nats.
	Score float64 `json:"score"`
	// Windows is how many recent windows that score summed.
	Windows int `json:"windows"`
	// Parts is each fingerprint's surprise: bursts, stall_bursts and
	// zero_holds (summed into Score); ties, and with a baseline quant and
	// hold_spread (reported, not scored).
	Parts map[string]float64 `json:"parts,omitempty"`
}

// rate returns the expected count of fingerprint c in a window of keys
// strokes for this worker.
func (d *Detector) rate(c, keys int) float64 {
	r := d.pri.Rate[c]
	if d.Baselined() {
		w := baselineWeight * RefKeys
		r = (r*float64(w)/RefKeys + float64(d.base.count(c))) / float64(w+d.base.Keys) * RefKeys
	}
	return r * float64(keys) / RefKeys
}

// Score adds one window to the recent windows and the session evidence
// and scores it. Local typing scores near 0; each fingerprint adds −ln of
// the chance that local typing shows it at least as strongly.
func (d *Detector) Score(f Features) Verdict {
	d.sess.Add(&f)
	if d.nrecent == Span {
		copy(d.recent[:], d.recent[1:])
		d.nrecent--
	}
	d.recent[d.nrecent] = f
	d.nrecent++
	var best Verdict
	var sum Features
	for k := d.nrecent - 1; k >= 0; k-- {
		sum.Add(&d.recent[k])
		if v := d.ScoreWindow(sum); k == d.nrecent-1 || v.Score > best.Score {
			best = v
			best.Windows = d.nrecent - k
		}
	}
	return best
}

// ScoreWindow scores features on their own, without touching the recent
// windows or the session evidence.
func (d *Detector) ScoreWindow(f Features) Verdict {
	v := Verdict{Windows: 1, Parts: make(map[string]float64, NumCounts+2)}
	if f.Keys == 0 {
		return v
	}
	for c := range NumCounts {
		s := poissonSurprise(f.count(c), d.rate(c, f.Keys))
		v.Parts[countNames[c]] = s
		if c != FeatTies {
			v.Score += s
		}
	}
	if d.Baselined() {
		v.Parts["quant"] = max(f.Quant()-max(2*d.baseQmax, math.Log(NumQuant)+5), 0)
		v.Parts["hold_spread"] = spreadSurprise(f.HoldSD(), f.Keys, d.base.HoldSD(), d.base.Keys)
	}
	return v
}

// maxSurprise caps one fingerprint's surprise, so one can never dominate
// by numerical accident.
const maxSurprise = 100

// poissonSurprise returns −ln P(X ≥ k) for X ~ Poisson(lambda), at most
// maxSurprise.
func poissonSurprise(k int, lambda float64) float64 { return min(poissonTail(k, lambda), maxSurprise) }

func poissonTail(k int, lambda float64) float64 {
	if k <= 0 || lambda <= 0 {
		return 0
	}
	// P(X >= k) = 1 − Σ_{i<k} pmf(i); sum the upper tail directly for accuracy.
	lg, _ := math.Lgamma(float64(k) + 1)
	term := math.Exp(float64(k)*math.Log(lambda) - lambda - lg)
	tail := 0.0
	for i := k; term > tail*1e-12 && i < k+1000; i++ {
		tail += term
		term *= lambda / float64(i+1)
	}
	if tail <= 0 || math.IsNaN(tail) {
		// Underflow: use the log of the first term.
		return -(float64(k)*math.Log(lambda) - lambda - lg)
	}
	return -math.Log(min(tail, 1))
}

// spreadSurprise tests whether hold times spread more than the baseline's
// (jitter widens them): a one-sided test on the log variance ratio.
func spreadSurprise(sd time.Duration, n int, base time.Duration, nb int) float64 {
	if sd <= 0 || base <= 0 {
		return 0
	}
	z := 2 * math.Log(float64(sd)/float64(base)) / math.Sqrt(2/float64(n-1)+2/float64(nb-1))
	if z <= 0 {
		return 0
	}
	p := 0.5 * math.Erfc(z/math.Sqrt2)
	if p <= 0 {
		return maxSurprise
	}
	return min(-math.Log(p), maxSurprise)
}

// Estimate is a hidden-path RTT estimate.
type Estimate struct {
	RTT   time.Duration `json:"rtt_ns"`
	Basis string        `json:"basis"` // "ack-clock", "stall" or "" (none)
	// N is how many observations it rests on (gaps or stalls).
	N int `json:"n"`
}

// String returns the RTT with its basis and sample count, or "no estimate".
func (e Estimate) String() string {
	if e.Basis == "" {
		return "no estimate"
	}
	return fmt.Sprintf("%v (%s, n=%d)", e.RTT.Round(time.Millisecond), e.Basis, e.N)
}

// Minimum evidence for the RTT estimators.
const (
	ackClockZeroHolds = 0.02 // share of zero holds that, with bursts after no stall, says "Nagle is on"
	ackClockGaps      = 30   // message gaps needed for the ack-clock estimate
	// ackClockFloor: the 10th percentile of message gaps above which the
	// gaps have a floor no typist's rhythm has (local typing: 20–40 ms).
	ackClockFloor = 50 * time.Millisecond
)

// EstimateRTT estimates the hidden path's RTT from the session evidence
// (every window scored since [Detector.Reset]):
//
//   - ack-clock: when zero holds are common and message gaps have a floor
//     (their 10th percentile is at least 50 ms), Nagle's algorithm is
//     coalescing: segments leave one ACK apart,
//     so no two deliveries are closer than about one RTT; the 10th
//     percentile of non-tie message gaps, times AckScale, estimates it.
//   - stall: after a loss, the burst arrives when RACK resends (the next
//     segment's send + RTT) or the RTO fires (RTT + 200 ms); the silence
//     before it is then about the typist's own two gaps plus one RTT. The
//     median stall minus twice the median gap, times StallScale, estimates
//     the RTT.
//
// It returns the zero Estimate when neither has enough evidence.
func (d *Detector) EstimateRTT() Estimate {
	f := &d.sess
	n := 0
	for _, c := range f.GapHist {
		n += int(c)
	}
	if f.Keys > 0 && float64(f.ZeroHolds) >= ackClockZeroHolds*float64(f.Keys) &&
		f.GapQuantile(0.1) >= ackClockFloor && n >= ackClockGaps {
		return Estimate{RTT: time.Duration(float64(f.GapQuantile(0.1)) * scale(d.pri.AckScale)), Basis: "ack-clock", N: n}
	}
	if f.StallBursts > 0 && f.Gaps > 0 {
		if excess := f.StallMedian() - 2*f.GapQuantile(0.5); excess > 0 {
			return Estimate{RTT: time.Duration(float64(excess) * scale(d.pri.StallScale)), Basis: "stall", N: f.StallBursts}
		}
	}
	return Estimate{}
}

// RawEstimates returns the uncalibrated ack-clock period and stall excess
// of the session evidence (0 when unavailable), for fitting the scales.
func (d *Detector) RawEstimates() (ack, stall time.Duration) {
	s := *d
	s.pri.AckScale, s.pri.StallScale = 1, 1
	e := s.EstimateRTT()
	switch e.Basis {
	case "ack-clock":
		ack = e.RTT
	case "stall":
		stall = e.RTT
	}
	return ack, stall
}

func scale(s float64) float64 {
	if s <= 0 {
		return 1
	}
	return s
}
