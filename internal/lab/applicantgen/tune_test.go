package applicantgen

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/link"
)

// TestTuneSeed1 sweeps the linking options on the tuning seed (1) at
// 100,000 applicants, one option at a time around the defaults, and prints
// one line per setting; docs/lab-rings.md records the output and the
// choices made from it. Seeds 2–5 are for reporting only. It takes several
// minutes:
//
//	LAGWATCH_TUNE=1 go test -run TestTuneSeed1 -v -timeout 60m ./internal/lab/applicantgen/
func TestTuneSeed1(t *testing.T) {
	if os.Getenv("LAGWATCH_TUNE") == "" {
		t.Skip("set LAGWATCH_TUNE=1 to sweep the linking options on seed 1")
	}
	c, err := Generate(Config{N: 100_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	type setting struct {
		name string
		o    link.Options
	}
	var ss []setting
	add := func(name string, f func(o *link.Options)) {
		o := link.Options{}
		f(&o)
		ss = append(ss, setting{name, o})
	}
	add("defaults", func(o *link.Options) {})
	for _, br := range [][2]int{{32, 4}, {42, 3}} {
		for _, th := range []float64{0.3, 0.4, 0.5, 0.6} {
			add(fmt.Sprintf("resume %d×%d ≥%.1f", br[0], br[1], th), func(o *link.Options) {
				o.Bands, o.Rows, o.ResumeThreshold = br[0], br[1], th
			})
		}
	}
	for _, d := range []int{3, 4, 5, 6, 8} {
		add(fmt.Sprintf("photo ≤%d bits", d), func(o *link.Options) { o.PhotoMaxDistance = d })
	}
	for _, d := range []int{5, 10, 20, 40} {
		add(fmt.Sprintf("direct ≤%d", d), func(o *link.Options) { o.DirectLimit = d; o.CommonLimit = max(d, link.DefaultCommonLimit) })
	}
	for _, cl := range []int{50, 100, 200, 400} {
		add(fmt.Sprintf("common ≤%d", cl), func(o *link.Options) { o.CommonLimit = cl })
	}
	fmt.Printf("%-22s %8s %8s %8s %10s %9s %10s %9s %7s\n", "setting", "exact", "≥90%", "edges", "false", "share", "falsepair", "share", "time")
	for _, s := range ss {
		x, err := link.NewIndex(s.o)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		t0 := time.Now()
		for i := range c.Applicants {
			x.Add(&c.Applicants[i])
		}
		for _, w := range c.Workers {
			x.AddWorker(w.ID, w.ShippingAddress)
		}
		g := x.Build()
		d := time.Since(t0)
		r := Evaluate(c, g)
		fmt.Printf("%-22s %8.4f %8.4f %8d %10d %8.3f%% %10d %8.3f%% %7.1fs  %v\n", s.name, r.RecallExact, r.Recall90, r.Edges,
			r.FalseEdges, 100*r.FalseEdgeShare, r.FalseRingPairs, 100*r.FalseRingPairShare, d.Seconds(), r.FalseEdgesByKinds)
	}
}
