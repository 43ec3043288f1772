package latency

import (
	"math"
	"slices"
)

// Dist is a distribution of milliseconds described by its quantiles at
// evenly spaced probabilities 0, 1/(n-1), ..., 1. It is how the model stores
// fitted residuals and access latencies: compact, exact to interpolate, and
// easy to combine.
type Dist []float64

// Quantile returns the value at probability p in [0, 1], interpolating
// linearly between stored quantiles.
func (d Dist) Quantile(p float64) float64 {
	switch {
	case len(d) == 0:
		return 0
	case len(d) == 1 || p <= 0:
		return d[0]
	case p >= 1:
		return d[len(d)-1]
	}
	x := p * float64(len(d)-1)
	i := int(x)
	f := x - float64(i)
	if i >= len(d)-1 {
		return d[len(d)-1]
	}
	return d[i] + (d[i+1]-d[i])*f
}

// quantilesOf returns n evenly spaced quantiles of xs (which it sorts).
func quantilesOf(xs []float64, n int) Dist {
	slices.Sort(xs)
	out := make(Dist, n)
	for i := range n {
		p := float64(i) / float64(n-1)
		x := p * float64(len(xs)-1)
		j := int(x)
		if j >= len(xs)-1 {
			out[i] = xs[len(xs)-1]
			continue
		}
		out[i] = xs[j] + (xs[j+1]-xs[j])*(x-float64(j))
	}
	return out
}

// SumQuantile returns the p-quantile of X+Y for independent X ~ a and Y ~ b,
// computed exactly over the grid of their stored quantiles.
func SumQuantile(a, b Dist, p float64) float64 {
	sums := make([]float64, 0, len(a)*len(b))
	for _, x := range midpoints(a) {
		for _, y := range midpoints(b) {
			sums = append(sums, x+y)
		}
	}
	slices.Sort(sums)
	i := int(math.Ceil(p*float64(len(sums)))) - 1
	return sums[max(0, min(i, len(sums)-1))]
}

// midpoints returns equal-mass representatives of d: the value at the centre
// of each interval between stored quantiles.
func midpoints(d Dist) []float64 {
	if len(d) < 2 {
		return d
	}
	out := make([]float64, len(d)-1)
	for i := range out {
		out[i] = (d[i] + d[i+1]) / 2
	}
	return out
}

// logNormal returns n quantiles of a shifted log-normal distribution with the
// given floor, median and 95th percentile before truncation, truncated at
// ceil (all in ms; floor < median < p95 < ceil). The lowest quantile is the
// 0.1 percentile; the highest is ceil itself.
func logNormal(floor, median, p95, ceil float64, n int) Dist {
	mu := math.Log(median - floor)
	sigma := (math.Log(p95-floor) - mu) / 1.6448536269514722
	fmax := 0.5 * math.Erfc(-(math.Log(ceil-floor)-mu)/(sigma*math.Sqrt2))
	out := make(Dist, n)
	for i := range n {
		p := (0.001 + 0.999*float64(i)/float64(n-1)) * fmax
		z := math.Sqrt2 * math.Erfinv(2*p-1)
		out[i] = min(ceil, floor+math.Exp(mu+sigma*z))
	}
	return out
}
