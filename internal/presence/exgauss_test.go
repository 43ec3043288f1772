package presence

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExGaussCDF checks the CDF against the density, integrated
// numerically, and the quantile against the CDF.
func TestExGaussCDF(t *testing.T) {
	for _, d := range []exGauss{{220, 25, 50}, {240, 40, 20}, {300, 10, 120}} {
		var sum float64
		const h = 0.05
		for x := d.mu - 8*d.sigma; x < d.mu+6*d.sigma; x += h {
			sum += math.Exp(d.logPDF(x+h/2)) * h
			if x > d.mu && math.Abs(sum-d.cdf(x+h)) > 1e-3 {
				t.Fatalf("%+v: integral of pdf to %v = %v, cdf = %v", d, x+h, sum, d.cdf(x+h))
			}
		}
		for _, p := range []float64{0.01, 0.1, 0.5, 0.9, 0.99} {
			if got := d.cdf(d.quantile(p)); math.Abs(got-p) > 1e-9 {
				t.Errorf("%+v: cdf(quantile(%v)) = %v", d, p, got)
			}
		}
	}
}

// TestLogPDFFinite checks that the log density is finite far out in both
// tails, where a naive formula gives -Inf or NaN.
func TestLogPDFFinite(t *testing.T) {
	d := exGauss{240, 25, 50}
	for _, x := range []float64{-5000, -500, 0, 100, 240, 2000, 1e5} {
		if v := d.logPDF(x); math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("logPDF(%v) = %v, want finite", x, v)
		}
	}
}

// TestFitExGauss fits 2,000 draws with 3 % lapses and checks the
// parameters come back within a few ms.
func TestFitExGauss(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, want := range []exGauss{{220, 25, 50}, {260, 35, 30}, {200, 20, 80}} {
		xs := make([]float64, 2000)
		for i := range xs {
			xs[i] = want.mu + want.sigma*r.NormFloat64() + want.tau*r.ExpFloat64()
			if r.Float64() < 0.03 {
				xs[i] += 400 * r.ExpFloat64()
			}
		}
		got := fitExGauss(xs)
		if math.Abs(got.mu-want.mu) > 10 || math.Abs(got.sigma-want.sigma) > 10 || math.Abs(got.tau-want.tau) > 12 {
			t.Errorf("fitExGauss(draws of %+v) = %+v", want, got)
		}
	}
}
