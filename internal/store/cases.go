package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Case management records: cases that analysts open on a subject (from an
// alert or by hand), the evidence attached to them, their notes, and the
// append-only, hash-chained audit log of every analyst action. Both stores
// validate with the methods below before writing, so SQLite and PostgreSQL
// accept exactly the same records.

// Case statuses. A case moves between them only along [CaseTransitions].
const (
	CaseOpen          = "open"          // opened, nobody working on it yet
	CaseInvestigating = "investigating" // an analyst is working on it
	CaseEscalated     = "escalated"     // handed to a senior investigator or another team
	CaseClosed        = "closed"        // finished, with a Resolution
)

// CaseStatuses lists the case statuses in their usual order.
var CaseStatuses = []string{CaseOpen, CaseInvestigating, CaseEscalated, CaseClosed}

// CaseTransitions lists, for every status, the statuses a case in it may
// move to. Closing needs a resolution; reopening a closed case ("closed" to
// "open") clears it. Staying in the same status is not a transition.
var CaseTransitions = map[string][]string{
	CaseOpen:          {CaseInvestigating, CaseEscalated, CaseClosed},
	CaseInvestigating: {CaseEscalated, CaseClosed},
	CaseEscalated:     {CaseInvestigating, CaseClosed},
	CaseClosed:        {CaseOpen},
}

// CanTransition reports whether a case may move from status from to
// status to.
func CanTransition(from, to string) bool {
	return slices.Contains(CaseTransitions[from], to)
}

// Case resolutions, set when a case is closed.
const (
	ResolutionConfirmedFraud = "confirmed-fraud" // the subject is not who or where they claim
	ResolutionFalsePositive  = "false-positive"  // the evidence had an innocent explanation
	ResolutionInconclusive   = "inconclusive"    // neither could be shown
)

// Resolutions lists the valid case resolutions.
var Resolutions = []string{ResolutionConfirmedFraud, ResolutionFalsePositive, ResolutionInconclusive}

// Kinds of [CaseSubject]; the same names as risk's subject kinds.
const (
	SubjectWorker    = "worker"
	SubjectApplicant = "applicant"
	SubjectDevice    = "device"
	SubjectAccount   = "account"
)

// SubjectKinds lists the valid subject kinds.
var SubjectKinds = []string{SubjectWorker, SubjectApplicant, SubjectDevice, SubjectAccount}

// Limits on case records. Errors name the field and the limit.
const (
	MaxCaseTitleLen   = 500    // bytes in Case.Title
	MaxCaseTextLen    = 10_000 // bytes in Case.Reason and Note.Text
	MaxActorLen       = 256    // bytes in actors, assignees and authors
	MaxCaseIDLen      = 256    // bytes in CaseSubject.ID and Case.AlertID
	MaxCaseEvidence   = 1000   // evidence items per OpenCase or AttachEvidence call
	MaxExplanationLen = 4000   // bytes in CaseEvidence.Explanation
	MaxDetectorLen    = 256    // bytes in CaseEvidence.Detector and Provenance
	MaxEvidenceRefs   = 100    // CaseEvidence.Refs entries
	MaxRefLen         = 512    // bytes in each ref
	MaxActionLen      = 64     // bytes in AuditEntry.Action
	MaxAuditDetailLen = 64 << 10
)

// CaseSubject is what a case is about: a worker, an applicant, a device
// or an identity-provider account. The zero value means none (allowed only
// on audit entries).
type CaseSubject struct {
	Kind string // one of SubjectKinds
	ID   string
}

// String returns "kind:id", or "" for the zero value.
func (s CaseSubject) String() string {
	if s == (CaseSubject{}) {
		return ""
	}
	return s.Kind + ":" + s.ID
}

// Validate reports whether s names a subject: a known kind and an ID of 1
// to MaxCaseIDLen bytes of text.
func (s CaseSubject) Validate() error {
	var errs []error
	if !slices.Contains(SubjectKinds, s.Kind) {
		errs = append(errs, fmt.Errorf("Subject.Kind %q is not one of %q", clip(s.Kind), SubjectKinds))
	}
	errs = append(errs, requiredMax("Subject.ID", s.ID, MaxCaseIDLen))
	return errors.Join(errs...)
}

// Case is one investigation of a subject.
type Case struct {
	ID       int64       // assigned by OpenCase, increasing
	Title    string      // required, at most MaxCaseTitleLen bytes
	Subject  CaseSubject // required
	Status   string      // one of CaseStatuses; OpenCase sets CaseOpen
	Assignee string      // the analyst working on it; "" when unassigned
	OpenedBy string      // who opened it; required
	// Reason says why the case was opened (for a case from an alert, the
	// alert's summary); at most MaxCaseTextLen bytes.
	Reason    string
	OpenedAt  time.Time // when it was opened; required
	UpdatedAt time.Time // the last change (assignment, status, note, evidence); set by the store
	ClosedAt  time.Time // when it was last closed; zero unless Status is CaseClosed
	// Resolution is one of Resolutions when Status is CaseClosed, else "".
	Resolution string
	// AlertID is the alert the case was opened from, "" for a case opened
	// by hand. At most one case that is not closed exists per alert ID.
	AlertID string
	// Evidence is the evidence snapshot attached to the case, oldest
	// first. OpenCase stores the Evidence given; Case returns all of it;
	// Cases leaves it nil.
	Evidence []CaseEvidence
}

// CaseEvidence is one piece of evidence as it stood when attached to a
// case: a copy, not a reference, so later re-scoring does not change what
// the analyst saw.
type CaseEvidence struct {
	At          time.Time // when the finding was made; required
	Detector    string    // e.g. "latency.too-slow"; required
	Explanation string    // the finding in plain words
	Provenance  string    // who measured it, e.g. "server-measured"
	Refs        []string  // records it rests on, e.g. "endpoint:dev-1/batch-9"; nil when none
}

// Note is an analyst's note on a case. Notes are never changed or removed.
type Note struct {
	ID     int64     // assigned by AddCaseNote
	CaseID int64     // required
	Author string    // required, at most MaxActorLen bytes
	Text   string    // required, at most MaxCaseTextLen bytes
	At     time.Time // required
}

// StatusChange is a request to move a case to another status.
type StatusChange struct {
	Status     string // the new status; CanTransition(current, Status) must hold
	Resolution string // required when Status is CaseClosed, else empty
	Actor      string // who made the change; required
	At         time.Time
}

// CaseFilter selects and pages cases. Cases are listed newest first (by
// ID, descending); to get the next page pass the ID of the last case of
// a page as Before, with the same filters. IDs never change, so paging
// never repeats or skips a case.
type CaseFilter struct {
	Status   string      // only cases in this status; "" for all
	Assignee string      // only cases assigned to this analyst; "" for all
	Subject  CaseSubject // only cases about this subject; zero for all
	AlertID  string      // only cases opened from this alert; "" for all
	Before   int64       // only cases with an ID below this; 0 for no bound
	Limit    int         // at most this many; <= 0 for no limit
}

// Audit actions the stores record for case changes. Other packages record
// their own with RecordAudit, e.g. "report.exported" or
// "applicant.decision".
const (
	AuditCaseOpened   = "case.opened"
	AuditCaseAssigned = "case.assigned"
	AuditCaseStatus   = "case.status"
	AuditCaseNote     = "case.note"
	AuditCaseEvidence = "case.evidence"
)

// AuditEntry is one line of the audit log. The log is append-only: the
// stores have no method to change or remove an entry and their databases
// refuse to (triggers), and every entry is chained to the one before by a
// SHA-256 hash (see [AuditHash]), which [Store.VerifyAudit] checks.
type AuditEntry struct {
	Seq     int64       // 1, 2, 3, ... in the order recorded; set by the store
	At      time.Time   // when the action happened; required
	Actor   string      // who did it; required, at most MaxActorLen bytes
	Action  string      // what was done, e.g. "case.opened"; lowercase letters, digits, '.', '-', '_'
	CaseID  int64       // the case it concerns, 0 for none; must exist
	Subject CaseSubject // the subject it concerns, zero for none
	// Detail is a JSON object with the particulars, at most
	// MaxAuditDetailLen bytes; empty means {}. It is stored and hashed
	// compacted (insignificant whitespace removed).
	Detail json.RawMessage
	// PrevHash is the Hash of the entry before (32 zero bytes for the
	// first) and Hash this entry's, both set by the store.
	PrevHash, Hash []byte
}

// AuditFilter selects and pages the audit log, which is read in order of
// Seq. To get the next page pass the Seq of the last entry of a page as
// After.
type AuditFilter struct {
	CaseID int64  // only entries about this case; 0 for all
	Actor  string // only entries by this actor; "" for all
	Action string // only entries of this action; "" for all
	After  int64  // only entries with a Seq above this
	Limit  int    // at most this many; <= 0 for no limit
}

// AuditHead is the newest entry's position in the chain. Writing it down
// elsewhere from time to time (a ticket, a log shipped off the host)
// lets a later check show that the chain up to it was not rewritten.
type AuditHead struct {
	Seq  int64  // 0 for an empty log
	Hash []byte // the entry's Hash; 32 zero bytes for an empty log
}

// ErrAuditBroken is wrapped by the error VerifyAudit returns when the audit
// log does not hash-chain; the error is an [*AuditError].
var ErrAuditBroken = errors.New("store: audit log broken")

// AuditError says where the audit chain breaks.
type AuditError struct {
	Seq    int64  // the first entry that does not verify
	Reason string // what is wrong with it
}

// Error returns the position and the reason.
func (e *AuditError) Error() string {
	return fmt.Sprintf("audit entry %d: %s", e.Seq, e.Reason)
}

// Is makes errors.Is(err, ErrAuditBroken) hold.
func (e *AuditError) Is(target error) bool { return target == ErrAuditBroken }

// GenesisHash is the PrevHash of the first audit entry.
var GenesisHash = make([]byte, sha256.Size)

// AuditHash returns the hash of e chained to prev: SHA-256 over prev and
// then over each of e's Seq, At (Unix microseconds), Actor, Action,
// CaseID, Subject.Kind, Subject.ID and compacted Detail, each as an 8-byte
// big-endian length followed by its bytes (numbers in decimal), so that no
// two different entries hash the same input. e.PrevHash and e.Hash are not
// read. Anyone holding an export of the log can recompute the chain.
func AuditHash(prev []byte, e AuditEntry) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field(strconv.AppendInt(nil, e.Seq, 10))
	field(strconv.AppendInt(nil, e.At.UnixMicro(), 10))
	field([]byte(e.Actor))
	field([]byte(e.Action))
	field(strconv.AppendInt(nil, e.CaseID, 10))
	field([]byte(e.Subject.Kind))
	field([]byte(e.Subject.ID))
	field(e.Detail)
	return h.Sum(nil)
}

