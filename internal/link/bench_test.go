package link_test

import (
	"testing"

	"github.com/lagwatch/lagwatch/internal/lab/applicantgen"
	"github.com/lagwatch/lagwatch/internal/link"
)

// BenchmarkLink100k links the generator's default corpus (100,000
// applicants, 2,000 workers, seed 1): adding everyone to an Index and
// building the graph.
func BenchmarkLink100k(b *testing.B) {
	c, err := applicantgen.Generate(applicantgen.Config{N: 100_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x, err := link.NewIndex(link.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range c.Applicants {
			x.Add(&c.Applicants[i])
		}
		for _, w := range c.Workers {
			x.AddWorker(w.ID, w.ShippingAddress)
		}
		if g := x.Build(); len(g.Rings()) == 0 {
			b.Fatal("no rings found")
		}
	}
}
