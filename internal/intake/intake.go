// Package intake runs applicant screening end to end: import the files,
// link the new applicants with each other, with those already stored and
// with current workers' shipping addresses, run every check on each
// applicant, and store the lot — applicants, results and rings — in one
// transaction.
//
// [Screen] is the pure part (link and check a set of applicants); [Run] adds
// the import and the store.
package intake

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/hiring/importer"
	"github.com/lagwatch/lagwatch/internal/link"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is what Run needs of a store. The SQLite and PostgreSQL stores
// implement it.
type Store interface {
	SaveApplicants(ctx context.Context, b store.ApplicantBatch) (store.ImportSummary, error)
	ReplaceRings(ctx context.Context, rings []store.StoredRing) error
	ForEachApplicant(ctx context.Context, fn func(store.StoredApplicant) error) error
}

// Worker is a current worker's equipment shipping address, linked against
// applicants' addresses (the laptop-farm address).
type Worker struct {
	ID              string
	ShippingAddress string
}

// Config configures screening.
type Config struct {
	Import   importer.Options
	Link     link.Options
	Screener *screen.Screener // required
	Workers  []Worker
	// Parallel is how many applicants are checked at once; 0 means
	// GOMAXPROCS.
	Parallel int
	// Progress, when set, is told how far each stage ("import", "link",
	// "check", "store") has come; it is called from one goroutine at a time.
	Progress func(stage string, done, total int)
	Logger   *slog.Logger
}

// Screened is one applicant with what screening and linking found.
type Screened struct {
	Applicant *hiring.Applicant
	Result    screen.Result
	Shared    []hiring.Shared
	RingID    string // "" when in no ring
}

// Outcome is the result of [Screen].
type Outcome struct {
	// Applicants are the screened applicants, highest score first (then
	// by ID).
	Applicants []Screened
	Rings      []link.Ring
	// Graph is the linking of everything Screen was given, prior
	// applicants and workers included.
	Graph   *link.Graph
	Timings Timings
}

// Timings says how long each stage took.
type Timings struct {
	Import time.Duration `json:"import"`
	Load   time.Duration `json:"load"`
	Link   time.Duration `json:"link"`
	Check  time.Duration `json:"check"`
	Store  time.Duration `json:"store"`
	Total  time.Duration `json:"total"`
	// CheckP50 and CheckP99 are percentiles of the time one applicant's
	// checks took (wall time on its goroutine).
	CheckP50 time.Duration `json:"check_p50"`
	CheckP99 time.Duration `json:"check_p99"`
}

// Screen links apps with each other, with prior applicants (already
// screened; they are linked against but not checked) and with cfg.Workers,
// then checks every applicant of apps.
func Screen(ctx context.Context, cfg Config, apps []hiring.Applicant, prior []*hiring.Applicant) (Outcome, error) {
	if cfg.Screener == nil {
		return Outcome{}, errors.New("intake: Config.Screener is required")
	}
	var out Outcome
	t0 := time.Now()
	idx, err := link.NewIndex(cfg.Link)
	if err != nil {
		return out, fmt.Errorf("link applicants: %w", err)
	}
	for _, p := range prior {
		idx.Add(p)
	}
	for i := range apps {
		idx.Add(&apps[i])
	}
	for _, w := range cfg.Workers {
		idx.AddWorker(w.ID, w.ShippingAddress)
	}
	progress(cfg, "link", 0, len(apps))
	g := idx.Build()
	out.Graph, out.Rings = g, g.Rings()
	out.Timings.Link = time.Since(t0)
	progress(cfg, "link", len(apps), len(apps))

	t0 = time.Now()
	out.Applicants = make([]Screened, len(apps))
	ptrs := make([]*hiring.Applicant, len(apps))
	for i := range apps {
		ptrs[i] = &apps[i]
	}
	lat, err := check(ctx, cfg, g, ptrs, out.Applicants)
	if err != nil {
		return out, err
	}
	out.Timings.Check = time.Since(t0)
	out.Timings.CheckP50, out.Timings.CheckP99 = percentile(lat, 0.50), percentile(lat, 0.99)
	slices.SortFunc(out.Applicants, func(a, b Screened) int {
		return cmp.Or(cmp.Compare(b.Result.Score, a.Result.Score), cmp.Compare(a.Applicant.ID, b.Applicant.ID))
	})
	return out, nil
}

