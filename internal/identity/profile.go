package identity

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Distance is the per-unit distance between two distributions.
type Distance uint8

// The per-unit distances.
const (
	// DistKS: the two-sample Kolmogorov–Smirnov statistic, in [0, 1]
	// (the default).
	DistKS Distance = iota
	// DistQuantile: the mean absolute difference of the quartiles, scaled
	// by the profile's robust spread of the unit (a scaled Manhattan
	// distance over quartiles).
	DistQuantile
)

// String returns the distance's name.
func (d Distance) String() string {
	switch d {
	case DistQuantile:
		return "quantile"
	case DistKS:
		return "ks"
	}
	return fmt.Sprintf("distance(%d)", uint8(d))
}

// MarshalText implements encoding.TextMarshaler.
func (d Distance) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Weight says how units are weighted in the mean.
type Weight uint8

// The weightings, by the number n of window samples of a unit.
const (
	WeightLinear Weight = iota // n (the default)
	WeightSqrt                 // √n
)

// String returns the weighting's name.
func (w Weight) String() string {
	switch w {
	case WeightSqrt:
		return "sqrt"
	case WeightLinear:
		return "linear"
	}
	return fmt.Sprintf("weight(%d)", uint8(w))
}

// MarshalText implements encoding.TextMarshaler.
func (w Weight) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// Params are the scoring parameters; the zero value means the defaults,
// which the lab chose on its training participants (docs/lab-keystrokes.md).
type Params struct {
	Distance   Distance      `json:"distance"`
	Weight     Weight        `json:"weight"`
	MinSamples int           `json:"min_samples"`   // fewest window samples for a unit to count (default 3)
	MinEnrol   int           `json:"min_enrol"`     // fewest enrolment samples for a unit to count (default 5)
	MaxFlight  time.Duration `json:"max_flight_ns"` // longer flights are pauses (default 1500 ms)
	FloorMs    float64       `json:"floor_ms"`      // least spread of a unit for DistQuantile (default 10 ms)
}

func (p Params) withDefaults() Params {
	if p.MinSamples <= 0 {
		p.MinSamples = 3
	}
	if p.MinEnrol <= 0 {
		p.MinEnrol = 5
	}
	if p.MaxFlight <= 0 {
		p.MaxFlight = 1500 * time.Millisecond
	}
	if p.FloorMs <= 0 {
		p.FloorMs = 10
	}
	return p
}

// quantiles compared by DistQuantile.
var quantiles = [...]float64{0.25, 0.5, 0.75}

// profUnit is one enrolled distribution.
type profUnit struct {
	unit
	q     [len(quantiles)]float64
	scale float64 // robust spread in ms, at least Params.FloorMs
}

// Profile is one typist's enrolled timing. It is immutable and safe for
// concurrent use.
type Profile struct {
	mode   Mode
	par    Params
	keys   int
	units  []profUnit // sorted by key
	mu, sd float64    // cohort calibration; sd == 0 when uncalibrated
}

// ErrTooLittle is returned by [Enrol] when the sample has no unit with
// enough values to compare against.
var ErrTooLittle = errors.New("identity: too little typing to enrol")

// Enrol builds a profile from a sample of verified typing, with the
// scoring parameters it will use.
func Enrol(s Sample, par Params) (*Profile, error) {
	par = par.withDefaults()
	p := &Profile{mode: s.mode, par: par, keys: s.keys}
	for _, u := range s.units {
		if len(u.x) < par.MinEnrol {
			continue
		}
		pu := profUnit{unit: unit{key: u.key, x: slices.Clone(u.x)}}
		for i, q := range quantiles {
			pu.q[i] = quantile(u.x, q)
		}
		iqr := quantile(u.x, 0.75) - quantile(u.x, 0.25)
		pu.scale = max(iqr/1.349, par.FloorMs)
		p.units = append(p.units, pu)
	}
	if len(p.units) == 0 {
		return nil, fmt.Errorf("enrol %s profile from %d keystrokes: %w", s.mode, s.keys, ErrTooLittle)
	}
	return p, nil
}

