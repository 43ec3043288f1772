package applicantgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/link"
)

// Timings are the wall-clock times and memory of one Run.
type Timings struct {
	Generate time.Duration `json:"generate_ns"`
	// Link is adding every applicant and worker to a link.Index and
	// building the graph; LinkCPU is the process's CPU time (user and
	// system, all threads) meanwhile, 0 where not measured. On a machine
	// shared with other work, LinkCPU/GOMAXPROCS bounds what the wall time
	// would be on an idle one.
	Link     time.Duration `json:"link_ns"`
	LinkCPU  time.Duration `json:"link_cpu_ns"`
	Evaluate time.Duration `json:"evaluate_ns"`
	// LinkAllocBytes is the memory allocated while linking.
	LinkAllocBytes uint64 `json:"link_alloc_bytes"`
	// PeakHeapBytes is the largest live heap seen while linking (sampled
	// every 2 ms), corpus included; BaseHeapBytes is the live heap just
	// before linking, the corpus alone.
	PeakHeapBytes uint64 `json:"peak_heap_bytes"`
	BaseHeapBytes uint64 `json:"base_heap_bytes"`
	// GraphHeapBytes is the live heap the finished graph adds (measured
	// after a collection).
	GraphHeapBytes uint64 `json:"graph_heap_bytes"`
	GOMAXPROCS     int    `json:"gomaxprocs"`
}

// Run generates the corpus cfg describes, links it with cfg.Link, and
// writes the evaluation to w as a table, or as JSON when asJSON is set.
// It checks ctx between the phases. It returns an error for a bad Config
// and for write errors; a run that misses the bar is not an error (see
// Result.Pass).
func Run(ctx context.Context, cfg Config, w io.Writer, asJSON bool) error {
	if _, err := link.NewIndex(cfg.Link); err != nil {
		return fmt.Errorf("link options: %w", err)
	}
	t0 := time.Now()
	c, err := Generate(cfg)
	if err != nil {
		return fmt.Errorf("generate corpus: %w", err)
	}
	tGen := time.Since(t0)
	if err := ctx.Err(); err != nil {
		return err
	}
	g, tm, err := timedLink(c)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t1 := time.Now()
	res := Evaluate(c, g)
	tm.Generate, tm.Evaluate = tGen, time.Since(t1)
	res.Timings = tm
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
		return nil
	}
	if err := WriteTable(w, res); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// timedLink links the corpus, measuring time, allocation and peak heap.
func timedLink(c Corpus) (*link.Graph, Timings, error) {
	runtime.GC()
	tm := Timings{GOMAXPROCS: runtime.GOMAXPROCS(0), BaseHeapBytes: heapBytes()}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		m := uint64(0)
		for {
			select {
			case <-stop:
				peak <- max(m, heapBytes())
				return
			case <-tick.C:
				m = max(m, heapBytes())
			}
		}
	}()
	t0, cpu0 := time.Now(), cpuTime()
	x, err := link.NewIndex(c.Config.Link)
	if err != nil {
		close(stop)
		<-peak
		return nil, tm, fmt.Errorf("link options: %w", err)
	}
	for i := range c.Applicants {
		x.Add(&c.Applicants[i])
	}
	for _, w := range c.Workers {
		x.AddWorker(w.ID, w.ShippingAddress)
	}
	g := x.Build()
	tm.Link, tm.LinkCPU = time.Since(t0), cpuTime()-cpu0
	close(stop)
	tm.PeakHeapBytes = <-peak
	runtime.ReadMemStats(&after)
	tm.LinkAllocBytes = after.TotalAlloc - before.TotalAlloc
	x = nil // only the graph stays
	runtime.GC()
	if h := heapBytes(); h > tm.BaseHeapBytes {
		tm.GraphHeapBytes = h - tm.BaseHeapBytes
	}
	runtime.KeepAlive(g)
	return g, tm, nil
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// WriteTable writes a Result as a plain-text table.
func WriteTable(w io.Writer, r Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	p("seed\t%d", r.Seed)
	p("applicants\t%d (%d personas in %d planted rings; %d workers)", r.N, r.Personas, r.PlantedRings, r.Workers)
	h := r.Honest
	p("honest sharing\t%d households (%d people), %d complexes (%d residents), %d shared sites (%d people),",
		h.Households, h.HouseholdMembers, h.Complexes, h.ComplexResidents, h.SharedSites, h.SharedSiteUsers)
	p("\t%d agencies (%d candidates), %d placeholders, %d default avatars, %d VPN users, %d living with a worker",
		h.Agencies, h.AgencyCandidates, h.Placeholders, h.DefaultAvatars, h.VPNUsers, h.WorkerRelatives)
	p("found rings\t%d (%d honest-only, %d mixing a planted ring with others; %d honest applicants in rings)",
		r.FoundRings, r.HonestRings, r.MixedRings, r.HonestInRings)
	p("ring recall, exact\t%.4f (%d/%d)", r.RecallExact, r.RecoveredExact, r.PlantedRings)
	p("ring recall, ≥90%% in one ring\t%.4f (%d/%d)", r.Recall90, r.Recovered90, r.PlantedRings)
	p("false edges\t%d of %d found (%.4f%% of found; %.2e of %d unrelated pairs)",
		r.FalseEdges, r.Edges, 100*r.FalseEdgeShare, r.FalseEdgeRate, r.UnrelatedPairs)
	p("false same-ring pairs\t%d of %d found (%.4f%% of found; %.2e of unrelated pairs)",
		r.FalseRingPairs, r.RingPairs, 100*r.FalseRingPairShare, r.FalseRingPairRate)
	kinds := make([]string, 0, len(r.FalseEdgesByKinds))
	for k := range r.FalseEdgesByKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		p("  false edges by %s\t%d", k, r.FalseEdgesByKinds[k])
	}
	for _, m := range r.Missed {
		p("  missed ring %d\tsize %d: %d pieces, largest %d, %d outsiders", m.Ring, m.Size, m.Pieces, m.Largest, m.Outsiders)
	}
	verdict := "FAIL"
	if r.Pass {
		verdict = "pass"
	}
	p("bar\t%s (exact recall ≥ %.2f, false links ≤ %.1e of unrelated pairs)", verdict, MinRecall, MaxFalseLinkRate)
	t := r.Timings
	p("time\tgenerate %v, link %v (CPU %v on GOMAXPROCS %d), evaluate %v", t.Generate.Round(time.Millisecond),
		t.Link.Round(time.Millisecond), t.LinkCPU.Round(time.Millisecond), t.GOMAXPROCS, t.Evaluate.Round(time.Millisecond))
	p("memory\tlinking allocated %.0f MiB; heap %.0f MiB before (the corpus), peak %.0f MiB during; the graph keeps %.0f MiB",
		mib(t.LinkAllocBytes), mib(t.BaseHeapBytes), mib(t.PeakHeapBytes), mib(t.GraphHeapBytes))
	return tw.Flush()
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
