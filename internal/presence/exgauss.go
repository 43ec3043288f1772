package presence

import (
	"math"
	"slices"
	"sync"
)

// exGauss is an ex-Gaussian distribution in milliseconds: a normal (mu,
// sigma) plus an independent exponential with mean tau. It is the standard
// descriptive model of simple reaction times (Luce 1986; Ratcliff 1979).
type exGauss struct {
	mu, sigma, tau float64
}

// logPDF returns the log density at x.
func (d exGauss) logPDF(x float64) float64 {
	z := (x - d.mu) / d.sigma
	return -math.Log(d.tau) + d.sigma*d.sigma/(2*d.tau*d.tau) - (x-d.mu)/d.tau +
		logNormCDF(z-d.sigma/d.tau)
}

// cdf returns P(X <= x).
func (d exGauss) cdf(x float64) float64 {
	z := (x - d.mu) / d.sigma
	// The exponential term is computed in log space: it overflows for x far
	// below mu while the normal CDF underflows.
	e := math.Exp(-(x-d.mu)/d.tau + d.sigma*d.sigma/(2*d.tau*d.tau) + logNormCDF(z-d.sigma/d.tau))
	p := normCDF(z) - e
	return min(max(p, 0), 1)
}

// quantile returns the x with cdf(x) = p, for 0 < p < 1, by bisection.
func (d exGauss) quantile(p float64) float64 {
	lo, hi := d.mu-10*d.sigma, d.mu+10*d.sigma+40*d.tau
	for range 60 {
		mid := (lo + hi) / 2
		if d.cdf(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// logNormCDF returns log Φ(z), finite for every finite z: below -30, where
// Erfc underflows, it uses the asymptotic series of the Mills ratio.
func logNormCDF(z float64) float64 {
	if z > -30 {
		return math.Log(normCDF(z))
	}
	z2 := z * z
	return -z2/2 - math.Log(-z) - 0.5*math.Log(2*math.Pi) + math.Log1p(-1/z2+3/(z2*z2))
}

// fitExGauss fits an ex-Gaussian to samples (ms) by matching the 10th,
// 50th and 90th percentiles. Unlike moments or plain maximum likelihood,
// quantiles shrug off the anticipations and lapses a real enrolment holds.
// The shape sigma/tau is read from shapes, by the ratio of the upper to the
// lower spread, which falls as sigma/tau grows; it stays within [0.1, 5].
func fitExGauss(xs []float64) exGauss {
	s := slices.Sorted(slices.Values(xs))
	q10, q50, q90 := sampleQuantile(s, 0.1), sampleQuantile(s, 0.5), sampleQuantile(s, 0.9)
	want := max(q90-q50, 1) / max(q50-q10, 1)
	tab := shapes()
	// tab is ordered by r, so by falling ratio.
	i, _ := slices.BinarySearchFunc(tab, want, func(p shape, w float64) int {
		switch {
		case p.ratio > w:
			return -1
		case p.ratio < w:
			return 1
		}
		return 0
	})
	var p shape
	switch {
	case i == 0:
		p = tab[0]
	case i == len(tab):
		p = tab[len(tab)-1]
	default: // interpolate between tab[i-1] and tab[i]
		a, b := tab[i-1], tab[i]
		f := (a.ratio - want) / (a.ratio - b.ratio)
		p = shape{r: a.r + f*(b.r-a.r), q10: a.q10 + f*(b.q10-a.q10), q50: a.q50 + f*(b.q50-a.q50), q90: a.q90 + f*(b.q90-a.q90)}
	}
	tau := (q90 - q10) / (p.q90 - p.q10)
	return exGauss{mu: q50 - tau*p.q50, sigma: p.r * tau, tau: tau}
}

// shape is a standard ex-Gaussian (mu 0, tau 1, sigma r) and its deciles.
type shape struct {
	r, ratio      float64
	q10, q50, q90 float64
}

// shapes returns the standard shapes for r from 0.1 to 5 on a log grid.
// The table is computed once and never changes.
var shapes = sync.OnceValue(func() []shape {
	const n = 200
	tab := make([]shape, n)
	for i := range tab {
		r := 0.1 * math.Pow(50, float64(i)/(n-1))
		d := exGauss{sigma: r, tau: 1}
		a, b, c := d.quantile(0.1), d.quantile(0.5), d.quantile(0.9)
		tab[i] = shape{r: r, ratio: (c - b) / (b - a), q10: a, q50: b, q90: c}
	}
	return tab
})

// sampleQuantile returns the p quantile of sorted s by linear interpolation.
func sampleQuantile(s []float64, p float64) float64 {
	h := p * float64(len(s)-1)
	i := int(h)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}