// check screens apps[i] into out[i] on cfg.Parallel goroutines, which all
// end before it returns, and returns how long each applicant took.
func check(ctx context.Context, cfg Config, g *link.Graph, apps []*hiring.Applicant, out []Screened) ([]time.Duration, error) {
	lat := make([]time.Duration, len(apps))
	n := cmp.Or(cfg.Parallel, runtime.GOMAXPROCS(0))
	const chunk = 256
	var (
		mu   sync.Mutex
		next int
		done int
		wg   sync.WaitGroup
	)
	take := func(finished int) (int, int) {
		mu.Lock()
		defer mu.Unlock()
		done += finished
		if finished > 0 {
			progress(cfg, "check", done, len(apps))
		}
		if next >= len(apps) || ctx.Err() != nil {
			return 0, 0
		}
		lo := next
		next = min(next+chunk, len(apps))
		return lo, next
	}
	for range n {
		wg.Go(func() {
			lo, hi := take(0)
			for lo < hi {
				for i := lo; i < hi; i++ {
					t := time.Now()
					a := apps[i]
					shared := g.Shared(a.ID)
					ring, inRing := g.RingOf(a.ID)
					out[i] = Screened{Applicant: a, Result: cfg.Screener.Check(a, checkedShared(shared, ring, inRing)), Shared: shared}
					if inRing {
						out[i].RingID = ring.ID
					}
					lat[i] = time.Since(t)
				}
				lo, hi = take(hi - lo)
			}
		})
	}
	wg.Wait()
	return lat, ctx.Err()
}

// percentile returns the q-quantile of ds (nearest rank), 0 for none. It
// sorts ds.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// checkedShared is what the checks are told an applicant shares: all of
// it, except that an employer counts only among members of the applicant's
// ring. Honest applicants share employers all the time; the same obscure
// firm across personas already linked by a phone, address or résumé is the
// pattern public reporting describes.
func checkedShared(shared []hiring.Shared, ring link.Ring, inRing bool) []hiring.Shared {
	out := shared[:0:0]
	for _, s := range shared {
		if s.Kind != link.KindEmployer {
			out = append(out, s)
			continue
		}
		if !inRing {
			continue
		}
		var with []string
		for _, id := range s.With {
			if _, ok := slices.BinarySearch(ring.Members, id); ok {
				with = append(with, id)
			}
		}
		if len(with) > 0 {
			s.With = with
			out = append(out, s)
		}
	}
	return out
}

func progress(cfg Config, stage string, done, total int) {
	if cfg.Progress != nil {
		cfg.Progress(stage, done, total)
	}
}

// Report is what [Run] did.
type Report struct {
	ImportID string `json:"import_id"`
	// Records counts the records read; Imported those accepted, Rejected
	// those refused (listed in Errors).
	Records  int `json:"records"`
	Imported int `json:"imported"`
	Rejected int `json:"rejected"`
	// Inserted and Updated split the imported applicants into new and
	// already stored; Rescreened counts stored applicants of earlier
	// imports whose links changed and that were checked again.
	Inserted   int            `json:"inserted"`
	Updated    int            `json:"updated"`
	Rescreened int            `json:"rescreened"`
	Rings      int            `json:"rings"`
	Levels     map[string]int `json:"levels"` // imported applicants by risk level
	Errors     []string       `json:"errors"` // one line per rejected record
	Timings    Timings        `json:"timings"`
	// Top lists the imported applicants, highest score first.
	Top []Screened `json:"-"`
}

// Run imports paths, screens the applicants against each other, the stored
// applicants and the workers, and stores applicants, results and rings. A
// rejected record is reported and skipped; if storing fails nothing of the
// import is stored.
func Run(ctx context.Context, cfg Config, st Store, paths []string) (Report, error) {
	start := time.Now()
	rep := Report{ImportID: newImportID(start), Levels: map[string]int{}}
	t0 := time.Now()
	res, err := importer.ImportFiles(ctx, paths, cfg.Import, func(done, total int) { progress(cfg, "import", done, total) })
	if err != nil {
		return rep, err
	}
	rep.Timings.Import = time.Since(t0)
	src := fmt.Sprint(paths)
	if len(paths) == 1 {
		src = paths[0]
	}
	return finish(ctx, cfg, st, rep, res, src, start)
}

// RunData is Run for one file's contents, named name (its extension picks
// the format).
func RunData(ctx context.Context, cfg Config, st Store, name string, data []byte) (Report, error) {
	start := time.Now()
	rep := Report{ImportID: newImportID(start), Levels: map[string]int{}}
	t0 := time.Now()
	res, err := importer.ImportData(ctx, name, data, cfg.Import)
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	if err != nil {
		// The file as a whole is unusable: the caller's fault, reported
		// as a record error (ImportData's error already names the file).
		return rep, &hiring.RecordError{Source: name, Err: cmp.Or(errors.Unwrap(err), err)}
	}
	rep.Timings.Import = time.Since(t0)
	return finish(ctx, cfg, st, rep, res, name, start)
}