// Mode returns the profile's mode.
func (p *Profile) Mode() Mode { return p.mode }

// Params returns the profile's parameters, defaults filled in.
func (p *Profile) Params() Params { return p.par }

// Keys returns the number of keystrokes enrolled.
func (p *Profile) Keys() int { return p.keys }

// Score compares a window of typing with a privacy-mode profile: see
// [Profile.Compare]. It panics if p is not a privacy-mode profile.
func Score(p *Profile, window []keystroke.Event) float64 {
	return p.Compare(Extract(window, p.par))
}

// Compare returns the distance of a sample from the profile: the weighted
// mean of the per-unit distances over the units both have enough values
// of; 0 is identical, larger is less alike. On a calibrated profile it is
// a z-score against the cohort instead (negative: closer than the typical
// other typist). It is +Inf when no unit is shared: nothing can be
// verified, which a caller should treat as a mismatch. It panics if the
// sample's mode is not the profile's.
func (p *Profile) Compare(s Sample) float64 {
	if s.mode != p.mode {
		panic(fmt.Sprintf("identity: %s sample compared with a %s profile", s.mode, p.mode))
	}
	var sum, wsum float64
	j := 0
	for _, u := range s.units {
		n := len(u.x)
		if n < p.par.MinSamples {
			continue
		}
		for j < len(p.units) && p.units[j].key < u.key {
			j++
		}
		if j == len(p.units) {
			break
		}
		pu := &p.units[j]
		if pu.key != u.key {
			continue
		}
		var d float64
		switch p.par.Distance {
		case DistQuantile:
			for i, q := range quantiles {
				d += math.Abs(quantile(u.x, q) - pu.q[i])
			}
			d /= float64(len(quantiles)) * pu.scale
		default:
			d = ks(u.x, pu.x)
		}
		w := float64(n)
		if p.par.Weight == WeightSqrt {
			w = math.Sqrt(w)
		}
		sum += w * d
		wsum += w
	}
	if wsum == 0 {
		return math.Inf(1)
	}
	d := sum / wsum
	if p.sd > 0 {
		d = (d - p.mu) / p.sd
	}
	return d
}

// Calibrate returns a copy of the profile whose [Profile.Compare] gives a
// z-score against the cohort: samples of other typists, of the length the
// profile will be compared with (distances grow as samples shrink). It
// returns an error when fewer than two cohort samples can be compared.
func (p *Profile) Calibrate(cohort []Sample) (*Profile, error) {
	raw := *p
	raw.mu, raw.sd = 0, 0
	ds := make([]float64, 0, len(cohort))
	for _, s := range cohort {
		if d := raw.Compare(s); !math.IsInf(d, 0) {
			ds = append(ds, d)
		}
	}
	if len(ds) < 2 {
		return nil, fmt.Errorf("calibrate profile on %d cohort samples: %d comparable, want 2 or more", len(cohort), len(ds))
	}
	var m, v float64
	for _, d := range ds {
		m += d
	}
	m /= float64(len(ds))
	for _, d := range ds {
		v += (d - m) * (d - m)
	}
	sd := math.Sqrt(v / float64(len(ds)-1))
	if sd == 0 {
		sd = math.SmallestNonzeroFloat64
	}
	raw.mu, raw.sd = m, sd
	return &raw, nil
}

// quantile returns the q-quantile of sorted x, interpolating linearly.
func quantile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(x)-1)
	i := int(pos)
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	f := pos - float64(i)
	return x[i] + f*(x[i+1]-x[i])
}

// ks returns the two-sample Kolmogorov–Smirnov statistic of sorted x and y.
func ks(x, y []float64) float64 {
	var i, j int
	var d float64
	nx, ny := float64(len(x)), float64(len(y))
	for i < len(x) && j < len(y) {
		v := min(x[i], y[j])
		for i < len(x) && x[i] <= v {
			i++
		}
		for j < len(y) && y[j] <= v {
			j++
		}
		d = max(d, math.Abs(float64(i)/nx-float64(j)/ny))
	}
	return d
}
