package keylab

import (
	"math"
	"math/rand/v2"
	"slices"
)

// idErrorRates holds the operating points of one set of comparisons, where
// scores are distances (lower means the same typist).
type idErrorRates struct {
	EER   float64 // equal error rate
	FNMR1 float64 // false non-match rate at the largest threshold with FMR <= 1 %
}

// idRates computes the EER and the FNMR at 1 % FMR from genuine and
// impostor distances. A comparison is accepted when its distance is at
// most the threshold. The EER is the mean of FMR and FNMR at the
// threshold where they are closest (thresholds are the observed scores,
// and below all of them). Both slices are sorted in place.
func idRates(genuine, impostor []float64) idErrorRates {
	if len(genuine) == 0 || len(impostor) == 0 {
		return idErrorRates{EER: math.NaN(), FNMR1: math.NaN()}
	}
	slices.Sort(genuine)
	slices.Sort(impostor)
	ng, ni := float64(len(genuine)), float64(len(impostor))
	// Walk thresholds upwards over the merged scores; at each, accepted
	// genuine = g, accepted impostors = i (all scores <= threshold).
	bestGap, eer := math.Inf(1), 0.0
	fnmr1 := 1.0
	g, i := 0, 0
	consider := func() {
		fmr, fnmr := float64(i)/ni, 1-float64(g)/ng
		if gap := math.Abs(fmr - fnmr); gap < bestGap {
			bestGap, eer = gap, (fmr+fnmr)/2
		}
		if fmr <= 0.01 {
			fnmr1 = min(fnmr1, fnmr)
		}
	}
	consider() // threshold below every score
	for g < len(genuine) || i < len(impostor) {
		var t float64
		switch {
		case g == len(genuine):
			t = impostor[i]
		case i == len(impostor):
			t = genuine[g]
		default:
			t = min(genuine[g], impostor[i])
		}
		for g < len(genuine) && genuine[g] <= t {
			g++
		}
		for i < len(impostor) && impostor[i] <= t {
			i++
		}
		consider()
	}
	return idErrorRates{EER: eer, FNMR1: fnmr1}
}

// idOwner are the comparisons against one enrolled profile.
type idOwner struct {
	genuine, impostor []float64
}

// idPooled returns the pooled genuine and impostor scores of the owners,
// each owner counted mult[k] times (nil: once).
func idPooled(owners []idOwner, mult []int) (gen, imp []float64) {
	for k, o := range owners {
		m := 1
		if mult != nil {
			m = mult[k]
		}
		for range m {
			gen = append(gen, o.genuine...)
			imp = append(imp, o.impostor...)
		}
	}
	return gen, imp
}

// idInterval is a two-sided 95 % percentile-bootstrap interval.
type idInterval struct{ Lo, Hi float64 }

// idBootstrap resamples owners (profiles) with replacement, reps times, and
// returns 95 % intervals of the EER and of the FNMR at 1 % FMR. Resampling
// whole owners keeps each typist's correlated comparisons together.
func idBootstrap(owners []idOwner, reps int, seed uint64) (eer, fnmr1 idInterval) {
	if reps <= 0 || len(owners) == 0 {
		return idInterval{math.NaN(), math.NaN()}, idInterval{math.NaN(), math.NaN()}
	}
	rng := rand.New(rand.NewPCG(seed, 0x1de))
	es := make([]float64, 0, reps)
	fs := make([]float64, 0, reps)
	mult := make([]int, len(owners))
	for range reps {
		clear(mult)
		for range owners {
			mult[rng.IntN(len(owners))]++
		}
		r := idRates(idPooled(owners, mult))
		if math.IsNaN(r.EER) {
			continue
		}
		es = append(es, r.EER)
		fs = append(fs, r.FNMR1)
	}
	return idPercentiles(es), idPercentiles(fs)
}

func idPercentiles(x []float64) idInterval {
	if len(x) == 0 {
		return idInterval{math.NaN(), math.NaN()}
	}
	slices.Sort(x)
	at := func(q float64) float64 { return x[min(len(x)-1, int(q*float64(len(x))))] }
	return idInterval{at(0.025), at(0.975)}
}
