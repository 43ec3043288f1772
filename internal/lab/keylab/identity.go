package keylab

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/identity"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/lab/aalto"
)

// IdentityConfig describes one identity-drift evaluation (protocol in
// docs/lab-keystrokes.md, "Identity drift").
type IdentityConfig struct {
	Enrol      []int               // enrolment lengths in keystrokes (default 250, 500)
	Windows    []int               // test window lengths in keystrokes (default 50, 200)
	Modes      []identity.Mode     // default privacy, full-key, agent-window
	Seed       uint64              // participant split and bootstrap (default 1)
	Bootstrap  int                 // bootstrap replicates for the intervals (default 500)
	Candidates []IdentityCandidate // tried on the training half (default IdentityCandidates())
	MaxCohort  int                 // cohort windows per cohort typist for calibration (default 2)
	// FineClockOnly keeps only typists whose browser clock had about 1 ms
	// resolution (see fineClock). Many Aalto typists' clocks ticked in
	// 8, 16 or ~38 ms steps; the step is a fingerprint of their browser,
	// not of them, and a deployed agent measures every typist of a device
	// with that device's one clock. This control removes the confound.
	FineClockOnly bool
}

func (c IdentityConfig) withDefaults() IdentityConfig {
	if len(c.Enrol) == 0 {
		c.Enrol = []int{250, 500}
	}
	if len(c.Windows) == 0 {
		c.Windows = []int{50, 200}
	}
	if len(c.Modes) == 0 {
		c.Modes = []identity.Mode{identity.ModePrivacy, identity.ModeFullKey, identity.ModeWindow}
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Bootstrap == 0 {
		c.Bootstrap = 500
	}
	if len(c.Candidates) == 0 {
		c.Candidates = IdentityCandidates()
	}
	if c.MaxCohort <= 0 {
		c.MaxCohort = 2
	}
	return c
}

// IdentityCandidate is one scoring set-up tried on the training half.
type IdentityCandidate struct {
	Params identity.Params `json:"params"`
	// Calibrate z-normalises each profile's distances against a cohort of
	// typists from the training half (never the reported ones).
	Calibrate bool `json:"calibrate"`
}

// String names the set-up as the report prints it, e.g. "ks/linear/maxflight=1.5s".
func (c IdentityCandidate) String() string {
	s := fmt.Sprintf("%s/%s/maxflight=%v", c.Params.Distance, c.Params.Weight, c.Params.MaxFlight)
	if c.Calibrate {
		s += "/znorm"
	}
	return s
}

// IdentityCandidates returns the default grid of scoring set-ups.
func IdentityCandidates() []IdentityCandidate {
	var out []IdentityCandidate
	for _, d := range []identity.Distance{identity.DistQuantile, identity.DistKS} {
		for _, w := range []identity.Weight{identity.WeightSqrt, identity.WeightLinear} {
			for _, z := range []bool{false, true} {
				out = append(out, IdentityCandidate{Params: identity.Params{Distance: d, Weight: w, MaxFlight: 1500 * time.Millisecond}, Calibrate: z})
			}
		}
	}
	return out
}

// IdentityRow is the outcome of one condition on the test half.
type IdentityRow struct {
	Mode      identity.Mode     `json:"mode"`
	Enrol     int               `json:"enrol"`
	Window    int               `json:"window"`
	Candidate IdentityCandidate `json:"candidate"`
	Profiles  int               `json:"profiles"` // test typists with at least Enrol+Window keystrokes
	Excluded  int               `json:"excluded"` // test typists with fewer
	Genuine   int               `json:"genuine"`  // genuine comparisons
	Impostor  int               `json:"impostor"` // impostor comparisons
	EER       float64           `json:"eer"`      // -1 (and the intervals too) without comparisons
	EERLo     float64           `json:"eer_lo"`   // 95 % bootstrap interval over typists
	EERHi     float64           `json:"eer_hi"`
	FNMR1     float64           `json:"fnmr_at_1pct_fmr"`
	FNMR1Lo   float64           `json:"fnmr_at_1pct_fmr_lo"`
	FNMR1Hi   float64           `json:"fnmr_at_1pct_fmr_hi"`
}

// IdentityTuneRow is one candidate's result on the training half.
type IdentityTuneRow struct {
	Mode      identity.Mode     `json:"mode"`
	Candidate IdentityCandidate `json:"candidate"`
	MeanEER   float64           `json:"mean_eer"` // over all (Enrol, Window) conditions
	Chosen    bool              `json:"chosen"`
}

// IdentityReport is the outcome of [RunIdentity]; it marshals to JSON.
type IdentityReport struct {
	Participants  int               `json:"participants"`
	Typists       int               `json:"typists"`         // participants evaluated
	CoarseClock   int               `json:"coarse_clock"`    // left out by FineClockOnly
	FineClockOnly bool              `json:"fine_clock_only"` // see IdentityConfig.FineClockOnly
	Train         []int             `json:"train_ids"`
	Test          []int             `json:"test_ids"`
	Seed          uint64            `json:"seed"`
	Bootstrap     int               `json:"bootstrap"`
	Tuning        []IdentityTuneRow `json:"tuning"`
	Rows          []IdentityRow     `json:"rows"`
	// Bar: privacy mode, 500 enrolment keystrokes, 200-keystroke windows,
	// EER <= 5 %. BarEER is -1 when that condition was not run.
	BarEER float64 `json:"bar_eer"`
	BarMet bool    `json:"bar_met"`
}

// idTypist is one participant prepared for a mode.
type idTypist struct {
	id     int
	fine   bool // fineClock
	events []keystroke.Event
	keys   []uint16 // key codes, full-key mode only
}

// idPrepare returns the participant's events in press order, with their
// key codes in the same order (the order of aalto.Participant.Events).
func idPrepare(p aalto.Participant) idTypist {
	idx := make([]int, len(p.Strokes))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p.Strokes[a].Press, p.Strokes[b].Press) })
	evs := p.Events()
	keys := make([]uint16, len(idx))
	for k, i := range idx {
		keys[k] = uint16(p.Strokes[i].KeyCode)
	}
	return idTypist{id: p.ID, fine: idFineClock(evs), events: evs, keys: keys}
}