// VerifyChain checks entries, which must be the whole log or a run of it
// in order of Seq, against prev, the Hash of the entry before the first
// (GenesisHash when the first is Seq 1): Seqs must follow each other, each
// PrevHash must be the previous Hash and each Hash must be AuditHash of
// its entry. It returns the Hash of the last entry, or an [*AuditError]
// naming the first entry that fails.
func VerifyChain(prev []byte, entries []AuditEntry) ([]byte, error) {
	for i, e := range entries {
		if i > 0 && e.Seq != entries[i-1].Seq+1 {
			return nil, &AuditError{Seq: entries[i-1].Seq + 1, Reason: fmt.Sprintf("missing; the next entry is %d", e.Seq)}
		}
		if !bytes.Equal(e.PrevHash, prev) {
			return nil, &AuditError{Seq: e.Seq, Reason: "previous hash does not match the entry before"}
		}
		want := AuditHash(prev, e)
		if !bytes.Equal(e.Hash, want) {
			return nil, &AuditError{Seq: e.Seq, Reason: "hash does not match its content"}
		}
		prev = want
	}
	return prev, nil
}

// Validate reports whether c can be opened: see the fields of [Case] for
// what is required and the limits. ID, Status, UpdatedAt, ClosedAt and
// Resolution are set by the store and not checked.
func (c Case) Validate() error {
	errs := []error{
		requiredMax("Title", c.Title, MaxCaseTitleLen),
		c.Subject.Validate(),
		requiredMax("OpenedBy", c.OpenedBy, MaxActorLen),
		maxText("Assignee", c.Assignee, MaxActorLen),
		maxText("Reason", c.Reason, MaxCaseTextLen),
		maxText("AlertID", c.AlertID, MaxCaseIDLen),
		validTime("OpenedAt", c.OpenedAt),
		ValidateEvidence(c.Evidence),
	}
	return errors.Join(errs...)
}

