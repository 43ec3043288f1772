package importer

import (
	"fmt"
	"io"
	"strconv"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Default limits, used where [Options] leaves a limit at zero.
const (
	DefaultMaxFileBytes = 64 << 20
	DefaultMaxRecords   = 1_000_000
)

// Options control an import. The zero value detects the CSV layout, rejects
// résumé files and applies the default limits.
type Options struct {
	// Mapping maps CSV columns to fields; nil detects a built-in layout
	// from the header with [DetectLayout].
	Mapping *Mapping
	// Resume parses a résumé file (.pdf, .docx, .txt, .md) into an
	// applicant; name is the file's base name. nil rejects résumé files.
	Resume func(name string, data []byte) (hiring.Applicant, error)
	// MaxFileBytes is the largest input read, in bytes; 0 means
	// DefaultMaxFileBytes (64 MiB).
	MaxFileBytes int64
	// MaxRecords is the most records read from one input; 0 means
	// DefaultMaxRecords (1,000,000).
	MaxRecords int
}

func (o Options) withDefaults() Options {
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	return o
}

// Result is what an import produced. Every record seen ends up in exactly
// one of Applicants and Errors: Records == len(Applicants) + len(Errors).
type Result struct {
	// Applicants are the records imported, in input order; each passes
	// [hiring.Applicant.Validate] and no two share an ID.
	Applicants []hiring.Applicant
	// Errors are the records rejected, each naming its source, record
	// number and the fields at fault.
	Errors []*hiring.RecordError
	// Records counts the records seen: non-blank CSV rows, JSON documents,
	// résumé files, and (in [ImportFiles]) files that could not be read.
	Records int
}

// LimitError is input over one of the limits in [Options]. The reader that
// returns it imports nothing from that input.
type LimitError struct {
	Source string // input name
	Limit  string // the Options field: "MaxFileBytes" or "MaxRecords"
	Max    int64  // the limit in force
}

// Error says which limit was exceeded and where it is set.
func (e *LimitError) Error() string {
	switch e.Limit {
	case "MaxRecords":
		return fmt.Sprintf("more than %d records, the limit set by Options.MaxRecords", e.Max)
	default:
		return fmt.Sprintf("larger than %d bytes, the limit set by Options.%s", e.Max, e.Limit)
	}
}

// run is one import: its options and the IDs taken so far, so that a later
// record with the same ID is rejected naming the earlier one.
type run struct {
	opts Options
	seen map[string]string // ID -> where it was first imported
}

func newRun(opts Options) *run {
	return &run{opts: opts.withDefaults(), seen: map[string]string{}}
}

// input is one source being read. Its IDs join the run's only when the whole
// input was read (commit), so that an input refused as a whole leaves no
// trace.
type input struct {
	run    *run
	source string // as given, for errors
	label  string // safe form for Applicant.Source
	local  map[string]string
	res    Result
	// full holds filled chunks of applicants, res.Applicants the chunk being
	// filled: a large import then copies each applicant about twice instead
	// of the many times a growing slice would.
	full [][]hiring.Applicant
}

// chunkLen is the number of applicants in a full chunk.
const chunkLen = 4096

func (r *run) newInput(source string) *input {
	return &input{run: r, source: source, label: sourceLabel(source), local: map[string]string{}}
}

func (in *input) commit() Result {
	if len(in.run.seen) == 0 {
		in.run.seen = in.local
	} else {
		for id, where := range in.local {
			in.run.seen[id] = where
		}
	}
	in.local = nil
	if len(in.full) > 0 {
		all := make([]hiring.Applicant, 0, len(in.full)*chunkLen+len(in.res.Applicants))
		for _, c := range in.full {
			all = append(all, c...)
		}
		in.res.Applicants = append(all, in.res.Applicants...)
		in.full = nil
	}
	return in.res
}

// count notes one more record seen and enforces MaxRecords.
func (in *input) count() error {
	in.res.Records++
	if in.res.Records > in.run.opts.MaxRecords {
		return &LimitError{Source: in.source, Limit: "MaxRecords", Max: int64(in.run.opts.MaxRecords)}
	}
	return nil
}

// reject records a rejected record.
func (in *input) reject(rec int, err error) {
	in.res.Errors = append(in.res.Errors, &hiring.RecordError{Source: in.source, Record: rec, Err: err})
}

// accept finishes a record built by b: it derives the ID when the record has
// none, validates, and checks the ID is new. where names the record in
// Applicant.Source ("people.csv row 7"); idRec is the record number used in
// a derived ID (0 for a file that is one record). A record needs an id, a
// name or an e-mail unless it is a whole file (a résumé), which its file name
// identifies.
func (in *input) accept(b *builder, rec int, where string, idRec int, wholeFile bool) {
	if !wholeFile && !b.identified() {
		b.errs = append(b.errs, errNotIdentified)
	}
	if b.a.ID == "" {
		b.a.ID = derivedID(in.source, idRec)
	}
	b.a.Source = where
	errs := b.errs
	errs = flatten(errs, b.a.Validate())
	if len(errs) > 0 {
		in.reject(rec, fieldErrors(errs))
		return
	}
	if prev, ok := in.run.seen[b.a.ID]; ok {
		in.reject(rec, fieldErrors{fieldErr("id", "%q already used by %s", clip(b.a.ID, 60), prev)})
		return
	}
	if prev, ok := in.local[b.a.ID]; ok {
		in.reject(rec, fieldErrors{fieldErr("id", "%q already used by %s", clip(b.a.ID, 60), prev)})
		return
	}
	in.local[b.a.ID] = where
	if len(in.res.Applicants) == chunkLen {
		in.full = append(in.full, in.res.Applicants)
		in.res.Applicants = make([]hiring.Applicant, 0, chunkLen)
	}
	in.res.Applicants = append(in.res.Applicants, b.a)
}

// limitReader reads at most n bytes from r and then fails, every time, with
// a LimitError.
type limitReader struct {
	r      io.Reader
	max    int64 // the limit
	n      int64 // bytes left
	source string
	err    error
}

func newLimitReader(r io.Reader, max int64, source string) *limitReader {
	return &limitReader{r: r, max: max, n: max, source: source}
}

// Read reads up to the limit, then fails with a LimitError.
func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.n <= 0 {
		// Read one byte to tell "exactly n" from "more than n".
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			l.err = &LimitError{Source: l.source, Limit: "MaxFileBytes", Max: l.max}
			return 0, l.err
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

func itoa(n int) string { return strconv.Itoa(n) }