// idFineClock reports whether the events' times look like a clock of about
// 1 ms resolution: holds and flights between 50 and 250 ms take at least
// 140 of the 200 possible millisecond values. On the Aalto typists the
// count is bimodal (coarse clocks of 8 ms or more steps give under 120,
// fine ones 150 to 200). It needs Aalto-sized typing (about 700 strokes):
// shorter typing takes fewer distinct values on any clock.
func idFineClock(evs []keystroke.Event) bool {
	var seen [200]bool
	n := 0
	mark := func(d time.Duration) {
		ms := int(d / time.Millisecond)
		if ms >= 50 && ms < 250 && !seen[ms-50] {
			seen[ms-50] = true
			n++
		}
	}
	for i, e := range evs {
		mark(e.Hold())
		if i+1 < len(evs) {
			mark(evs[i+1].Press - e.Press)
		}
	}
	return n >= 140
}

// sample reduces events[lo:hi] of t to a sample of the mode.
func (t idTypist) sample(mode identity.Mode, lo, hi int, par identity.Params) identity.Sample {
	evs := t.events[lo:hi]
	switch mode {
	case identity.ModeFullKey:
		s, err := identity.ExtractKeys(evs, t.keys[lo:hi], par)
		if err != nil {
			panic(err) // keys and events come from the same strokes
		}
		return s
	case identity.ModeWindow:
		wd := keystroke.NewWindower(false)
		for _, e := range evs {
			wd.Add(e)
		}
		return identity.ExtractWindows(wd.Cut(time.Time{}, time.Time{}))
	}
	return identity.Extract(evs, par)
}

// windows returns the test windows of t: consecutive, non-overlapping
// stretches of w keystrokes after the first e.
func (t idTypist) windows(mode identity.Mode, e, w int, par identity.Params) []identity.Sample {
	var out []identity.Sample
	for _, r := range idWindowRanges(len(t.events), e, w) {
		out = append(out, t.sample(mode, r[0], r[1], par))
	}
	return out
}

// idWindowRanges returns the [lo, hi) ranges of the test windows of w
// keystrokes among n that follow an enrolment of e.
func idWindowRanges(n, e, w int) [][2]int {
	var out [][2]int
	for lo := e; w > 0 && lo+w <= n; lo += w {
		out = append(out, [2]int{lo, lo + w})
	}
	return out
}