// ValidateEvidence reports whether ev can be attached to a case: at most
// MaxCaseEvidence items, each valid (see [CaseEvidence.Validate]). The
// error names the first few invalid items by index.
func ValidateEvidence(ev []CaseEvidence) error {
	if len(ev) > MaxCaseEvidence {
		return fmt.Errorf("Evidence has %d items, more than the limit of %d", len(ev), MaxCaseEvidence)
	}
	var errs []error
	for i, e := range ev {
		if err := e.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Evidence[%d]: %w", i, err))
			if len(errs) == maxInvalid {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// Validate reports whether e can be stored: At and Detector set, and the
// text fields and Refs within their limits.
func (e CaseEvidence) Validate() error {
	errs := []error{
		validTime("At", e.At),
		requiredMax("Detector", e.Detector, MaxDetectorLen),
		maxText("Explanation", e.Explanation, MaxExplanationLen),
		maxText("Provenance", e.Provenance, MaxDetectorLen),
	}
	if len(e.Refs) > MaxEvidenceRefs {
		errs = append(errs, fmt.Errorf("Refs has %d entries, more than the limit of %d", len(e.Refs), MaxEvidenceRefs))
	} else {
		for i, r := range e.Refs {
			errs = append(errs, requiredMax(fmt.Sprintf("Refs[%d]", i), r, MaxRefLen))
		}
	}
	return errors.Join(errs...)
}

// Validate reports whether n can be added: CaseID positive, Author and
// Text set and within their limits, At set.
func (n Note) Validate() error {
	var errs []error
	if n.CaseID <= 0 {
		errs = append(errs, fmt.Errorf("CaseID %d is not a case ID", n.CaseID))
	}
	errs = append(errs,
		requiredMax("Author", n.Author, MaxActorLen),
		requiredMax("Text", n.Text, MaxCaseTextLen),
		validTime("At", n.At))
	return errors.Join(errs...)
}

// Validate reports whether ch is well formed: a known status, a
// resolution exactly when closing, an actor and a time. Whether the
// transition is allowed depends on the case's current status and is
// checked by the store.
func (ch StatusChange) Validate() error {
	var errs []error
	if !slices.Contains(CaseStatuses, ch.Status) {
		errs = append(errs, fmt.Errorf("Status %q is not one of %q", clip(ch.Status), CaseStatuses))
	}
	switch {
	case ch.Status == CaseClosed && !slices.Contains(Resolutions, ch.Resolution):
		errs = append(errs, fmt.Errorf("Resolution %q is not one of %q, required to close", clip(ch.Resolution), Resolutions))
	case ch.Status != CaseClosed && ch.Resolution != "":
		errs = append(errs, fmt.Errorf("Resolution %q is set but Status %q is not %q", clip(ch.Resolution), clip(ch.Status), CaseClosed))
	}
	errs = append(errs, requiredMax("Actor", ch.Actor, MaxActorLen), validTime("At", ch.At))
	return errors.Join(errs...)
}

// Validate reports whether f is a valid filter.
func (f CaseFilter) Validate() error {
	var errs []error
	if f.Status != "" && !slices.Contains(CaseStatuses, f.Status) {
		errs = append(errs, fmt.Errorf("Status %q is not empty or one of %q", clip(f.Status), CaseStatuses))
	}
	if f.Subject != (CaseSubject{}) {
		errs = append(errs, f.Subject.Validate())
	}
	if f.Before < 0 {
		errs = append(errs, fmt.Errorf("Before %d is negative", f.Before))
	}
	errs = append(errs, maxText("Assignee", f.Assignee, MaxActorLen), maxText("AlertID", f.AlertID, MaxCaseIDLen))
	return errors.Join(errs...)
}

// Validate reports whether e can be recorded: At, Actor and Action set and
// within their limits, CaseID not negative, Subject zero or valid, Detail
// empty or a JSON object of at most MaxAuditDetailLen bytes. Seq and the
// hashes are set by the store and not checked.
func (e AuditEntry) Validate() error {
	errs := []error{
		validTime("At", e.At),
		requiredMax("Actor", e.Actor, MaxActorLen),
		action(e.Action),
	}
	if e.CaseID < 0 {
		errs = append(errs, fmt.Errorf("CaseID %d is negative", e.CaseID))
	}
	if e.Subject != (CaseSubject{}) {
		errs = append(errs, e.Subject.Validate())
	}
	if len(e.Detail) > MaxAuditDetailLen {
		errs = append(errs, fmt.Errorf("Detail is %d bytes, longer than the limit of %d", len(e.Detail), MaxAuditDetailLen))
	} else if len(e.Detail) > 0 {
		errs = append(errs, jsonObject("Detail", e.Detail))
		if jsonDepth(e.Detail) > MaxJSONDepth {
			errs = append(errs, fmt.Errorf("Detail is nested deeper than the limit of %d", MaxJSONDepth))
		}
	}
	return errors.Join(errs...)
}

// Validate reports whether f is a valid filter.
func (f AuditFilter) Validate() error {
	var errs []error
	if f.CaseID < 0 {
		errs = append(errs, fmt.Errorf("CaseID %d is negative", f.CaseID))
	}
	if f.After < 0 {
		errs = append(errs, fmt.Errorf("After %d is negative", f.After))
	}
	errs = append(errs, maxText("Actor", f.Actor, MaxActorLen), maxText("Action", f.Action, MaxActionLen))
	return errors.Join(errs...)
}

// PrepareAudit returns e as the stores record it, before Seq and the
// hashes are known: At in UTC at microsecond precision and Detail
// compacted ({} when empty). e must be valid.
func PrepareAudit(e AuditEntry) AuditEntry {
	e.At = utcMicro(e.At)
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("{}")
	} else {
		var b bytes.Buffer
		if err := json.Compact(&b, e.Detail); err == nil {
			e.Detail = b.Bytes()
		}
	}
	return e
}

// AuditDetail encodes v (a map or struct) as an audit Detail; it panics
// only if v cannot be encoded as JSON, a programming error.
func AuditDetail(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode audit detail: %v", err))
	}
	return b
}

// PrepareCase returns c as OpenCase stores it: status open, times in UTC
// at microsecond precision, UpdatedAt equal to OpenedAt, no closing, empty
// evidence refs nil.
func PrepareCase(c Case) Case {
	c.ID = 0
	c.Status = CaseOpen
	c.Resolution = ""
	c.OpenedAt = utcMicro(c.OpenedAt)
	c.UpdatedAt = c.OpenedAt
	c.ClosedAt = time.Time{}
	c.Evidence = PrepareEvidence(c.Evidence)
	return c
}

// PrepareEvidence returns a copy of ev as stored: times in UTC at
// microsecond precision, empty Refs nil, and nil for no items.
func PrepareEvidence(ev []CaseEvidence) []CaseEvidence {
	if len(ev) == 0 {
		return nil
	}
	out := make([]CaseEvidence, len(ev))
	for i, e := range ev {
		e.At = utcMicro(e.At)
		if len(e.Refs) == 0 {
			e.Refs = nil
		} else {
			e.Refs = slices.Clone(e.Refs)
		}
		out[i] = e
	}
	return out
}

// EncodeRefs returns refs as the JSON array both stores keep.
func EncodeRefs(refs []string) string {
	if len(refs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(refs) // strings always encode
	return string(b)
}

// DecodeRefs decodes what EncodeRefs wrote; an empty array is nil.
func DecodeRefs(s string) ([]string, error) {
	var refs []string
	if err := json.Unmarshal([]byte(s), &refs); err != nil {
		return nil, fmt.Errorf("decode evidence refs: %w", err)
	}
	if len(refs) == 0 {
		return nil, nil
	}
	return refs, nil
}

// requiredMax checks a required text field with a length limit.
func requiredMax(field, v string, limit int) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s is required", field)
	}
	return maxText(field, v, limit)
}