func finish(ctx context.Context, cfg Config, st Store, rep Report, res importer.Result, source string, start time.Time) (Report, error) {
	rep.Records, rep.Imported, rep.Rejected = res.Records, len(res.Applicants), len(res.Errors)
	for _, e := range res.Errors {
		rep.Errors = append(rep.Errors, e.Error())
	}

	t0 := time.Now()
	fresh := make(map[string]bool, len(res.Applicants))
	for _, a := range res.Applicants {
		fresh[a.ID] = true
	}
	var prior []*hiring.Applicant
	priorShared := map[string][]byte{}
	err := st.ForEachApplicant(ctx, func(sa store.StoredApplicant) error {
		if fresh[sa.Applicant.ID] {
			return nil
		}
		a := sa.Applicant
		prior = append(prior, &a)
		if len(sa.Shared) > 0 {
			priorShared[a.ID] = sa.Shared
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("read stored applicants: %w", err)
	}
	rep.Timings.Load = time.Since(t0)

	out, err := Screen(ctx, cfg, res.Applicants, prior)
	if err != nil {
		return rep, err
	}
	rep.Timings.Link, rep.Timings.Check = out.Timings.Link, out.Timings.Check
	rep.Timings.CheckP50, rep.Timings.CheckP99 = out.Timings.CheckP50, out.Timings.CheckP99
	rep.Rings = len(out.Rings)

	batch := store.ApplicantBatch{ImportID: rep.ImportID, Source: source, At: start.UTC()}
	for _, s := range out.Applicants {
		rep.Levels[s.Result.Level]++
		sa, err := stored(s)
		if err != nil {
			return rep, err
		}
		batch.Applicants = append(batch.Applicants, sa)
	}
	// Stored applicants whose links changed with this import are checked
	// again, so their shared details and scores stay true.
	var again []*hiring.Applicant
	for _, p := range prior {
		now, err := sharedJSON(out.Graph.Shared(p.ID))
		if err != nil {
			return rep, err
		}
		if !bytes.Equal(now, priorShared[p.ID]) {
			again = append(again, p)
		}
	}
	if len(again) > 0 {
		t0 := time.Now()
		re := make([]Screened, len(again))
		if _, err := check(ctx, cfg, out.Graph, again, re); err != nil {
			return rep, err
		}
		for _, s := range re {
			sa, err := stored(s)
			if err != nil {
				return rep, err
			}
			batch.Applicants = append(batch.Applicants, sa)
		}
		rep.Rescreened = len(again)
		rep.Timings.Check += time.Since(t0)
	}

	t0 = time.Now()
	progress(cfg, "store", 0, len(batch.Applicants))
	sum, err := st.SaveApplicants(ctx, batch)
	if err != nil {
		return rep, fmt.Errorf("store import %s: %w", rep.ImportID, err)
	}
	rep.Inserted, rep.Updated = sum.Inserted, sum.Updated-rep.Rescreened
	rings, err := storedRings(out.Rings)
	if err != nil {
		return rep, err
	}
	if err := st.ReplaceRings(ctx, rings); err != nil {
		return rep, fmt.Errorf("store rings of import %s: %w", rep.ImportID, err)
	}
	rep.Timings.Store = time.Since(t0)
	progress(cfg, "store", len(batch.Applicants), len(batch.Applicants))
	rep.Timings.Total = time.Since(start)
	rep.Top = out.Applicants
	return rep, nil
}

func sharedJSON(s []hiring.Shared) ([]byte, error) {
	if len(s) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode shared details: %w", err)
	}
	return b, nil
}

// stored is s as the store keeps it.
func stored(s Screened) (store.StoredApplicant, error) {
	result, err := json.Marshal(s.Result)
	if err != nil {
		return store.StoredApplicant{}, fmt.Errorf("encode screening result of %s: %w", s.Applicant.ID, err)
	}
	shared, err := sharedJSON(s.Shared)
	if err != nil {
		return store.StoredApplicant{}, fmt.Errorf("applicant %s: %w", s.Applicant.ID, err)
	}
	return store.StoredApplicant{Applicant: *s.Applicant, Score: s.Result.Score, Level: s.Result.Level,
		Result: result, Shared: shared, RingID: s.RingID}, nil
}

func storedRings(rs []link.Ring) ([]store.StoredRing, error) {
	out := make([]store.StoredRing, 0, len(rs))
	for _, r := range rs {
		ev, err := json.Marshal(r.Evidence)
		if err != nil {
			return nil, fmt.Errorf("encode ring %s: %w", r.ID, err)
		}
		out = append(out, store.StoredRing{ID: r.ID, Members: append(slices.Clone(r.Members), r.Workers...), Shared: ev})
	}
	return out, nil
}

func newImportID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "imp-" + t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}
