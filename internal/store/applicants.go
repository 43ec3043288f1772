package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Applicant screening records: applicants as imported and screened, the
// rings that linking groups them into, and the decisions reviewers record.
// Both stores validate with the methods below before writing, so SQLite and
// PostgreSQL accept exactly the same records.

// Decision outcomes a reviewer records.
const (
	OutcomeCleared  = "cleared"  // the applicant may proceed
	OutcomeRejected = "rejected" // the applicant is turned down
	OutcomeEscalate = "escalate" // a senior reviewer or investigator must look
)

// Outcomes lists the valid decision outcomes.
var Outcomes = []string{OutcomeCleared, OutcomeRejected, OutcomeEscalate}

// Limits on applicant records beyond those of [hiring.Applicant.Validate].
const (
	MaxLevelLen    = 64      // bytes in StoredApplicant.Level
	MaxResultLen   = 1 << 20 // bytes in StoredApplicant.Result, StoredApplicant.Shared and StoredRing.Shared
	MaxJSONDepth   = 100     // nesting of arrays and objects in those JSON values
	MaxReviewerLen = 256     // bytes in Decision.Reviewer
	MaxNoteLen     = 2000    // bytes in Decision.Note
)

// StoredApplicant is one applicant as screened: the application, its risk
// and the screening and linking output, as SaveApplicants stores it.
type StoredApplicant struct {
	// Applicant is the application as imported. The store keeps all of
	// it; it comes back with AppliedAt in UTC at microsecond precision and
	// empty lists as nil.
	Applicant hiring.Applicant
	Score     float64 // the screening risk score; finite
	Level     string  // the risk level screening gave, e.g. "high"
	// Result is the screening result as JSON (any JSON value), or empty.
	Result json.RawMessage
	// Shared is the linking output for this applicant as JSON (typically
	// an array of hiring.Shared), or empty.
	Shared json.RawMessage
	// RingID is the ring linking put the applicant in, "" for none.
	// [Store.ReplaceRings] rewrites it from the rings' members.
	RingID string
}

// ApplicantBatch is one import of applicants, stored all or nothing by
// SaveApplicants.
type ApplicantBatch struct {
	ImportID   string    // identifies the import, e.g. "imp-2026-03-01-greenhouse"
	Source     string    // where the import came from, e.g. a file name
	At         time.Time // when the import ran; becomes each applicant's ImportedAt
	Applicants []StoredApplicant
}

// ImportSummary counts what SaveApplicants did: Inserted applicants were
// new, Updated ones were stored before and had their record and screening
// result replaced (their decisions are kept).
type ImportSummary struct {
	Inserted int
	Updated  int
}

// ApplicantRecord is an applicant as read back: what was stored, the
// import that stored it last, and the current decision.
type ApplicantRecord struct {
	StoredApplicant
	ImportID     string    // the last import that included the applicant
	ImportSource string    // that import's Source
	ImportedAt   time.Time // that import's At
	// Decision is the current decision (the one with the latest At; of
	// several at the same At, the one recorded last), nil when none.
	Decision *Decision
}

// ApplicantSummary is one line of the review queue.
type ApplicantSummary struct {
	ID         string
	Name       string
	Score      float64
	Level      string
	RingID     string
	ImportedAt time.Time
	Decision   string    // outcome of the current decision, "" when undecided
	Reviewer   string    // who recorded it
	DecidedAt  time.Time // when; zero when undecided
}

// Cursor returns the position of s in the review queue, for
// ReviewQuery.After.
func (s ApplicantSummary) Cursor() QueueCursor { return QueueCursor{Score: s.Score, ID: s.ID} }

// QueueCursor is a position in the review queue: the queue is sorted by
// Score, highest first, then by ID in byte order, and a cursor names the
// last entry already seen. The zero value is the top of the queue.
type QueueCursor struct {
	Score float64
	ID    string // "" for the top of the queue
}

// ReviewQuery selects and pages the review queue.
//
// ReviewQueue sorts applicants by Score, highest first, then by ID (byte
// order), and pages by key: to get the next page, pass the Cursor of the
// last summary of a page as After, with the same filters. Paging never
// repeats or skips an applicant whose score does not change between pages;
// one whose score changes (a re-import) may move across the cursor.
type ReviewQuery struct {
	Level     string      // only applicants at this level; "" for all
	Undecided bool        // only applicants without a decision
	Outcome   string      // only applicants whose current decision has this outcome; "" for all
	Limit     int         // at most this many; <= 0 for no limit
	After     QueueCursor // start after this position; zero for the top
}

// Decision is one decision a reviewer recorded about an applicant.
// Decisions are never changed or removed: a new one supersedes the old.
type Decision struct {
	ApplicantID string
	Outcome     string // one of Outcomes
	Reviewer    string // who decided; required
	Note        string // why; at most MaxNoteLen bytes
	At          time.Time
}

// StoredRing is a ring of applicants (and possibly current workers, as
// "worker:"+ID) that linking found to share identifiers.
type StoredRing struct {
	ID string
	// Members are the IDs in the ring; ReplaceRings needs at least one,
	// each once. Rings and Ring return them sorted (byte order).
	Members []string
	// Shared is what the members share, as JSON (any JSON value), or empty.
	Shared json.RawMessage
	// UpdatedAt is when ReplaceRings stored the ring; set by the store.
	UpdatedAt time.Time
}