// validTime checks a required time that both stores keep: years 1–9999.
func validTime(field string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s is zero", field)
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%s year %d is outside 1–9999", field, y)
	}
	return nil
}

// action checks an audit action name.
func action(a string) error {
	if a == "" {
		return errors.New("Action is required")
	}
	if len(a) > MaxActionLen {
		return fmt.Errorf("Action is %d bytes, longer than the limit of %d", len(a), MaxActionLen)
	}
	for _, c := range []byte(a) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("Action %q has a character other than a-z, 0-9, '.', '-', '_'", clip(a))
		}
	}
	return nil
}

// ValidateAssign reports whether AssignCase may record the assignment:
// assignee empty or text of at most MaxActorLen bytes, actor set, at set.
func ValidateAssign(assignee, actor string, at time.Time) error {
	return errors.Join(maxText("Assignee", assignee, MaxActorLen), requiredMax("Actor", actor, MaxActorLen), validTime("At", at))
}

// ValidateAttach reports whether AttachEvidence may attach ev: actor and
// at set, and ev valid (see [ValidateEvidence]) and not empty.
func ValidateAttach(actor string, at time.Time, ev []CaseEvidence) error {
	err := errors.Join(requiredMax("Actor", actor, MaxActorLen), validTime("At", at), ValidateEvidence(ev))
	if err == nil && len(ev) == 0 {
		err = errors.New("Evidence is empty")
	}
	return err
}

