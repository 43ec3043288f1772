package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lagwatch/lagwatch/internal/articles"
	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/hiring/importer"
	"github.com/lagwatch/lagwatch/internal/intake"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/resume"
	"github.com/lagwatch/lagwatch/internal/screen"
)

// ScreenConfig is the screening configuration shared by `lagwatch screen`,
// `lagwatch screen import` and `lagwatch serve` (for imports through the
// API): the lists the checks use and how files are read.
type ScreenConfig struct {
	Layout          string   // CSV layout name; "" detects
	Mapping         string   // CSV mapping file; overrides Layout
	Universities    string   // Hipo world_universities_and_domains.json
	Disposable      string   // disposable e-mail domains, one per line
	HighRisk        string   // extra high-risk institutions
	HostingRanges   string   // hosting/VPN CIDR list
	Weights         string   // JSON object of check id → weight
	WorkerAddresses string   // CSV of worker_id,shipping_address
	MMDB            []string // DB-IP city mmdb files (shared with serve)
	MaxFileMB       int64    // largest input file, MiB
}

func (c *ScreenConfig) register(fs *flag.FlagSet, withMMDB bool) {
	fs.StringVar(&c.Layout, "layout", "", "CSV layout of the applicant files: "+strings.Join(importer.Layouts(), ", ")+" (default: detected from the header)")
	fs.StringVar(&c.Mapping, "mapping", "", "CSV column-mapping file (docs/screen-import.md); overrides -layout")
	fs.StringVar(&c.Universities, "universities", os.Getenv("LAGWATCH_UNIVERSITIES"), "world_universities_and_domains.json (Hipo university-domains-list) for the education checks (env LAGWATCH_UNIVERSITIES)")
	fs.StringVar(&c.Disposable, "disposable", os.Getenv("LAGWATCH_DISPOSABLE"), "disposable e-mail domain list, one per line, added to the built-in one (env LAGWATCH_DISPOSABLE)")
	fs.StringVar(&c.HighRisk, "high-risk", os.Getenv("LAGWATCH_HIGH_RISK"), "extra high-risk institutions file (docs/screening-checks.md)")
	fs.StringVar(&c.HostingRanges, "hosting-ranges", os.Getenv("LAGWATCH_HOSTING_RANGES"), "hosting and VPN address ranges, one CIDR per line (docs/screening-checks.md)")
	fs.StringVar(&c.Weights, "weights", "", `JSON file of check weights overriding the defaults, e.g. {"phone.voip": 3}`)
	fs.Int64Var(&c.MaxFileMB, "max-file-mb", 1024, "largest applicant file read, in MiB (a 100,000-row export with résumé text is about 220 MiB)")
	fs.StringVar(&c.WorkerAddresses, "worker-addresses", "", "CSV of current workers' equipment addresses (worker_id,shipping_address) to link applicants against")
	if withMMDB {
		fs.Func("mmdb", "DB-IP Lite city mmdb file for city-level IP location; repeat for the IPv4 and IPv6 files", func(s string) error {
			c.MMDB = append(c.MMDB, s)
			return nil
		})
	}
}

// screening is what a ScreenConfig opens: the intake configuration and the
// resources to close after.
type screening struct {
	cfg intake.Config
	loc *ipgeo.Locator // closed by Close when own
	own bool
}

// Close releases the IP location databases it opened.
func (s *screening) Close() error {
	if !s.own {
		return nil
	}
	return s.loc.Close()
}

func openList[T any](path, flagName string, load func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fmt.Errorf("-%s: %w", flagName, err)
	}
	defer f.Close()
	v, err := load(f)
	if err != nil {
		return zero, fmt.Errorf("-%s %s: %w", flagName, path, err)
	}
	return v, nil
}

