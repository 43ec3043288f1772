package presence

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// The sequential rule's design constants. They are fixed, not configurable:
// the simulation in sim_test.go measures the false-alarm and detection rates
// of exactly these values, and docs/presence.md reports them.
const (
	// MaxPrompts is the most prompts a session shows before it gives up
	// with [Insufficient].
	MaxPrompts = 20
	// MinPrompts is the fewest valid reactions any decision rests on.
	MinPrompts = 3
	// MinDelay is the added loop delay the rule is built to detect: the
	// alternative hypothesis is a shift of at least this much.
	MinDelay = 100 * time.Millisecond
	// MinReaction and MaxReaction bound a valid reaction. Faster ones are
	// anticipations (no one reacts to a visual prompt in under 100 ms),
	// slower ones are lapses of attention; both are excluded and counted.
	MinReaction = 100 * time.Millisecond
	MaxReaction = 2 * time.Second

	// alpha bounds the false-alarm rate (Bayes factor threshold 1/alpha);
	// beta is the Bayes factor at which the session is called consistent.
	alpha = 0.01
	beta  = 0.01
	// ciZ is the two-sided 95 % normal quantile.
	ciZ = 1.96
)

// Verdict is the outcome of a presence challenge.
type Verdict string

// The verdicts [Assess] gives.
const (
	// Consistent: the reactions fit the baseline; an added loop delay of
	// MinDelay or more is ruled out at the design error rate.
	Consistent Verdict = "consistent"
	// Delayed: the reactions are slower than the baseline by about the
	// added delay, as when the operator sees and answers through a remote
	// loop.
	Delayed Verdict = "delayed"
	// Insufficient: too few valid reactions, or no decision within
	// MaxPrompts prompts.
	Insufficient Verdict = "insufficient"
)

// Result is the assessment of one session's reactions.
type Result struct {
	// Verdict is the decision of the sequential rule.
	Verdict Verdict
	// AddedDelay is the Hodges–Lehmann estimate of the shift of the
	// session's reactions against the baseline's reference reactions.
	AddedDelay time.Duration
	// CILow and CIHigh bound AddedDelay at 95 %: the distribution-free
	// Mann–Whitney interval, widened by the baseline's Spread.
	CILow, CIHigh time.Duration
	// Prompts is the number of prompts the decision took, counting
	// excluded reactions; all prompts given when there was no decision.
	Prompts int
	// Valid is the number of reactions the estimate rests on; Excluded
	// counts anticipations and lapses among the first Prompts.
	Valid, Excluded int
	// MedianRT is the median of the valid reactions.
	MedianRT time.Duration
	// Baseline names the baseline's source: "worker" or "population".
	Baseline string
	// Explanation says all of the above in one plain sentence or two.
	Explanation string
}

// Baseline is what a session's reactions are held against.
type Baseline struct {
	// Source is "worker" for a worker's enrolled reactions and
	// "population" for the population norms.
	Source string
	// Reference holds reference reaction times, sorted: the worker's
	// enrolled reactions, or quantiles of the population model.
	Reference []time.Duration
	// Mu, Sigma and Tau are the ex-Gaussian parameters of one person's
	// reaction times on this device; the sequential rule's likelihoods.
	Mu, Sigma, Tau time.Duration
	// Spread is the uncertainty of where today's local reactions sit
	// relative to Reference: between people and devices for the
	// population, enrolment error and day-to-day drift for a worker.
	Spread time.Duration
}

// Population model parameters; see docs/presence.md for sources.
const (
	popMu     = 240 * time.Millisecond // 220 ms human + ~20 ms keyboard and display
	popSigma  = 25 * time.Millisecond
	popTau    = 50 * time.Millisecond
	popSpread = 40 * time.Millisecond // 25 ms between people, 30 ms between devices
	// dayDrift is the assumed day-to-day standard deviation of one
	// person's reaction-time location.
	dayDrift = 15 * time.Millisecond
	// MinEnrol is the fewest valid reactions a worker baseline needs.
	MinEnrol = 10
	// MaxEnrolPrompts is the most prompts an enrolment session may show
	// (Config.EnrolPrompts), and the most reactions a worker baseline
	// keeps: the newest ones.
	MaxEnrolPrompts = 400
	// maxReference caps the reference reactions a worker baseline keeps.
	maxReference = MaxEnrolPrompts
)

// PopulationBaseline returns the population norms as a baseline: an
// ex-Gaussian (mu 240 ms, sigma 25 ms, tau 50 ms) with a spread of 40 ms.
// It is what a worker without an enrolment is held against; it detects only
// larger added delays (see docs/presence.md).
func PopulationBaseline() Baseline {
	d := exGauss{mu: ms(popMu), sigma: ms(popSigma), tau: ms(popTau)}
	ref := make([]time.Duration, 199)
	for i := range ref {
		ref[i] = dur(d.quantile(float64(i+1) / 200))
	}
	return Baseline{
		Source: "population", Reference: ref,
		Mu: popMu, Sigma: popSigma, Tau: popTau, Spread: popSpread,
	}
}