// ChangedStatus returns c after the allowed change ch: Status and
// Resolution from ch, ClosedAt the change's time when closing and zero
// otherwise, UpdatedAt the later of its own and the change's.
func ChangedStatus(c Case, ch StatusChange) Case {
	at := utcMicro(ch.At)
	c.Status, c.Resolution = ch.Status, ch.Resolution
	if ch.Status == CaseClosed {
		c.ClosedAt = at
	} else {
		c.ClosedAt = time.Time{}
	}
	c.UpdatedAt = LaterOf(c.UpdatedAt, at)
	return c
}

// LaterOf returns the later of two times; stores use it so that a case's
// UpdatedAt never moves back.
func LaterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// OpenedDetail is the audit detail both stores record for opening c.
func OpenedDetail(c Case) json.RawMessage {
	return AuditDetail(map[string]any{"title": c.Title, "alert_id": c.AlertID, "assignee": c.Assignee, "evidence": len(c.Evidence)})
}

// EvidenceDetail is the audit detail both stores record for attaching ev.
func EvidenceDetail(ev []CaseEvidence) json.RawMessage {
	var ds []string
	seen := map[string]bool{}
	for _, e := range ev {
		if !seen[e.Detector] {
			seen[e.Detector] = true
			ds = append(ds, e.Detector)
		}
	}
	return AuditDetail(map[string]any{"evidence": len(ev), "detectors": ds})
}