// open loads the lists and builds the screener. It geolocates with loc when
// given (serve shares its own), else it opens c.MMDB itself.
func (c ScreenConfig) open(log *slog.Logger, loc *ipgeo.Locator) (*screening, error) {
	var sc screen.Config
	var err error
	if c.Universities != "" {
		if sc.Universities, err = openList(c.Universities, "universities", screen.LoadUniversities); err != nil {
			return nil, err
		}
	}
	if c.Disposable != "" {
		if sc.Disposable, err = openList(c.Disposable, "disposable", screen.LoadDisposable); err != nil {
			return nil, err
		}
	}
	if c.HighRisk != "" {
		if sc.HighRisk, err = openList(c.HighRisk, "high-risk", screen.LoadHighRisk); err != nil {
			return nil, err
		}
	}
	if c.HostingRanges != "" {
		if sc.HostingRanges, err = openList(c.HostingRanges, "hosting-ranges", screen.LoadRanges); err != nil {
			return nil, err
		}
	}
	if c.Weights != "" {
		sc.Weights, err = openList(c.Weights, "weights", func(r io.Reader) (map[string]float64, error) {
			var m map[string]float64
			dec := json.NewDecoder(io.LimitReader(r, 1<<20))
			if err := dec.Decode(&m); err != nil {
				return nil, fmt.Errorf("want a JSON object of check id to weight: %w", err)
			}
			return m, nil
		})
		if err != nil {
			return nil, err
		}
	}
	var ic intake.Config
	if c.WorkerAddresses != "" {
		if ic.Workers, err = openList(c.WorkerAddresses, "worker-addresses", readWorkerAddresses); err != nil {
			return nil, err
		}
	}
	switch {
	case c.Mapping != "":
		m, err := openList(c.Mapping, "mapping", importer.ParseMapping)
		if err != nil {
			return nil, err
		}
		ic.Import.Mapping = &m
	case c.Layout != "":
		m, err := importer.LayoutByName(c.Layout)
		if err != nil {
			return nil, fmt.Errorf("-layout: %w", err)
		}
		ic.Import.Mapping = &m
	}
	if c.MaxFileMB < 1 || c.MaxFileMB > 1<<20 {
		return nil, errors.New("-max-file-mb: want 1–1048576")
	}
	ic.Import.MaxFileBytes = c.MaxFileMB << 20
	ic.Import.Resume = resume.Parse
	sc.Language = articles.Language
	own := loc == nil
	if own {
		if loc, err = ipgeo.Open(c.MMDB...); err != nil {
			return nil, err
		}
	}
	sc.Locator = loc
	s, err := screen.New(sc)
	if err != nil {
		if own {
			loc.Close()
		}
		return nil, fmt.Errorf("-weights: %w", err)
	}
	ic.Screener = s
	ic.Logger = log
	return &screening{cfg: ic, loc: loc, own: own}, nil
}

// readWorkerAddresses reads "worker_id,shipping_address" rows; a header row
// naming those columns is skipped.
func readWorkerAddresses(r io.Reader) ([]intake.Worker, error) {
	rows, err := readPairs(r, "worker_id", hiring.MaxIDLen, "shipping_address", hiring.MaxTextLen)
	if err != nil {
		return nil, err
	}
	out := make([]intake.Worker, len(rows))
	for i, p := range rows {
		out[i] = intake.Worker{ID: p[0], ShippingAddress: p[1]}
	}
	return out, nil
}

// readPairs reads a two-column CSV file of at most 64 MiB: first,second
// rows, each value trimmed and 1 to its limit bytes long. A first row whose
// first column is named first is a header and skipped.
func readPairs(r io.Reader, first string, firstMax int, second string, secondMax int) ([][2]string, error) {
	cr := csv.NewReader(io.LimitReader(r, 64<<20))
	cr.FieldsPerRecord = 2
	var out [][2]string
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		a, b := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if line == 1 && strings.EqualFold(a, first) {
			continue
		}
		if a == "" || len(a) > firstMax {
			return nil, fmt.Errorf("row %d: %s: want 1–%d bytes", line, first, firstMax)
		}
		if b == "" || len(b) > secondMax {
			return nil, fmt.Errorf("row %d: %s: want 1–%d bytes", line, second, secondMax)
		}
		out = append(out, [2]string{a, b})
	}
}