// WorkerBaseline builds a worker's baseline from the reactions of their
// enrolment sessions, oldest first. Reactions outside [MinReaction,
// MaxReaction] are dropped; only the newest 400 are kept. It needs at
// least [MinEnrol] valid ones. Spread combines the standard error of the
// enrolled location with the day-to-day drift of a person's reaction time,
// both for today and, averaged over the sessions, for the enrolment.
func WorkerBaseline(sessions [][]time.Duration) (Baseline, error) {
	var ref []time.Duration
	k := 0
	for _, rs := range sessions {
		n := len(ref)
		for _, r := range rs {
			if valid(r) {
				ref = append(ref, r)
			}
		}
		if len(ref) > n {
			k++
		}
	}
	if len(ref) < MinEnrol {
		return Baseline{}, fmt.Errorf("worker baseline: %d valid reactions, need at least %d", len(ref), MinEnrol)
	}
	if len(ref) > maxReference {
		ref = ref[len(ref)-maxReference:]
	}
	xs := make([]float64, len(ref))
	for i, r := range ref {
		xs[i] = ms(r)
	}
	slices.Sort(ref)
	d := fitExGauss(xs)
	sd := math.Sqrt(d.sigma*d.sigma + d.tau*d.tau)
	se2 := sd * sd / float64(len(xs))
	drift := ms(dayDrift)
	return Baseline{
		Source: "worker", Reference: ref,
		Mu: dur(d.mu), Sigma: dur(d.sigma), Tau: dur(d.tau),
		Spread: dur(math.Sqrt(se2 + drift*drift*(1+1/float64(k)))),
	}, nil
}

func valid(r time.Duration) bool { return r >= MinReaction && r <= MaxReaction }

// Thresholds of the sequential test on the log Bayes factor.

var (
	upper = math.Log(1 / alpha)
	lower = math.Log(beta)
)

// Assess runs the sequential rule over reactions in the order they were
// given and reports the decision at the first prompt where it is reached,
// ignoring later reactions; without a decision after MaxPrompts prompts (or
// when reactions run out) the verdict is Insufficient.
//
// The rule is a sequential Bayes-factor (mixture likelihood ratio) test on
// the shift s of today's reactions against the baseline's ex-Gaussian. The
// null spreads s as N(0, Spread²): today's local self, with the baseline's
// own uncertainty and day-to-day drift. The alternative spreads s uniformly
// over 50-400 ms, a remote loop. Each reaction's likelihood allows 3 %
// contamination (a guess or a lapse, uniform over 0-2 s), so no single
// reaction decides. After at least MinPrompts valid reactions the session
// is "delayed" once the Bayes factor reaches 1/alpha = 100 (under the null
// it ever does so with probability at most 1 %, by Ville's inequality) or
// reaches 5 at the 10th prompt (a fixed-sample check whose false alarms
// the simulation measures), and "consistent" once it falls to beta = 0.01. Anticipations and lapses outside [MinReaction, MaxReaction]
// are excluded. A baseline without a Reference or with non-positive Sigma
// or Tau gives Insufficient.
func Assess(reactions []time.Duration, baseline Baseline) Result {
	res := Result{Verdict: Insufficient, Baseline: baseline.Source}
	if len(baseline.Reference) == 0 || baseline.Sigma <= 0 || baseline.Tau <= 0 {
		res.Explanation = "no usable baseline to compare with"
		return res
	}
	t := newTest(baseline)
	var used []float64
	for i, r := range reactions {
		if i == MaxPrompts {
			break
		}
		res.Prompts = i + 1
		if !valid(r) {
			res.Excluded++
			continue
		}
		x := ms(r)
		used = append(used, x)
		t.add(x)
		if len(used) < MinPrompts {
			continue
		}
		if lbf := t.logBF(); lbf >= upper || (res.Prompts == checkpoint && lbf >= math.Log(checkBF)) {
			res.Verdict = Delayed
			break
		} else if lbf <= lower {
			res.Verdict = Consistent
			break
		}
	}
	res.Valid = len(used)
	if len(used) > 0 {
		res.AddedDelay, res.CILow, res.CIHigh = shift(used, baseline)
		res.MedianRT = dur(median(used))
	}
	res.Explanation = explain(res, baseline)
	return res
}

