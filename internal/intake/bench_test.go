package intake

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/articles"
	"github.com/lagwatch/lagwatch/internal/hiring/importer"
	"github.com/lagwatch/lagwatch/internal/lab/applicantgen"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
)

// corpus writes a generated corpus of n applicants (seed 2) as a generic
// CSV file and returns its path and the workers.
func corpus(b *testing.B, n int) (string, []Worker) {
	b.Helper()
	c, err := applicantgen.Generate(applicantgen.Config{N: n, Seed: 2})
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "applicants.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := importer.WriteCSV(w, c.Applicants); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var ws []Worker
	for _, wk := range c.Workers {
		ws = append(ws, Worker{ID: wk.ID, ShippingAddress: wk.ShippingAddress})
	}
	return p, ws
}

// BenchmarkRun100k is the screening bar: 100,000 applicants imported from a
// CSV file, linked, checked and stored in a new SQLite store, as
// `lagwatch screen import` does it (the language check on; no university
// list, since that data is not shipped).
func BenchmarkRun100k(b *testing.B) {
	path, workers := corpus(b, 100_000)
	s, err := screen.New(screen.Config{Language: articles.Language})
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Screener: s, Workers: workers, Import: importer.Options{MaxFileBytes: 1 << 30}}
	var last Report
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		st, err := store.Open(b.Context(), filepath.Join(dir, strconv.Itoa(i)+".db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := Run(b.Context(), cfg, st, []string{path})
		if err != nil {
			b.Fatal(err)
		}
		last = rep
		b.StopTimer()
		st.Close()
		runtime.GC()
		b.StartTimer()
	}
	t := last.Timings
	b.ReportMetric(t.Import.Seconds(), "import-s")
	b.ReportMetric(t.Link.Seconds(), "link-s")
	b.ReportMetric(t.Check.Seconds(), "check-s")
	b.ReportMetric(t.Store.Seconds(), "store-s")
	b.ReportMetric(float64(t.CheckP99)/float64(time.Microsecond), "check-p99-µs")
}
