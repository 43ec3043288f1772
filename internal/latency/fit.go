package latency

import (
	"errors"
	"fmt"
	"math"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Ping is one measured minimum RTT between two places of a fitting set,
// given as indexes into the places slice passed to FitBand.
type Ping struct {
	From, To int
	RTTMs    float64
}

// DefaultKnotsKm are the distances at which FitBand summarises the data.
var DefaultKnotsKm = []float64{0, 250, 500, 1000, 2000, 3000, 5000, 8000, 12000, 20100}

// fitQuantiles is how many quantiles each fitted distribution keeps.
const fitQuantiles = 201

// FitBand fits a Band on pings between known places: the median excess over
// the fibre minimum by distance, the residual around it, and the error of
// anchor-based prediction within radiusKm (leave-one-out per source: each
// target is predicted from the source's other targets near it).
func FitBand(places []geo.Point, pings []Ping, radiusKm float64, source string) (*Band, error) {
	if len(pings) == 0 {
		return nil, errors.New("fit band: no pings")
	}
	type obs struct {
		from, to int
		d, ex    float64
	}
	var all []obs
	bySource := map[int][]obs{}
	for i, p := range pings {
		if p.From < 0 || p.To < 0 || p.From >= len(places) || p.To >= len(places) {
			return nil, fmt.Errorf("fit band: ping %d: place index out of range", i)
		}
		if p.From == p.To || !finite(p.RTTMs) || p.RTTMs <= 0 {
			continue
		}
		d := geo.Distance(places[p.From], places[p.To])
		o := obs{p.From, p.To, d, p.RTTMs - fibreMs(d)}
		all = append(all, o)
		bySource[p.From] = append(bySource[p.From], o)
	}
	b := &Band{KnotsKm: DefaultKnotsKm, CalibrationRadiusKm: radiusKm, Source: source, Pairs: len(all)}
	// window selects the pairs summarised at knot k: within 250 km or 30 %,
	// widened (up to 16 times) where the data is sparse.
	widen := make(map[float64]float64)
	for _, k := range b.KnotsKm {
		w := max(250, 0.3*k)
		for range 5 {
			n := 0
			for _, o := range all {
				if math.Abs(o.d-k) <= w {
					n++
				}
			}
			if n >= 10 {
				break
			}
			w *= 2
		}
		widen[k] = w
	}
	window := func(k, d float64) bool { return math.Abs(d-k) <= widen[k] }

	for _, k := range b.KnotsKm {
		var xs []float64
		for _, o := range all {
			if window(k, o.d) {
				xs = append(xs, o.ex)
			}
		}
		if len(xs) == 0 {
			return nil, fmt.Errorf("fit band: no pairs near %.0f km", k)
		}
		b.MedianMs = append(b.MedianMs, median(xs))
	}

	// Calibrated prediction errors, leave-one-out per source.
	type res struct{ d, r float64 }
	var calRes []res
	for _, targets := range bySource {
		for _, x := range targets {
			var ex []float64
			for _, a := range targets {
				if a.to != x.to && geo.Distance(places[a.to], places[x.to]) <= radiusKm {
					ex = append(ex, a.ex)
				}
			}
			if len(ex) >= 2 {
				calRes = append(calRes, res{x.d, x.ex - median(ex)})
			}
		}
	}
	for _, k := range b.KnotsKm {
		var band, cal []float64
		for _, o := range all {
			if window(k, o.d) {
				band = append(band, o.ex-b.MedianExcess(o.d))
			}
		}
		for _, r := range calRes {
			if window(k, r.d) {
				cal = append(cal, r.r)
			}
		}
		if len(cal) < 10 {
			cal = band // too few anchors this far out: no better than the band
		}
		b.Residual = append(b.Residual, quantilesOf(band, fitQuantiles))
		b.CalibratedResidual = append(b.CalibratedResidual, quantilesOf(cal, fitQuantiles))
	}
	for i := range b.MedianMs {
		b.MedianMs[i] = round3(b.MedianMs[i])
		for j := range b.Residual[i] {
			b.Residual[i][j] = round3(b.Residual[i][j])
			b.CalibratedResidual[i][j] = round3(b.CalibratedResidual[i][j])
		}
	}
	return b, b.Validate()
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
