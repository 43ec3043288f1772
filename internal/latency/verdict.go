package latency

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Status is the outcome of holding a claimed location against measured RTTs.
type Status string

// Statuses, from the strongest evidence against the claim to none.
const (
	// Impossible: a landmark answered faster than light allows from the
	// claimed place. Pure physics; no model involved.
	Impossible Status = "impossible"
	// TooSlow: a landmark answered slower than the claimed place and access
	// explain: the path detours (VPN, proxy, relay) or the device is farther.
	TooSlow Status = "too-slow"
	// Inconsistent: no single access latency explains the RTTs to all
	// landmarks from the claimed place; the device is elsewhere.
	Inconsistent Status = "inconsistent"
	// Consistent: every measurement fits the claim.
	Consistent Status = "consistent"
	// Insufficient: not enough measurements to judge.
	Insufficient Status = "insufficient"
)

// Flagged reports whether s is evidence against the claim.
func (s Status) Flagged() bool { return s == Impossible || s == TooSlow || s == Inconsistent }

func (s Status) rank() int {
	switch s {
	case Impossible:
		return 4
	case TooSlow:
		return 3
	case Inconsistent:
		return 2
	case Consistent:
		return 1
	}
	return 0
}

// Observation is the minimum RTT measured between one landmark and the device.
type Observation struct {
	Landmark    string       // landmark name, e.g. "us-west"
	Place       string       // where the landmark is, in words
	At          geo.Point    // where the landmark is
	MinMs       float64      // minimum RTT over the window
	Count       int          // samples behind the minimum
	From, To    time.Time    // window the samples cover
	Provenance  string       // who measured: server-tcp, server-app, agent
	Calibration *Calibration // the landmark's anchors, if calibrated
}

// Claim is where a worker says they work, and how they connect.
type Claim struct {
	Place  string    // in words, e.g. "Phoenix, AZ, US"
	Point  geo.Point // resolved coordinates
	Access Access    // declared access; the unknown mix when undeclared
	// AccessDeclared says Access was declared for this worker rather than
	// assumed; only a declared access floor can make a claim impossible.
	AccessDeclared bool
}

// Options tune Assess. The zero value uses the documented defaults.
type Options struct {
	// Alpha is the false-alarm budget of one verdict, split evenly over
	// its tests (default 0.005: at most 1 honest device in 200 flagged).
	Alpha float64
	// ClaimRadiusKm is how far from the claimed point an honest device may
	// be and still be "at" the claimed place (default 50 km).
	ClaimRadiusKm float64
	// MinSamples is the fewest samples a landmark needs to count (default 3).
	MinSamples int
	// SkipRegion leaves Verdict.Region nil (the evaluation lab's fast path).
	SkipRegion bool
	// NameOf, if set, names the place nearest a point, for explanations.
	NameOf func(geo.Point) string
}

func (o Options) withDefaults() Options {
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = 0.005
	}
	if o.ClaimRadiusKm <= 0 {
		o.ClaimRadiusKm = 50
	}
	if o.MinSamples <= 0 {
		o.MinSamples = 3
	}
	return o
}

// tooSlowMaxKm: with several landmarks, only those within this distance of
// the claimed place can call it too slow; route errors of farther ones are
// too large, and they still count for impossibility and consistency.
const tooSlowMaxKm = 5000

// Finding is the verdict of one landmark.
type Finding struct {
	Observation
	DistanceKm  float64 // landmark → claimed place
	FibreMs     float64 // physics minimum for the claimed place (within the claim radius)
	ExpectedMs  float64 // predicted RTT: path plus median access
	ThresholdMs float64 // slowest RTT an honest device would show (1 - alpha)
	Method      string  // "calibrated" or "band"
	Status      Status
	Text        string // one or two sentences with the numbers
}

// Verdict is the judgement of one claim against all landmarks.
type Verdict struct {
	Status   Status
	Claim    Claim
	Findings []Finding
	// OffsetSpreadMs is, with two or more landmarks, the spread of access
	// latency the landmarks imply, and OffsetLimitMs the largest spread an
	// honest device shows; Inconsistent when the first exceeds the second.
	OffsetSpreadMs, OffsetLimitMs float64
	Region                        *Region // feasible region, with two or more landmarks
	Summary                       string  // one sentence
	Explanation                   []string
}

