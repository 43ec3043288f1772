package latency

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Band is the fitted expected path RTT as a function of great-circle
// distance. Values are "excess" milliseconds: RTT minus the fibre minimum
// geo.MinRTT(d). Between knots the model interpolates linearly.
type Band struct {
	KnotsKm []float64 `json:"knots_km"`
	// MedianMs is the median excess at each knot over all fitted pairs.
	MedianMs []float64 `json:"median_ms"`
	// Residual is, per knot, the distribution of (excess - median) of the
	// fitted pairs near that distance: how far real routes stray from it.
	Residual []Dist `json:"residual"`
	// CalibratedResidual is, per knot, the distribution of the error of the
	// anchor-based prediction (leave-one-out) used when a landmark is
	// calibrated; see Calibration.
	CalibratedResidual []Dist `json:"calibrated_residual"`
	// CalibrationRadiusKm is how close to a claimed place an anchor must be
	// to count for a calibrated prediction.
	CalibrationRadiusKm float64 `json:"calibration_radius_km"`
	// Source says what the band was fitted on and how to refit it.
	Source string `json:"source"`
	Pairs  int    `json:"pairs"` // number of pairs fitted

	tolerances sync.Map // tolKey → []float64, one per knot
}

type tolKey struct {
	calibrated bool
	access     string
	alpha      float64
}

// Tolerance returns how far above the predicted path RTT an honest device
// can answer, in ms: the (1-alpha) quantile of prediction error plus access
// latency, which are independent. It is computed exactly at each knot and
// interpolated linearly in between, and cached.
func (b *Band) Tolerance(p Prediction, a Access, alpha float64) float64 {
	k := tolKey{p.Method == "calibrated", a.Name, alpha}
	v, ok := b.tolerances.Load(k)
	if !ok {
		series := b.Residual
		if k.calibrated {
			series = b.CalibratedResidual
		}
		t := make([]float64, len(b.KnotsKm))
		for i := range t {
			t[i] = SumQuantile(series[i], a.Dist, 1-alpha)
		}
		v, _ = b.tolerances.LoadOrStore(k, t)
	}
	t := v.([]float64)
	i, f := b.segment(p.DistanceKm)
	return t[i] + (t[i+1]-t[i])*f
}

//go:embed band.json
var bandJSON []byte

// DefaultBand returns the band fitted on real city-to-city pings that ships
// with lagwatch (refit with `lagwatch lab fit --pings DIR`).
func DefaultBand() (*Band, error) {
	var b Band
	if err := json.Unmarshal(bandJSON, &b); err != nil {
		return nil, fmt.Errorf("decode embedded band.json: %w", err)
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("embedded band.json: %w", err)
	}
	return &b, nil
}

// Validate checks that the band is usable: knots ascending from 0 and every
// per-knot series of the same length.
func (b *Band) Validate() error {
	n := len(b.KnotsKm)
	if n < 2 || b.KnotsKm[0] != 0 {
		return errors.New("knots_km: want at least 2 knots starting at 0")
	}
	if !sort.Float64sAreSorted(b.KnotsKm) {
		return errors.New("knots_km: want ascending")
	}
	if len(b.MedianMs) != n || len(b.Residual) != n || len(b.CalibratedResidual) != n {
		return fmt.Errorf("median_ms, residual, calibrated_residual: want %d entries each (one per knot)", n)
	}
	for i := range n {
		if len(b.Residual[i]) < 2 || len(b.CalibratedResidual[i]) < 2 {
			return fmt.Errorf("residual[%d]: want at least 2 quantiles", i)
		}
	}
	if b.CalibrationRadiusKm <= 0 {
		return errors.New("calibration_radius_km: want > 0")
	}
	return nil
}

// segment returns the knot index and interpolation fraction for km.
func (b *Band) segment(km float64) (int, float64) {
	k := b.KnotsKm
	if km >= k[len(k)-1] {
		return len(k) - 2, 1
	}
	i := sort.SearchFloat64s(k, km)
	if i > 0 && (i == len(k) || k[i] > km) {
		i--
	}
	i = min(i, len(k)-2)
	return i, (km - k[i]) / (k[i+1] - k[i])
}

// MedianExcess returns the median excess RTT in ms expected at km.
func (b *Band) MedianExcess(km float64) float64 {
	i, f := b.segment(km)
	return b.MedianMs[i] + (b.MedianMs[i+1]-b.MedianMs[i])*f
}

// residualAt returns the residual distribution at km, interpolated between
// the two neighbouring knots quantile by quantile.
func residualAt(series []Dist, b *Band, km float64) Dist {
	i, f := b.segment(km)
	lo, hi := series[i], series[i+1]
	n := min(len(lo), len(hi))
	out := make(Dist, n)
	for j := range n {
		out[j] = lo[j] + (hi[j]-lo[j])*f
	}
	return out
}

// Anchor is a place a landmark has measured: a calibration point.
type Anchor struct {
	Name  string    `json:"name"`
	Point geo.Point `json:"point"`
	RTTMs float64   `json:"rtt_ms"` // minimum RTT from the landmark
}

// Calibration is a landmark's own measurements to anchors at known places.
// Where anchors lie near a claimed place, they predict the path RTT to it far
// better than distance alone (they carry the real routes).
//
// A calibration also knows how well it predicts: each anchor is predicted
// from its neighbours (leave-one-out), and the errors of the anchors near a
// claimed place are the error distribution used for that place.
type Calibration struct {
	Landmark geo.Point `json:"landmark"`
	Anchors  []Anchor  `json:"anchors"`

	once   sync.Once
	excess []float64 // per anchor: RTT above the fibre minimum from the landmark
	loo    []float64 // per anchor: leave-one-out prediction error (NaN if too few neighbours)
	pooled Dist      // the leave-one-out errors of all anchors
	cache  sync.Map  // calKey → float64 tolerance
}