// idCondition evaluates one (mode, candidate, E, W) on the owners, with
// impostor windows from the other owners and calibration cohort windows
// from cohort (never an owner). It returns the per-owner scores and the
// number of owners excluded for too little typing.
func idCondition(ctx context.Context, mode identity.Mode, cand IdentityCandidate, e, w, maxCohort int, owners, cohort []idTypist) ([]idOwner, int, error) {
	type prepared struct {
		prof *identity.Profile
		wins []identity.Sample
	}
	var ps []prepared
	excluded := 0
	for _, t := range owners {
		if len(t.events) < e+w {
			excluded++
			continue
		}
		prof, err := identity.Enrol(t.sample(mode, 0, e, cand.Params), cand.Params)
		if err != nil {
			return nil, 0, fmt.Errorf("enrol typist %d: %w", t.id, err)
		}
		ps = append(ps, prepared{prof, t.windows(mode, e, w, cand.Params)})
	}
	if cand.Calibrate {
		var coh []identity.Sample
		for _, t := range cohort {
			ws := t.windows(mode, min(e, max(0, len(t.events)-w)), w, cand.Params)
			coh = append(coh, ws[:min(len(ws), maxCohort)]...)
		}
		for k := range ps {
			prof, err := ps[k].prof.Calibrate(coh)
			if err != nil {
				return nil, 0, err
			}
			ps[k].prof = prof
		}
	}
	out := make([]idOwner, len(ps))
	for k, o := range ps {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		for _, s := range o.wins {
			out[k].genuine = append(out[k].genuine, o.prof.Compare(s))
		}
		for j, other := range ps {
			if j == k {
				continue
			}
			for _, s := range other.wins {
				out[k].impostor = append(out[k].impostor, o.prof.Compare(s))
			}
		}
	}
	return out, excluded, nil
}

// RunIdentity runs the identity-drift evaluation: participants are split
// into disjoint training and test halves; every candidate scoring set-up
// is tried on the training half (half of it enrolled and scored, the other
// half the calibration cohort) and the one with the lowest mean EER over
// the conditions is chosen per mode; the chosen set-up is then reported on
// the test half, with the whole training half as cohort. Progress lines go
// to progress (nil: none).
func RunIdentity(ctx context.Context, participants []aalto.Participant, cfg IdentityConfig, progress io.Writer) (IdentityReport, error) {
	cfg = cfg.withDefaults()
	if progress == nil {
		progress = io.Discard
	}
	if len(participants) < 8 {
		return IdentityReport{}, fmt.Errorf("identity evaluation of %d participants: want at least 8", len(participants))
	}
	ts := make([]idTypist, 0, len(participants))
	coarse := 0
	for _, p := range participants {
		t := idPrepare(p)
		if cfg.FineClockOnly && !t.fine {
			coarse++
			continue
		}
		ts = append(ts, t)
	}
	if len(ts) < 8 {
		return IdentityReport{}, fmt.Errorf("identity evaluation of %d typists (%d coarse-clock left out): want at least 8", len(ts), coarse)
	}
	train, test := idSplit(ts, cfg.Seed)
	tune, tuneCohort := train[:len(train)/2], train[len(train)/2:]
	rep := IdentityReport{Participants: len(participants), Typists: len(ts), CoarseClock: coarse, FineClockOnly: cfg.FineClockOnly,
		Seed: cfg.Seed, Bootstrap: cfg.Bootstrap, BarEER: -1}
	for _, t := range train {
		rep.Train = append(rep.Train, t.id)
	}
	for _, t := range test {
		rep.Test = append(rep.Test, t.id)
	}
	slices.Sort(rep.Train)
	slices.Sort(rep.Test)
	for _, mode := range cfg.Modes {
		best, bestEER := -1, math.Inf(1)
		for ci, cand := range cfg.Candidates {
			var sum float64
			n := 0
			for _, e := range cfg.Enrol {
				for _, w := range cfg.Windows {
					owners, _, err := idCondition(ctx, mode, cand, e, w, cfg.MaxCohort, tune, tuneCohort)
					if err != nil {
						return IdentityReport{}, fmt.Errorf("tune %s %s E=%d W=%d: %w", mode, cand, e, w, err)
					}
					if r := idRates(idPooled(owners, nil)); !math.IsNaN(r.EER) {
						sum += r.EER
						n++
					}
				}
			}
			mean := -1.0
			if n > 0 {
				mean = sum / float64(n)
			}
			fmt.Fprintf(progress, "identity: train %s %s mean EER %.2f%%\n", mode, cand, 100*mean)
			rep.Tuning = append(rep.Tuning, IdentityTuneRow{Mode: mode, Candidate: cand, MeanEER: mean})
			if n > 0 && mean < bestEER {
				best, bestEER = ci, mean
			}
		}
		if best < 0 {
			return IdentityReport{}, fmt.Errorf("tune %s: no candidate gave an EER on %d training typists", mode, len(tune))
		}
		rep.Tuning[len(rep.Tuning)-len(cfg.Candidates)+best].Chosen = true
		cand := cfg.Candidates[best]
		for _, e := range cfg.Enrol {
			for _, w := range cfg.Windows {
				owners, excluded, err := idCondition(ctx, mode, cand, e, w, cfg.MaxCohort, test, train)
				if err != nil {
					return IdentityReport{}, fmt.Errorf("test %s %s E=%d W=%d: %w", mode, cand, e, w, err)
				}
				row := IdentityRow{Mode: mode, Enrol: e, Window: w, Candidate: cand, Profiles: len(owners), Excluded: excluded}
				gen, imp := idPooled(owners, nil)
				row.Genuine, row.Impostor = len(gen), len(imp)
				r := idRates(gen, imp)
				row.EER, row.FNMR1 = r.EER, r.FNMR1
				ei, fi := idBootstrap(owners, cfg.Bootstrap, cfg.Seed)
				row.EERLo, row.EERHi, row.FNMR1Lo, row.FNMR1Hi = ei.Lo, ei.Hi, fi.Lo, fi.Hi
				for _, f := range []*float64{&row.EER, &row.EERLo, &row.EERHi, &row.FNMR1, &row.FNMR1Lo, &row.FNMR1Hi} {
					if math.IsNaN(*f) {
						*f = -1 // no comparisons
					}
				}
				fmt.Fprintf(progress, "identity: test %s E=%d W=%d EER %.2f%%\n", mode, e, w, 100*row.EER)
				rep.Rows = append(rep.Rows, row)
				if mode == identity.ModePrivacy && e == 500 && w == 200 {
					rep.BarEER = row.EER
					rep.BarMet = row.EER <= 0.05
				}
			}
		}
	}
	return rep, nil
}