const screenUsage = `usage:
  lagwatch screen [flags] FILE...          check and link applicants; print them ranked (stores nothing)
  lagwatch screen import [flags] FILE...   the same, and store applicants, results and rings for review

FILE is a CSV export of an applicant-tracking system, a JSON Resume
document (.json, or .jsonl with one per line) or a résumé (.pdf, .docx,
.txt, .md). See docs/screening.md.
`

func runScreen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "import" {
		return runScreenImport(ctx, args[1:], stdout, stderr)
	}
	var cfg ScreenConfig
	fs := flag.NewFlagSet("lagwatch screen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, screenUsage, "\nflags:\n"); fs.PrintDefaults() }
	cfg.register(fs, true)
	asJSON := fs.Bool("json", false, "print JSON (one object per applicant, ranked) instead of a table")
	asCSV := fs.Bool("csv", false, "print CSV instead of a table")
	limit := fs.Int("limit", 0, "print at most this many applicants (0: all)")
	reasons := fs.Int("reasons", 3, "reasons shown per applicant in the table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("screen: want at least one FILE")
	}
	if *asJSON && *asCSV {
		return errors.New("screen: -json and -csv: choose one")
	}
	if *limit < 0 || *reasons < 0 {
		return errors.New("screen: -limit and -reasons: want 0 or more")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sc, err := cfg.open(log, nil)
	if err != nil {
		return fmt.Errorf("screen: %w", err)
	}
	defer sc.Close()
	res, err := importer.ImportFiles(ctx, fs.Args(), sc.cfg.Import, nil)
	if err != nil {
		return fmt.Errorf("screen: %w", err)
	}
	out, err := intake.Screen(ctx, sc.cfg, res.Applicants, nil)
	if err != nil {
		return fmt.Errorf("screen: %w", err)
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stderr, "rejected:", e)
	}
	rows := out.Applicants
	if *limit > 0 && len(rows) > *limit {
		rows = rows[:*limit]
	}
	switch {
	case *asJSON:
		return writeScreenJSON(stdout, rows)
	case *asCSV:
		return writeScreenCSV(stdout, rows)
	}
	writeScreenTable(stdout, rows, *reasons)
	fmt.Fprintf(stdout, "\n%d applicants screened, %d records rejected, %d rings; link %s, check %s.\n",
		len(out.Applicants), len(res.Errors), len(out.Rings), out.Timings.Link.Round(time.Millisecond), out.Timings.Check.Round(time.Millisecond))
	return nil
}

// screenRow is the JSON shape of one screened applicant.
type screenRow struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Source     string            `json:"source"`
	Score      float64           `json:"score"`
	Level      string            `json:"level"`
	RingID     string            `json:"ring_id,omitempty"`
	Evidence   []screen.Evidence `json:"evidence"`
	NotChecked []string          `json:"not_checked,omitempty"`
	Shared     []hiring.Shared   `json:"shared,omitempty"`
}

func writeScreenJSON(w io.Writer, rows []intake.Screened) error {
	enc := json.NewEncoder(w)
	for _, s := range rows {
		ev := s.Result.Evidence
		if ev == nil {
			ev = []screen.Evidence{}
		}
		if err := enc.Encode(screenRow{ID: s.Applicant.ID, Name: s.Applicant.Name, Source: s.Applicant.Source, Score: s.Result.Score,
			Level: s.Result.Level, RingID: s.RingID, Evidence: ev, NotChecked: s.Result.NotChecked, Shared: s.Shared}); err != nil {
			return err
		}
	}
	return nil
}

func writeScreenCSV(w io.Writer, rows []intake.Screened) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"rank", "id", "name", "score", "level", "ring_id", "reasons"})
	for i, s := range rows {
		var rs []string
		for _, e := range s.Result.Evidence {
			rs = append(rs, fmt.Sprintf("[%+.1f %s] %s", e.Weight, e.Check, e.Sentence))
		}
		_ = cw.Write([]string{strconv.Itoa(i + 1), s.Applicant.ID, s.Applicant.Name, strconv.FormatFloat(s.Result.Score, 'f', 1, 64),
			s.Result.Level, s.RingID, strings.Join(rs, " | ")})
	}
	cw.Flush()
	return cw.Error()
}