// Assess holds claim against the observations and returns the verdict.
// Observations with fewer than Options.MinSamples samples are ignored.
func (b *Band) Assess(claim Claim, obs []Observation, opt Options) Verdict {
	opt = opt.withDefaults()
	v := Verdict{Status: Insufficient, Claim: claim}
	var use []Observation
	for _, o := range obs {
		if o.Count >= opt.MinSamples && finite(o.MinMs) && o.MinMs > 0 {
			use = append(use, o)
		}
	}
	slices.SortFunc(use, func(a, b Observation) int { return cmp.Compare(a.Landmark, b.Landmark) })
	if len(use) == 0 {
		v.Summary = fmt.Sprintf("No landmark has at least %d RTT samples for this device yet; no verdict.", opt.MinSamples)
		v.Explanation = []string{v.Summary}
		return v
	}
	tests := len(use)
	if len(use) >= 2 {
		tests++
	}
	alpha := opt.Alpha / float64(tests)
	accessMed := claim.Access.Dist.Quantile(0.5)

	offsets := make([]float64, len(use))
	var resid []Dist
	v.Status = Consistent
	for i, o := range use {
		p := b.Predict(o.At, claim.Point, o.Calibration)
		f := Finding{Observation: o, DistanceKm: p.DistanceKm, Method: p.Method}
		f.FibreMs = fibreMs(max(0, p.DistanceKm-opt.ClaimRadiusKm))
		f.ExpectedMs = p.ExpectedMs() + accessMed
		if p.Method == "calibrated" {
			f.ThresholdMs = p.ExpectedMs() + o.Calibration.tolerance(claim.Point, p, claim.Access, alpha)
		} else {
			f.ThresholdMs = p.ExpectedMs() + b.Tolerance(p, claim.Access, alpha)
		}
		floor := 0.0
		if claim.AccessDeclared {
			floor = claim.Access.FloorMs
		}
		switch {
		case o.MinMs < f.FibreMs+floor:
			f.Status = Impossible
		case o.MinMs > f.ThresholdMs && (len(use) == 1 || p.DistanceKm <= tooSlowMaxKm):
			f.Status = TooSlow
		default:
			f.Status = Consistent
		}
		f.Text = findingText(f, claim, floor)
		if f.Status.rank() > v.Status.rank() {
			v.Status = f.Status
		}
		offsets[i] = o.MinMs - p.ExpectedMs()
		resid = append(resid, p.Residual)
		v.Findings = append(v.Findings, f)
	}

	if len(use) >= 2 {
		// Access latency is common to every landmark; only route residuals
		// differ. A spread of implied access beyond what residuals allow
		// means the device is not at the claimed place.
		spreadLimit := 0.0
		for i := range resid {
			for j := range resid {
				if i != j {
					spreadLimit = max(spreadLimit, resid[i].Quantile(1-alpha/2)-resid[j].Quantile(alpha/2))
				}
			}
		}
		v.OffsetSpreadMs = slices.Max(offsets) - slices.Min(offsets)
		v.OffsetLimitMs = spreadLimit
		if v.OffsetSpreadMs > spreadLimit && v.Status.rank() < Inconsistent.rank() {
			v.Status = Inconsistent
		}
		floor := 0.0
		if claim.AccessDeclared {
			floor = claim.Access.FloorMs
		}
		if !opt.SkipRegion {
			v.Region = FeasibleRegion(use, floor, claim.Point)
			if opt.NameOf != nil && !v.Region.Empty {
				v.Region.Near = opt.NameOf(v.Region.Centroid)
			}
		}
	}
	v.Summary, v.Explanation = explain(v)
	return v
}

