package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Worker links and identity-provider findings: what ties a worker to the
// application they were hired from and to their identity-provider
// accounts, and the findings of package idp about a worker's sign-ins.
// Both stores validate with the methods below before writing, so SQLite and
// PostgreSQL accept exactly the same records.

// Kinds of [WorkerLink].
const (
	// LinkApplicant links a worker to the application (applicant ID) they
	// were hired from, so that its screening counts for the worker.
	LinkApplicant = "applicant"
	// LinkAccount links a worker to an identity-provider login (usually
	// an e-mail address), so that the login's sign-ins and any evidence
	// about the account count for the worker.
	LinkAccount = "account"
)

// LinkKinds lists the valid kinds of [WorkerLink].
var LinkKinds = []string{LinkApplicant, LinkAccount}

// Limits on worker links and identity-provider findings. Errors name the
// field and the limit.
const (
	MaxLinkWorkerIDLen   = 256      // bytes in WorkerLink.WorkerID and IdPFinding.WorkerID
	MaxLinkRefLen        = 320      // bytes in WorkerLink.Ref: an applicant ID or a login (an e-mail address)
	MaxIdPFindings       = 100_000  // findings per SaveIdPFindings call
	MaxIdPExplanationLen = 16 << 10 // bytes in IdPFinding.Explanation
	MaxIdPRefs           = 100      // entries in IdPFinding.Refs
	MaxIdPRefLen         = 2048     // bytes in each ref (the longest field package idp imports)
	MaxIdPBodyLen        = 1 << 20  // bytes in IdPFinding.Body
)

// WorkerLink ties a worker to something that belongs to the same person:
// the application they were hired from or an identity-provider account.
// (WorkerID, Kind, Ref) is unique: linking twice stores one link.
type WorkerLink struct {
	WorkerID string // the worker; must be stored
	Kind     string // LinkApplicant or LinkAccount
	// Ref is the applicant ID (which need not be stored yet) or the login.
	Ref string
	// AddedAt is when the link was made; zero means now. A link made
	// again keeps the time it was first made.
	AddedAt time.Time
}

// Validate reports whether l can be stored: WorkerID and Ref set, text,
// and within their limits, and Kind one of LinkKinds.
func (l WorkerLink) Validate() error {
	var errs []error
	errs = append(errs, requiredMax("WorkerID", l.WorkerID, MaxLinkWorkerIDLen))
	if !slices.Contains(LinkKinds, l.Kind) {
		errs = append(errs, fmt.Errorf("Kind %q is not one of %q", clip(l.Kind), LinkKinds))
	}
	errs = append(errs, requiredMax("Ref", l.Ref, MaxLinkRefLen))
	if !l.AddedAt.IsZero() {
		errs = append(errs, validTime("AddedAt", l.AddedAt))
	}
	return errors.Join(errs...)
}

// PrepareLink returns l as the stores keep it: AddedAt now when zero, in
// UTC at microsecond precision.
func PrepareLink(l WorkerLink, now time.Time) WorkerLink {
	if l.AddedAt.IsZero() {
		l.AddedAt = now
	}
	l.AddedAt = utcMicro(l.AddedAt)
	return l
}

// IdPFinding is one finding of package idp about a worker's sign-ins, as
// stored: the numbers risk fusion uses as columns, and the whole finding
// as JSON. Its ID is a hash of its content ([IdPFindingID]), so the same
// finding saved again, from the same log imported twice, is stored once.
type IdPFinding struct {
	// ID is set by SaveIdPFindings to IdPFindingID of the finding; a value
	// given is ignored.
	ID       string
	WorkerID string // the worker; must be stored
	// Kind is the detector, "idp." then a-z, 0-9, '.', '-' or '_', e.g.
	// "idp.shared-egress"; at most MaxDetectorLen bytes.
	Kind string
	// At is when the finding holds: the last sign-in it cites. Risk
	// fusion reads findings by it and decays them from it.
	At time.Time
	// LR is the likelihood ratio the analysis gave it; 0 means none, so
	// that risk fusion uses the configured weight of Kind. Finite, not
	// negative.
	LR float64
	// Explanation is one sentence with the numbers, at most
	// MaxIdPExplanationLen bytes.
	Explanation string
	// Refs are the identity provider's record IDs of the sign-ins cited,
	// at most MaxIdPRefs; nil when none.
	Refs []string
	// Body is the whole finding as a JSON object (an idp.Finding), at most
	// MaxIdPBodyLen bytes; empty means {}.
	Body json.RawMessage
}