type calKey struct {
	place  geo.Point
	access string
	alpha  float64
}

// tolerance returns SumQuantile(p.Residual, a.Dist, 1-alpha) for a calibrated
// prediction at place, cached: verdicts for one worker repeat it.
func (c *Calibration) tolerance(place geo.Point, p Prediction, a Access, alpha float64) float64 {
	k := calKey{place, a.Name, alpha}
	if v, ok := c.cache.Load(k); ok {
		return v.(float64)
	}
	t := SumQuantile(p.Residual, a.Dist, 1-alpha)
	c.cache.Store(k, t)
	return t
}

// errorAnchors is how many of the anchors nearest a place lend their
// leave-one-out errors to its error distribution.
const errorAnchors = 10

// globalErrorWeight is the weight of the global calibrated error
// distribution in a local one (see localResidual).
const globalErrorWeight = 0.3

type anchorDist struct{ km, loo float64 }

// minLocalAnchors is how many anchors near a place a calibrated prediction
// needs, and how many leave-one-out errors its local error distribution.
const minLocalAnchors = 3

func (c *Calibration) prepare(radiusKm float64) {
	c.once.Do(func() {
		n := len(c.Anchors)
		c.excess = make([]float64, n)
		c.loo = make([]float64, n)
		for i, a := range c.Anchors {
			c.excess[i] = a.RTTMs - fibreMs(geo.Distance(c.Landmark, a.Point))
		}
		var all []float64
		for i, a := range c.Anchors {
			var ex []float64
			for j, b := range c.Anchors {
				if i != j && geo.Distance(a.Point, b.Point) <= radiusKm {
					ex = append(ex, c.excess[j])
				}
			}
			c.loo[i] = math.NaN()
			if len(ex) >= minLocalAnchors {
				c.loo[i] = c.excess[i] - median(ex)
				all = append(all, c.loo[i])
			}
		}
		if len(all) > 0 {
			c.pooled = quantilesOf(all, fitQuantiles)
		}
	})
}

// Prediction is the expected path RTT from a landmark to a place.
type Prediction struct {
	DistanceKm float64 // great-circle distance landmark → place
	FibreMs    float64 // the physics minimum for that distance
	ExcessMs   float64 // expected RTT above the fibre minimum
	Method     string  // "calibrated" or "band"
	Anchors    int     // anchors used when calibrated
	Residual   Dist    // error distribution of this prediction method at this distance
}

// ExpectedMs returns the predicted path RTT in ms (before access latency).
func (p Prediction) ExpectedMs() float64 { return p.FibreMs + p.ExcessMs }

// Predict returns the expected path RTT from landmark to place, using cal
// when it has at least two anchors within the calibration radius of place
// (nil cal means the band alone).
func (b *Band) Predict(landmark, place geo.Point, cal *Calibration) Prediction {
	d := geo.Distance(landmark, place)
	p := Prediction{DistanceKm: d, FibreMs: fibreMs(d)}
	if cal != nil {
		cal.prepare(b.CalibrationRadiusKm)
		var ex []float64
		near := make([]anchorDist, 0, len(cal.Anchors))
		for i, a := range cal.Anchors {
			ad := geo.Distance(a.Point, place)
			if ad <= b.CalibrationRadiusKm {
				ex = append(ex, cal.excess[i])
			}
			if !math.IsNaN(cal.loo[i]) {
				near = append(near, anchorDist{ad, cal.loo[i]})
			}
		}
		if len(ex) >= minLocalAnchors && len(near) >= errorAnchors {
			slices.SortFunc(near, func(a, b anchorDist) int { return cmp.Compare(a.km, b.km) })
			loo := make([]float64, errorAnchors)
			for i := range loo {
				loo[i] = near[i].loo
			}
			p.ExcessMs = median(ex)
			p.Method, p.Anchors = "calibrated", len(ex)
			p.Residual = localResidual(loo, cal.pooled)
			return p
		}
	}
	p.ExcessMs = b.MedianExcess(d)
	p.Method = "band"
	p.Residual = residualAt(b.Residual, b, d)
	return p
}

// localResidual is the error distribution of a calibrated prediction: the
// leave-one-out errors of the anchors nearest the place, mixed with the
// landmark's leave-one-out errors over all its anchors.
func localResidual(loo []float64, global Dist) Dist {
	// Ten errors cannot show a 1-in-400 tail; the landmark's errors over all
	// its anchors carry the tail, with weight globalErrorWeight.
	reps := int(math.Round(float64(len(global)) * (1 - globalErrorWeight) / globalErrorWeight / float64(len(loo))))
	xs := slices.Clone(global)
	for _, x := range loo {
		for range reps {
			xs = append(xs, x)
		}
	}
	return quantilesOf(xs, len(global))
}

// fibreMs is geo.MinRTT in float milliseconds.
func fibreMs(km float64) float64 {
	return float64(geo.MinRTT(km)) / 1e6
}

func median(xs []float64) float64 {
	ys := sortedCopy(xs)
	n := len(ys)
	if n%2 == 1 {
		return ys[n/2]
	}
	return (ys[n/2-1] + ys[n/2]) / 2
}

// finite reports whether x is a usable number.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