// Validate reports whether a can be stored: the applicant must pass
// [hiring.Applicant.Validate] and have an AppliedAt that JSON can carry
// (years 0–9999), Score must be finite, Level and RingID must be text (see
// [Worker.Validate]) with Level at most MaxLevelLen bytes, and Result and
// Shared must each be empty or one JSON value of at most MaxResultLen
// bytes nested at most MaxJSONDepth deep. Errors name the field.
func (a StoredApplicant) Validate() error {
	errs := []error{a.Applicant.Validate()}
	if y := a.Applicant.AppliedAt.Year(); y < 0 || y > 9999 {
		errs = append(errs, &hiring.FieldError{Field: "applied_at", Msg: fmt.Sprintf("year %d outside 0–9999", y)})
	}
	if math.IsNaN(a.Score) || math.IsInf(a.Score, 0) {
		errs = append(errs, fmt.Errorf("Score %v is not a finite number", a.Score))
	}
	errs = append(errs,
		maxText("Level", a.Level, MaxLevelLen),
		text("RingID", a.RingID),
		jsonValue("Result", a.Result),
		jsonValue("Shared", a.Shared))
	return errors.Join(errs...)
}

// maxInvalid is how many invalid applicants an error of
// [ApplicantBatch.Validate] describes; it counts the rest.
const maxInvalid = 10

// Validate reports whether b can be stored: ImportID and At must be set,
// Source must be text, every applicant must be valid (see
// [StoredApplicant.Validate]) and no applicant ID may appear twice. The
// error names the first few invalid applicants by ID and index, with the
// fields at fault, and counts the others.
func (b ApplicantBatch) Validate() error {
	_, err := b.check()
	return err
}

// check validates b as Validate does and returns the indexes of its
// applicants in order of ID, the order in which the SQLite store writes
// them.
func (b ApplicantBatch) check() ([]int, error) {
	errs := []error{required("ImportID", b.ImportID), text("Source", b.Source)}
	if b.At.IsZero() {
		errs = append(errs, errors.New("At is zero"))
	}
	bad := 0
	for i, a := range b.Applicants {
		if err := a.Validate(); err != nil {
			if bad < maxInvalid {
				errs = append(errs, fmt.Errorf("applicant %q (index %d): %w", clip(a.Applicant.ID), i, err))
			}
			bad++
		}
	}
	if bad > maxInvalid {
		errs = append(errs, fmt.Errorf("%d more invalid applicants", bad-maxInvalid))
	}
	var order []int
	if bad == 0 {
		var err error
		order, err = sortedApplicants(b.Applicants)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return order, nil
}

// sortedApplicants returns the indexes of as in order of applicant ID (in
// which SQLite appends to its primary key index rather than inserting all
// over it), or an error naming an ID that appears twice.
func sortedApplicants(as []StoredApplicant) ([]int, error) {
	idx := make([]int, len(as))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := strings.Compare(as[i].Applicant.ID, as[j].Applicant.ID); c != 0 {
			return c
		}
		return i - j
	})
	for k := 1; k < len(idx); k++ {
		if i, j := idx[k-1], idx[k]; as[i].Applicant.ID == as[j].Applicant.ID {
			return nil, fmt.Errorf("applicant %q appears twice (index %d and %d)", clip(as[i].Applicant.ID), i, j)
		}
	}
	return idx, nil
}

// Validate reports whether d can be recorded: ApplicantID must be set,
// Outcome must be one of Outcomes, Reviewer must be set and at most
// MaxReviewerLen bytes, Note at most MaxNoteLen bytes, all text, and At
// must be set. Whether the applicant exists is checked by the store.
func (d Decision) Validate() error {
	var errs []error
	errs = append(errs, required("ApplicantID", d.ApplicantID))
	if !slices.Contains(Outcomes, d.Outcome) {
		errs = append(errs, fmt.Errorf("Outcome %q is not one of %q", clip(d.Outcome), Outcomes))
	}
	if strings.TrimSpace(d.Reviewer) == "" {
		errs = append(errs, errors.New("Reviewer is required"))
	} else {
		errs = append(errs, maxText("Reviewer", d.Reviewer, MaxReviewerLen))
	}
	errs = append(errs, maxText("Note", d.Note, MaxNoteLen))
	if d.At.IsZero() {
		errs = append(errs, errors.New("At is zero"))
	}
	return errors.Join(errs...)
}

// Validate reports whether q is a valid query: Level must be text, Outcome
// empty or one of Outcomes and not combined with Undecided, and the
// cursor's Score finite.
func (q ReviewQuery) Validate() error {
	var errs []error
	errs = append(errs, text("Level", q.Level), text("After.ID", q.After.ID))
	if q.Outcome != "" && !slices.Contains(Outcomes, q.Outcome) {
		errs = append(errs, fmt.Errorf("Outcome %q is not empty or one of %q", clip(q.Outcome), Outcomes))
	}
	if q.Outcome != "" && q.Undecided {
		errs = append(errs, fmt.Errorf("Outcome %q and Undecided exclude each other", q.Outcome))
	}
	if math.IsNaN(q.After.Score) || math.IsInf(q.After.Score, 0) {
		errs = append(errs, fmt.Errorf("After.Score %v is not a finite number", q.After.Score))
	}
	return errors.Join(errs...)
}