func findingText(f Finding, c Claim, floor float64) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s answers in %s (minimum of %d %s samples). ", landmarkName(f.Observation), ms(f.MinMs), f.Count, provenanceWords(f.Provenance))
	switch f.Status {
	case Impossible:
		if floor > 0 && f.MinMs >= f.FibreMs {
			fmt.Fprintf(&s, "From %s (%s away) over %s it could not answer faster than %s (%s for the distance in fibre plus at least %s for the access link): the claim is impossible as declared.",
				c.Place, km(f.DistanceKm), c.Access.Label, ms(f.FibreMs+floor), ms(f.FibreMs), ms(floor))
		} else {
			fmt.Fprintf(&s, "Light in fibre needs at least %s for the %s to %s: the device cannot be there; it is within %s of %s.",
				ms(f.FibreMs), km(f.DistanceKm), c.Place, km(geo.MaxDistance(dur(f.MinMs))), landmarkWhere(f.Observation))
		}
	case TooSlow:
		fmt.Fprintf(&s, "From %s (%s away) over %s it should answer in about %s and in at most %s: it is %s too slow, a detour of at least %s through a VPN, proxy or relay, or a device that is farther away.",
			c.Place, km(f.DistanceKm), c.Access.Label, ms(f.ExpectedMs), ms(f.ThresholdMs), ms(f.MinMs-f.ThresholdMs), km(geo.MaxDistance(dur(f.MinMs-f.ThresholdMs))))
	default:
		fmt.Fprintf(&s, "From %s (%s away) over %s it should answer in about %s, at least %s and at most %s: consistent.",
			c.Place, km(f.DistanceKm), c.Access.Label, ms(f.ExpectedMs), ms(f.FibreMs+floor), ms(f.ThresholdMs))
	}
	if f.Method == "calibrated" {
		s.WriteString(" (Expected RTT from the landmark's calibration anchors near the claimed place.)")
	}
	return s.String()
}

func explain(v Verdict) (string, []string) {
	var lines []string
	for _, f := range v.Findings {
		lines = append(lines, f.Text)
	}
	if len(v.Findings) >= 2 {
		if v.OffsetSpreadMs > v.OffsetLimitMs {
			lines = append(lines, fmt.Sprintf("Across landmarks the access latency these RTTs imply for %s differs by %s, more than the %s honest routes allow: no single access link explains them, so the device is not at the claimed place.",
				v.Claim.Place, ms(v.OffsetSpreadMs), ms(v.OffsetLimitMs)))
		} else {
			lines = append(lines, fmt.Sprintf("Across landmarks the implied access latency differs by %s (honest routes allow %s): consistent.", ms(v.OffsetSpreadMs), ms(v.OffsetLimitMs)))
		}
	}
	if r := v.Region; r != nil {
		lines = append(lines, r.Text(v.Claim.Place))
	}
	var summary string
	switch v.Status {
	case Impossible:
		summary = fmt.Sprintf("Impossible for %s: a landmark answered faster than light allows from there.", v.Claim.Place)
	case TooSlow:
		summary = fmt.Sprintf("Too slow for %s: the device's traffic detours or it is farther away.", v.Claim.Place)
	case Inconsistent:
		summary = fmt.Sprintf("Inconsistent with %s: the RTTs to the landmarks point elsewhere.", v.Claim.Place)
	case Consistent:
		summary = fmt.Sprintf("Consistent with %s.", v.Claim.Place)
	default:
		summary = "No verdict yet."
	}
	return summary, lines
}

func landmarkName(o Observation) string {
	if o.Place != "" {
		return fmt.Sprintf("Landmark %s (%s)", o.Landmark, o.Place)
	}
	return "Landmark " + o.Landmark
}

func landmarkWhere(o Observation) string {
	if o.Place != "" {
		return o.Place
	}
	return "landmark " + o.Landmark
}

func provenanceWords(p string) string {
	switch p {
	case "server-tcp":
		return "server-measured TCP"
	case "server-app":
		return "server-measured ping"
	case "agent":
		return "agent-reported"
	}
	return p
}

func ms(x float64) string {
	if x >= 10 || x <= -10 {
		return fmt.Sprintf("%.0f ms", x)
	}
	return fmt.Sprintf("%.1f ms", x)
}

func km(x float64) string {
	x = math.Round(x)
	if x >= 1000 {
		return fmt.Sprintf("%d,%03d km", int(x)/1000, int(x)%1000)
	}
	return fmt.Sprintf("%d km", int(x))
}

func dur(msv float64) time.Duration { return time.Duration(msv * float64(time.Millisecond)) }
