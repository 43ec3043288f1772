package risk

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Contribution is one piece of evidence as [Fuse] counted it.
type Contribution struct {
	Evidence Evidence `json:"evidence"`
	// LR is the likelihood ratio used: the evidence's own or the
	// configured one.
	LR float64 `json:"lr"`
	// Capped is log2 LR bounded by the detector's cap; Provenance the
	// factor of who measured it; Decay the fraction left after fading
	// (1 when fresh or never fading).
	Capped     float64 `json:"capped_bits"`
	Provenance float64 `json:"provenance_factor"`
	Decay      float64 `json:"decay"`
	// Bits is what it adds to the log-odds: Capped × Provenance × Decay
	// when Counted, else 0.
	Bits float64 `json:"bits"`
	// Group is its independence group; Counted is false when a stronger
	// item of the same group counts instead.
	Group   string `json:"group"`
	Counted bool   `json:"counted"`

	halfLife time.Duration // the detector's, looked up once
	gi       int           // index of Group within its subject
}

// Point is the risk right after new evidence arrived.
type Point struct {
	At      time.Time `json:"at"`
	LogOdds float64   `json:"log_odds"`
	Level   string    `json:"level"`
}

// Risk is the fused risk of one person (or of an unlinked applicant,
// device or account).
type Risk struct {
	Subject Subject `json:"subject"`
	// LogOdds is the posterior log2-odds of fraud: log2 PriorOdds plus the
	// counted bits. Probability is the same as a probability.
	LogOdds     float64 `json:"log_odds"`
	Probability float64 `json:"probability"`
	Level       string  `json:"level"`
	// Contributions is every piece of evidence: counted ones first, by
	// |Bits|, largest first; they sum to LogOdds − log2 PriorOdds.
	Contributions []Contribution `json:"contributions"`
	// Signals is the number of independence groups adding at least
	// Config.SignalBits.
	Signals int `json:"signals"`
	// Timeline is the log-odds after each distinct evidence time, oldest
	// first, each computed as Fuse would have at that time.
	Timeline []Point `json:"timeline"`
}

// Fuse computes the risk of every person the evidence is about at time now.
// Evidence resolves to its person through links (nil: no links); evidence
// that fails [Evidence.Validate] or is dated after now is left out. The
// risks are ordered by LogOdds, highest first, then subject.
func Fuse(ev []Evidence, links *Links, cfg Config, now time.Time) []Risk {
	prior := math.Log2(cfg.PriorOdds)
	roots := make(map[Subject]Subject)
	bySubject := make(map[Subject][]Contribution)
	for _, e := range ev {
		if e.At.After(now) || e.Validate() != nil {
			continue
		}
		root, ok := roots[e.Subject]
		if !ok {
			root = links.Resolve(e.Subject)
			roots[e.Subject] = root
		}
		d := cfg.detector(e.Detector)
		lr := e.LR
		if lr == 0 {
			lr = d.LR
		}
		bits := math.Log2(lr)
		if math.IsNaN(bits) {
			bits = 0
		}
		bits = max(-d.CapBits, min(d.CapBits, bits))
		bySubject[root] = append(bySubject[root], Contribution{
			Evidence:   e,
			LR:         lr,
			Capped:     bits,
			Provenance: cfg.provenance(e.Provenance),
			Decay:      1,
			Group:      e.group(),
			halfLife:   d.HalfLife,
		})
	}
	out := make([]Risk, 0, len(bySubject))
	for s, cs := range bySubject {
		out = append(out, fuseOne(s, cs, &cfg, prior, now))
	}
	slices.SortFunc(out, func(a, b Risk) int {
		if c := cmp.Compare(b.LogOdds, a.LogOdds); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Subject.Kind, b.Subject.Kind); c != 0 {
			return c
		}
		return cmp.Compare(a.Subject.ID, b.Subject.ID)
	})
	return out
}

// fuseOne computes one subject's risk; cs are in input order.
func fuseOne(s Subject, cs []Contribution, cfg *Config, prior float64, now time.Time) Risk {
	// Timeline: evidence by time, fused at each distinct time.
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cs[a].Evidence.At.Compare(cs[b].Evidence.At) })
	var timeline []Point
	gidx := make(map[string]int, len(cs))
	for i := range cs {
		g, ok := gidx[cs[i].Group]
		if !ok {
			g = len(gidx)
			gidx[cs[i].Group] = g
		}
		cs[i].gi = g
	}
	groups := make([]best, len(gidx))
	for k := 0; k < len(order); {
		t := cs[order[k]].Evidence.At
		for k < len(order) && !cs[order[k]].Evidence.At.After(t) {
			k++
		}
		lo, _ := sumAt(cs, order[:k], groups, cfg, t, false)
		timeline = append(timeline, Point{At: t, LogOdds: prior + lo, Level: cfg.level(prior + lo)})
	}
	sum, signals := sumAt(cs, order, groups, cfg, now, true)
	lo := prior + sum
	slices.SortStableFunc(cs, func(a, b Contribution) int {
		if a.Counted != b.Counted {
			if a.Counted {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(math.Abs(b.Bits), math.Abs(a.Bits)); c != 0 {
			return c
		}
		if c := cmp.Compare(math.Abs(b.Capped), math.Abs(a.Capped)); c != 0 {
			return c
		}
		return b.Evidence.At.Compare(a.Evidence.At)
	})
	return Risk{
		Subject:       s,
		LogOdds:       lo,
		Probability:   probability(lo),
		Level:         cfg.level(lo),
		Contributions: cs,
		Signals:       signals,
		Timeline:      timeline,
	}
}

// best is the strongest item of an independence group so far.
type best struct {
	i    int
	bits float64
}

// sumAt adds the evidence idx of cs as of time t: per group the item with
// the largest |bits| after provenance and decay. With record it stores
// each item's decay, bits and whether it counted. groups is scratch
// space, cleared first.
func sumAt(cs []Contribution, idx []int, groups []best, cfg *Config, t time.Time, record bool) (sum float64, signals int) {
	for g := range groups {
		groups[g] = best{i: -1}
	}
	for _, i := range idx {
		c := &cs[i]
		decay := 1.0
		if hl := c.halfLife; hl > 0 {
			if age := t.Sub(c.Evidence.At); age > 0 {
				decay = math.Exp2(-float64(age) / float64(hl))
			}
		}
		bits := c.Capped * c.Provenance * decay
		if record {
			c.Decay = decay
			c.Bits = bits
		}
		if b := groups[c.gi]; b.i < 0 || math.Abs(bits) > math.Abs(b.bits) {
			groups[c.gi] = best{i, bits}
		}
	}
	for _, b := range groups {
		if b.i < 0 {
			continue
		}
		sum += b.bits
		if b.bits >= cfg.SignalBits && b.bits > 0 {
			signals++
		}
	}
	if record {
		for _, i := range idx {
			b := groups[cs[i].gi]
			cs[i].Counted = b.i == i
			if !cs[i].Counted {
				cs[i].Bits = 0
			}
		}
	}
	return sum, signals
}

func probability(logOdds float64) float64 {
	return 1 / (1 + math.Exp2(-logOdds))
}

// level returns the level of posterior log2-odds lo.
func (c *Config) level(lo float64) string {
	switch {
	case lo >= c.HighAt:
		return LevelHigh
	case lo >= c.WatchAt:
		return LevelWatch
	default:
		return LevelClear
	}
}

// levelRank orders levels; unknown levels rank below clear.
func levelRank(l string) int {
	switch l {
	case LevelClear:
		return 0
	case LevelWatch:
		return 1
	case LevelHigh:
		return 2
	default:
		return -1
	}
}