// The shift grid and the alternative's range, in ms.
const (
	gridLow, gridHigh, gridStep = -150.0, 600.0, 5.0
	gridN                       = int((gridHigh-gridLow)/gridStep) + 1
	h1Low, h1High               = 50.0, 400.0
	contamination               = 0.03
	contaminationSpan           = 2000.0 // ms
	// checkpoint is the prompt at which an undecided session is called
	// delayed on the weaker evidence checkBF; the false alarms this adds
	// are measured by the simulation, not bounded by Ville's inequality.
	checkpoint = 10
	checkBF    = 5.0
)

// test is the state of one sequential Bayes-factor test: the log likelihood
// of the reactions so far at every shift on the grid, and the two priors.
type test struct {
	d        exGauss
	ll       [gridN]float64
	lp0, lp1 [gridN]float64
}

func newTest(b Baseline) *test {
	t := &test{d: exGauss{mu: ms(b.Mu), sigma: ms(b.Sigma), tau: ms(b.Tau)}}
	sp := max(ms(b.Spread), gridStep)
	for k := range gridN {
		s := gridLow + float64(k)*gridStep
		t.lp0[k] = -s * s / (2 * sp * sp)
		t.lp1[k] = math.Inf(-1)
		if s >= h1Low && s <= h1High {
			t.lp1[k] = 0
		}
	}
	normalise(t.lp0[:])
	normalise(t.lp1[:])
	return t
}

var (
	logClean = math.Log(1 - contamination)
	logDirty = math.Log(contamination / contaminationSpan)
)

func (t *test) add(x float64) {
	for k := range gridN {
		s := gridLow + float64(k)*gridStep
		t.ll[k] += logAddExp(logClean+t.d.logPDF(x-s), logDirty)
	}
}

// logBF returns the log Bayes factor of the alternative over the null.
func (t *test) logBF() float64 {
	var a, b [gridN]float64
	for k := range gridN {
		a[k] = t.ll[k] + t.lp1[k]
		b[k] = t.ll[k] + t.lp0[k]
	}
	return logSumExp(a[:]) - logSumExp(b[:])
}

func normalise(lp []float64) {
	z := logSumExp(lp)
	for i := range lp {
		lp[i] -= z
	}
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	var sum float64
	for _, x := range xs {
		sum += math.Exp(x - m)
	}
	return m + math.Log(sum)
}

func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// shift returns the two-sample Hodges–Lehmann estimate of xs minus the
// baseline's reference, with its 95 % Mann–Whitney confidence interval
// (normal approximation) widened in quadrature by 1.96 x Spread.
func shift(xs []float64, b Baseline) (est, lo, hi time.Duration) {
	m, n := len(b.Reference), len(xs)
	diffs := make([]float64, 0, m*n)
	for _, x := range xs {
		for _, y := range b.Reference {
			diffs = append(diffs, x-ms(y))
		}
	}
	slices.Sort(diffs)
	e := median(diffs)
	mn := float64(m * n)
	k := int(math.Floor(mn/2 - ciZ*math.Sqrt(mn*float64(m+n+1)/12)))
	k = min(max(k, 0), len(diffs)-1)
	l, h := diffs[k], diffs[len(diffs)-1-k]
	w := ciZ * ms(b.Spread)
	l = e - math.Hypot(e-l, w)
	h = e + math.Hypot(h-e, w)
	return dur(e), dur(l), dur(h)
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func explain(r Result, b Baseline) string {
	against := "this worker's enrolled baseline"
	if b.Source != "worker" {
		against = "population norms (no enrolment)"
	}
	est := fmt.Sprintf("%d ms (95 %% CI %d to %d ms)", r.AddedDelay.Milliseconds(), r.CILow.Milliseconds(), r.CIHigh.Milliseconds())
	switch r.Verdict {
	case Delayed:
		return fmt.Sprintf("Reactions are %s slower than %s after %d prompts (median %d ms): "+
			"someone is seeing the prompts and answering through a loop of about that delay.",
			est, against, r.Prompts, r.MedianRT.Milliseconds())
	case Consistent:
		return fmt.Sprintf("Reactions match %s after %d prompts (median %d ms, added delay %s): "+
			"no remote loop of %d ms or more.",
			against, r.Prompts, r.MedianRT.Milliseconds(), est, MinDelay.Milliseconds())
	}
	if r.Valid == 0 {
		return fmt.Sprintf("No valid reactions in %d prompts (%d excluded as anticipations or lapses).", r.Prompts, r.Excluded)
	}
	return fmt.Sprintf("No decision after %d prompts (%d valid, %d excluded): added delay %s against %s.",
		r.Prompts, r.Valid, r.Excluded, est, against)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func dur(ms float64) time.Duration { return time.Duration(math.Round(ms * float64(time.Millisecond))) }