// ValidateRings reports whether rings can be stored by ReplaceRings: each
// ring needs an ID, unique among rings, at least one member, each member
// once, IDs and members text, and Shared empty or a JSON value as for
// [StoredApplicant.Validate]. The error names the ring and the member.
func ValidateRings(rings []StoredRing) error {
	var errs []error
	ids := make(map[string]int, len(rings))
	for i, r := range rings {
		name := fmt.Sprintf("ring %q (index %d)", clip(r.ID), i)
		if err := required("ID", r.ID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		} else if j, dup := ids[r.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: ID also used by the ring at index %d", name, j))
		} else {
			ids[r.ID] = i
		}
		if len(r.Members) == 0 {
			errs = append(errs, fmt.Errorf("%s: Members is empty", name))
		}
		seen := make(map[string]bool, len(r.Members))
		for k, m := range r.Members {
			if err := required(fmt.Sprintf("Members[%d]", k), m); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			} else if seen[m] {
				errs = append(errs, fmt.Errorf("%s: member %q appears twice", name, clip(m)))
			}
			seen[m] = true
		}
		if err := jsonValue("Shared", r.Shared); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		if len(errs) >= maxInvalid {
			errs = append(errs, errors.New("more rings not checked"))
			break
		}
	}
	return errors.Join(errs...)
}

// ringOf returns, for every member of rings, the ring that
// ReplaceRings records as its RingID: the largest ring listing it, and of
// equally large ones the one with the smallest ID.
func ringOf(rings []StoredRing) map[string]string {
	out := make(map[string]string)
	size := make(map[string]int)
	for _, r := range rings {
		for _, m := range r.Members {
			cur, ok := out[m]
			if !ok || len(r.Members) > size[m] || (len(r.Members) == size[m] && r.ID < cur) {
				out[m], size[m] = r.ID, len(r.Members)
			}
		}
	}
	return out
}

// ApplicantEncoder encodes applicants into the JSON body that both stores
// keep in place of the whole [hiring.Applicant], reusing one buffer; stores
// use it and [DecodeApplicant] so that they keep and return the same
// thing. It is not safe for concurrent use.
type ApplicantEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// NewApplicantEncoder returns an encoder.
func NewApplicantEncoder() *ApplicantEncoder {
	e := &ApplicantEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// Encode returns the body for a: the whole applicant as JSON, AppliedAt in
// UTC at microsecond precision. The result is valid until the next call.
func (e *ApplicantEncoder) Encode(a hiring.Applicant) ([]byte, error) {
	a.AppliedAt = utcMicro(a.AppliedAt)
	e.buf.Reset()
	if err := e.enc.Encode(a); err != nil {
		return nil, fmt.Errorf("encode applicant %q: %w", clip(a.ID), err)
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// DecodeApplicant decodes a body that an [ApplicantEncoder] wrote.
func DecodeApplicant(body []byte) (hiring.Applicant, error) {
	var a hiring.Applicant
	if err := json.Unmarshal(body, &a); err != nil {
		return hiring.Applicant{}, fmt.Errorf("decode stored applicant: %w", err)
	}
	a.AppliedAt = utcMicro(a.AppliedAt)
	return a, nil
}

// maxText checks v as [text] does and against a length limit.
func maxText(field, v string, limit int) error {
	if len(v) > limit {
		return fmt.Errorf("%s is %d bytes, longer than the limit of %d", field, len(v), limit)
	}
	return text(field, v)
}

// jsonValue checks an optional JSON value that both stores keep unchanged:
// empty, or one JSON value in valid UTF-8 without NUL bytes, at most
// MaxResultLen bytes and MaxJSONDepth deep (SQLite's JSON functions refuse
// deeper nesting). The error does not quote v, which may be large.
func jsonValue(field string, v json.RawMessage) error {
	switch {
	case len(v) == 0:
		return nil
	case len(v) > MaxResultLen:
		return fmt.Errorf("%s is %d bytes, longer than the limit of %d", field, len(v), MaxResultLen)
	case !utf8.Valid(v) || bytes.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%s is not valid UTF-8 without NUL bytes", field)
	case !json.Valid(v):
		return fmt.Errorf("%s is not a JSON value", field)
	case jsonDepth(v) > MaxJSONDepth:
		return fmt.Errorf("%s is nested deeper than the limit of %d", field, MaxJSONDepth)
	}
	return nil
}

// jsonDepth returns the deepest nesting of arrays and objects in the valid
// JSON v.
func jsonDepth(v []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range v {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// nilIfEmpty maps an empty JSON value to nil, as the stores return it.
func nilIfEmpty(v []byte) json.RawMessage {
	if len(v) == 0 {
		return nil
	}
	return v
}