func writeScreenTable(w io.Writer, rows []intake.Screened, reasons int) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tID\tNAME\tSCORE\tLEVEL\tRING\tREASONS")
	for i, s := range rows {
		first := "-"
		ev := s.Result.Evidence
		if len(ev) > 0 && reasons > 0 {
			first = reason(ev[0])
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%s\t%s\t%s\n", i+1, s.Applicant.ID, clipText(s.Applicant.Name, 28), s.Result.Score, s.Result.Level, orDash(s.RingID), first)
		for j := 1; j < len(ev) && j < reasons; j++ {
			fmt.Fprintf(tw, "\t\t\t\t\t\t%s\n", reason(ev[j]))
		}
		if extra := len(ev) - reasons; extra > 0 && reasons > 0 {
			fmt.Fprintf(tw, "\t\t\t\t\t\t(%d more)\n", extra)
		}
	}
	tw.Flush()
}

func reason(e screen.Evidence) string {
	weak := ""
	if e.Weak {
		weak = ", weak"
	}
	return fmt.Sprintf("%+.1f %s%s: %s", e.Weight, e.Check, weak, e.Sentence)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runScreenImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg ScreenConfig
	var stc StoreConfig
	fs := flag.NewFlagSet("lagwatch screen import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, screenUsage, "\nflags:\n"); fs.PrintDefaults() }
	stc.register(fs)
	cfg.register(fs, true)
	asJSON := fs.Bool("json", false, "print the import report as JSON")
	top := fs.Int("top", 10, "print this many of the highest-scoring applicants after the summary")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("screen import: want at least one FILE")
	}
	if err := stc.validate(); err != nil {
		return fmt.Errorf("screen import: %w", err)
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	sc, err := cfg.open(log, nil)
	if err != nil {
		return fmt.Errorf("screen import: %w", err)
	}
	defer sc.Close()
	if !*quiet {
		sc.cfg.Progress = progressPrinter(stderr)
	}
	st, err := openStore(ctx, stc, log)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := intake.Run(ctx, sc.cfg, st, fs.Args())
	if err != nil {
		return fmt.Errorf("screen import: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "import %s: %d records, %d imported (%d new, %d updated), %d rejected; %d stored applicants re-checked; %d rings.\n",
		rep.ImportID, rep.Records, rep.Imported, rep.Inserted, rep.Updated, rep.Rejected, rep.Rescreened, rep.Rings)
	fmt.Fprintf(stdout, "levels: high %d, review %d, low %d.\n", rep.Levels["high"], rep.Levels["review"], rep.Levels["low"])
	t := rep.Timings
	fmt.Fprintf(stdout, "time: import %s, load %s, link %s, check %s, store %s; total %s. One applicant's checks: p50 %s, p99 %s.\n", t.Import.Round(time.Millisecond),
		t.Load.Round(time.Millisecond), t.Link.Round(time.Millisecond), t.Check.Round(time.Millisecond), t.Store.Round(time.Millisecond), t.Total.Round(time.Millisecond),
		t.CheckP50.Round(time.Microsecond), t.CheckP99.Round(time.Microsecond))
	for _, e := range rep.Errors {
		fmt.Fprintln(stdout, "rejected:", e)
	}
	if *top > 0 && len(rep.Top) > 0 {
		fmt.Fprintln(stdout)
		writeScreenTable(stdout, rep.Top[:min(*top, len(rep.Top))], 3)
	}
	return nil
}

// progressPrinter prints a line per stage start and end, and at most one a
// second in between.
func progressPrinter(w io.Writer) func(stage string, done, total int) {
	var last time.Time
	return func(stage string, done, total int) {
		if done != 0 && done != total && time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "%s: %d/%d\n", stage, done, total)
	}
}