// idSplit shuffles typists with the seed and halves them: train, test.
func idSplit(ts []idTypist, seed uint64) (train, test []idTypist) {
	sh := slices.Clone(ts)
	slices.SortFunc(sh, func(a, b idTypist) int { return a.id - b.id })
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
	h := len(sh) / 2
	return sh[:h:h], sh[h:]
}

// WriteTable writes the report as a plain-text table.
func (r IdentityReport) WriteTable(w io.Writer) {
	pop := "all clocks"
	if r.FineClockOnly {
		pop = fmt.Sprintf("fine-clock typists only, %d coarse-clock left out", r.CoarseClock)
	}
	fmt.Fprintf(w, "Identity drift: %d participants (%s), %d train / %d test (seed %d); intervals: 95%% bootstrap over typists (%d replicates)\n",
		r.Participants, pop, len(r.Train), len(r.Test), r.Seed, r.Bootstrap)
	fmt.Fprintf(w, "%-13s %5s %5s %8s %8s %9s  %-22s %-22s  %s\n", "mode", "enrol", "win", "typists", "genuine", "impostor", "EER", "FNMR@1%FMR", "scoring (chosen on train)")
	pct := func(v, lo, hi float64) string {
		return fmt.Sprintf("%5.1f%% [%4.1f, %4.1f]", 100*v, 100*lo, 100*hi)
	}
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-13s %5d %5d %8d %8d %9d  %-22s %-22s  %s\n", row.Mode, row.Enrol, row.Window, row.Profiles, row.Genuine, row.Impostor,
			pct(row.EER, row.EERLo, row.EERHi), pct(row.FNMR1, row.FNMR1Lo, row.FNMR1Hi), row.Candidate)
	}
	verdict := "MISSED"
	if r.BarMet {
		verdict = "met"
	}
	fmt.Fprintf(w, "Bar (privacy mode, E=500, W=200, EER <= 5%%): %.1f%%, %s\n", 100*r.BarEER, verdict)
}