// Validate reports whether f can be stored. Errors name the field and the
// limit.
func (f IdPFinding) Validate() error {
	var errs []error
	errs = append(errs, requiredMax("WorkerID", f.WorkerID, MaxLinkWorkerIDLen), idpKind(f.Kind), validTime("At", f.At))
	if math.IsNaN(f.LR) || math.IsInf(f.LR, 0) || f.LR < 0 {
		errs = append(errs, fmt.Errorf("LR %v is not a finite number of at least 0", f.LR))
	}
	errs = append(errs, maxText("Explanation", f.Explanation, MaxIdPExplanationLen))
	if len(f.Refs) > MaxIdPRefs {
		errs = append(errs, fmt.Errorf("Refs has %d entries, more than the limit of %d", len(f.Refs), MaxIdPRefs))
	} else {
		for i, r := range f.Refs {
			errs = append(errs, requiredMax(fmt.Sprintf("Refs[%d]", i), r, MaxIdPRefLen))
		}
	}
	if len(f.Body) > 0 {
		if len(f.Body) > MaxIdPBodyLen {
			errs = append(errs, fmt.Errorf("Body is %d bytes, longer than the limit of %d", len(f.Body), MaxIdPBodyLen))
		} else if err := jsonValue("Body", f.Body); err != nil {
			errs = append(errs, err)
		} else if t := bytes.TrimSpace(f.Body); t[0] != '{' {
			errs = append(errs, errors.New("Body is not a JSON object"))
		}
	}
	return errors.Join(errs...)
}

// idpKind checks an identity-provider detector id.
func idpKind(k string) error {
	rest, ok := strings.CutPrefix(k, "idp.")
	if !ok || rest == "" {
		return fmt.Errorf("Kind %q does not start with \"idp.\" and a name", clip(k))
	}
	if len(k) > MaxDetectorLen {
		return fmt.Errorf("Kind is %d bytes, longer than the limit of %d", len(k), MaxDetectorLen)
	}
	for _, c := range []byte(rest) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("Kind %q has a character other than a-z, 0-9, '.', '-', '_'", clip(k))
		}
	}
	return nil
}

// ValidateIdPFindings reports whether SaveIdPFindings may store fs: at most
// MaxIdPFindings, each valid. Errors name the finding by index.
func ValidateIdPFindings(fs []IdPFinding) error {
	if len(fs) > MaxIdPFindings {
		return fmt.Errorf("%d findings, more than the limit of %d per call", len(fs), MaxIdPFindings)
	}
	var errs []error
	for i, f := range fs {
		if err := f.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("finding %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// IdPFindingID returns the ID of f: the hex SHA-256 of its worker, kind,
// time (to the microsecond), likelihood ratio, explanation and refs. Body
// and ID are not part of it: the same finding encoded by a newer version
// of package idp keeps its ID.
func IdPFindingID(f IdPFinding) string {
	h := sha256.New()
	var n [8]byte
	put := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("lagwatch idp finding v1")
	put(f.WorkerID)
	put(f.Kind)
	binary.BigEndian.PutUint64(n[:], uint64(utcMicro(f.At).UnixMicro()))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], math.Float64bits(f.LR))
	h.Write(n[:])
	put(f.Explanation)
	binary.BigEndian.PutUint64(n[:], uint64(len(f.Refs)))
	h.Write(n[:])
	for _, r := range f.Refs {
		put(r)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// PrepareIdPFinding returns f as the stores keep it: ID set, At in UTC at
// microsecond precision, empty Refs nil, empty Body {}. f must be valid.
func PrepareIdPFinding(f IdPFinding) IdPFinding {
	f.At = utcMicro(f.At)
	if len(f.Refs) == 0 {
		f.Refs = nil
	}
	if len(f.Body) == 0 {
		f.Body = json.RawMessage("{}")
	}
	f.ID = IdPFindingID(f)
	return f
}

// DistinctWorkers returns the distinct worker IDs of fs in order of first
// appearance; the stores check that each is stored.
func DistinctWorkers(fs []IdPFinding) []string {
	var ids []string
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.WorkerID] {
			seen[f.WorkerID] = true
			ids = append(ids, f.WorkerID)
		}
	}
	return ids
}
