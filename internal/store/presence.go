package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
)

// Presence-challenge sessions: every finished session of package presence
// (a presence.Session), kept so that a worker's enrolment baseline and the
// results survive a restart. Both stores implement presence.Store with
// them (SaveSession and Baseline) and list a worker's sessions with
// PresenceSessions. They validate with the functions below before writing,
// so SQLite and PostgreSQL accept exactly the same sessions.
//
// A session is stored once, by its ID: saving it again with the same
// contents (a retried save) changes nothing and succeeds, while saving
// other contents under a stored ID fails with an error wrapping
// [ErrConflict] and changes nothing. Times are kept in UTC at microsecond
// precision, like every time in the stores; durations (the reactions, the
// round trips and those in the result) are kept to the nanosecond, exactly
// as presence measured them, so a baseline built after a restart is the
// one built before it.

// Limits on presence sessions. Errors name the field and the limit.
const (
	// MaxPresenceIDLen bounds Session.ID in bytes; presence issues 32 hex
	// digits.
	MaxPresenceIDLen = 64
	// MaxPresenceWorkerIDLen bounds Session.WorkerID in bytes, as the
	// other records that name a worker are bounded; the presence page's
	// own worker_id is at most 64 bytes.
	MaxPresenceWorkerIDLen = MaxLinkWorkerIDLen
	// MaxPresenceReactions bounds the reactions of one session, and its
	// false starts and the counts of its result. A session shows at most
	// presence.MaxPrompts prompts, an enrolment at most
	// presence.MaxEnrolPrompts, and presence.WorkerBaseline keeps only
	// that many of the newest reactions, so no session has a use for more.
	MaxPresenceReactions = presence.MaxEnrolPrompts
	// MaxPresenceDuration bounds every duration of a session: a reaction
	// and a round trip are at most a day, as presence bounds the page's
	// timestamps, and so is the size of the result's delays.
	MaxPresenceDuration = 24 * time.Hour
	// MaxPresenceBaselineLen bounds Result.Baseline in bytes ("worker" or
	// "population").
	MaxPresenceBaselineLen = 64
	// MaxPresenceExplanationLen bounds Result.Explanation in bytes.
	MaxPresenceExplanationLen = 4096
	// MaxPresenceList bounds the limit of PresenceSessions.
	MaxPresenceList = 10_000
	// DefaultPresenceLimit is the number of sessions PresenceSessions
	// lists when no limit is given.
	DefaultPresenceLimit = 100
)

// PresenceVerdicts lists the verdicts a stored session's result may have.
var PresenceVerdicts = []presence.Verdict{presence.Consistent, presence.Delayed, presence.Insufficient}

// ValidatePresenceSession reports whether s can be stored: ID 1 to
// MaxPresenceIDLen bytes and WorkerID 1 to MaxPresenceWorkerIDLen bytes
// of text; Started and Finished set (years 1–9999) with Finished not
// before Started; at most MaxPresenceReactions reactions, each and both
// round trips in [0, MaxPresenceDuration]; FalseStarts in [0,
// MaxPresenceReactions]; and a valid result (see
// [ValidatePresenceResult]). Errors name the field and the limit.
func ValidatePresenceSession(s presence.Session) error {
	errs := []error{
		requiredMax("ID", s.ID, MaxPresenceIDLen),
		requiredMax("WorkerID", s.WorkerID, MaxPresenceWorkerIDLen),
	}
	started, finished := validTime("Started", s.Started), validTime("Finished", s.Finished)
	errs = append(errs, started, finished)
	if started == nil && finished == nil && s.Finished.Before(s.Started) {
		errs = append(errs, fmt.Errorf("Finished %v is before Started %v", s.Finished, s.Started))
	}
	errs = append(errs,
		presenceReactions(s.Reactions),
		presenceCount("FalseStarts", s.FalseStarts),
		presenceDuration("PageRTT", s.PageRTT, 0),
		presenceDuration("ClientRTT", s.ClientRTT, 0))
	errs = append(errs, validatePresenceResult("Result.", s.Result)...)
	return errors.Join(errs...)
}

// ValidatePresenceResult reports whether r can be stored as a session's
// result: Verdict one of PresenceVerdicts; AddedDelay, CILow and CIHigh
// within ±MaxPresenceDuration and MedianRT in [0, MaxPresenceDuration];
// Prompts, Valid and Excluded in [0, MaxPresenceReactions]; Baseline and
// Explanation text of at most MaxPresenceBaselineLen and
// MaxPresenceExplanationLen bytes. Errors name the field and the limit.
func ValidatePresenceResult(r presence.Result) error {
	return errors.Join(validatePresenceResult("", r)...)
}

// validatePresenceResult checks r, naming each field with prefix first.
func validatePresenceResult(prefix string, r presence.Result) []error {
	var errs []error
	if !slices.Contains(PresenceVerdicts, r.Verdict) {
		errs = append(errs, fmt.Errorf("%sVerdict %q is not one of %q", prefix, clip(string(r.Verdict)), PresenceVerdicts))
	}
	return append(errs,
		presenceDuration(prefix+"AddedDelay", r.AddedDelay, -MaxPresenceDuration),
		presenceDuration(prefix+"CILow", r.CILow, -MaxPresenceDuration),
		presenceDuration(prefix+"CIHigh", r.CIHigh, -MaxPresenceDuration),
		presenceDuration(prefix+"MedianRT", r.MedianRT, 0),
		presenceCount(prefix+"Prompts", r.Prompts),
		presenceCount(prefix+"Valid", r.Valid),
		presenceCount(prefix+"Excluded", r.Excluded),
		maxText(prefix+"Baseline", r.Baseline, MaxPresenceBaselineLen),
		maxText(prefix+"Explanation", r.Explanation, MaxPresenceExplanationLen))
}

// presenceReactions checks a session's reactions: at most
// MaxPresenceReactions, each in [0, MaxPresenceDuration]. Only the first
// reaction out of range is named.
func presenceReactions(rs []time.Duration) error {
	if len(rs) > MaxPresenceReactions {
		return fmt.Errorf("Reactions holds %d reactions, more than the limit of %d", len(rs), MaxPresenceReactions)
	}
	for i, r := range rs {
		if err := presenceDuration(fmt.Sprintf("Reactions[%d]", i), r, 0); err != nil {
			return err
		}
	}
	return nil
}

// presenceDuration checks that d lies in [low, MaxPresenceDuration].
func presenceDuration(field string, d, low time.Duration) error {
	if d < low || d > MaxPresenceDuration {
		return fmt.Errorf("%s %v is outside [%v, %v]", field, d, low, MaxPresenceDuration)
	}
	return nil
}

// presenceCount checks that n lies in [0, MaxPresenceReactions].
func presenceCount(field string, n int) error {
	if n < 0 || n > MaxPresenceReactions {
		return fmt.Errorf("%s %d is outside [0, %d]", field, n, MaxPresenceReactions)
	}
	return nil
}

// PreparePresenceSession returns s as the stores keep it: Started and
// Finished in UTC at microsecond precision, and the reactions copied, or
// nil when there are none. s must be valid.
func PreparePresenceSession(s presence.Session) presence.Session {
	s.Started, s.Finished = utcMicro(s.Started), utcMicro(s.Finished)
	if len(s.Reactions) == 0 {
		s.Reactions = nil
	} else {
		s.Reactions = slices.Clone(s.Reactions)
	}
	return s
}

// SamePresenceSession reports whether a and b are the same session, field
// by field; the stores use it to tell a retried save from a conflict.
func SamePresenceSession(a, b presence.Session) bool {
	return a.ID == b.ID && a.WorkerID == b.WorkerID && a.Enrol == b.Enrol &&
		a.Started.Equal(b.Started) && a.Finished.Equal(b.Finished) &&
		slices.Equal(a.Reactions, b.Reactions) && a.FalseStarts == b.FalseStarts &&
		a.PageRTT == b.PageRTT && a.ClientRTT == b.ClientRTT && a.Result == b.Result
}

// EncodePresenceReactions returns the stored form of valid reactions: each
// reaction in nanoseconds as an unsigned varint (encoding/binary), in
// order; about 4 bytes a reaction. It is never nil, so that a session
// without reactions stores an empty value, not NULL.
func EncodePresenceReactions(rs []time.Duration) []byte {
	b := make([]byte, 0, 4*len(rs))
	for _, r := range rs {
		b = binary.AppendUvarint(b, uint64(r))
	}
	return b
}

// DecodePresenceReactions decodes the stored form that
// [EncodePresenceReactions] makes. It refuses what that never makes: a
// truncated, overlong or non-minimal varint, more than
// MaxPresenceReactions reactions or one outside [0,
// MaxPresenceDuration]. It returns nil for no reactions.
func DecodePresenceReactions(b []byte) ([]time.Duration, error) {
	var rs []time.Duration
	for off := 0; off < len(b); {
		v, n := binary.Uvarint(b[off:])
		switch {
		case n == 0:
			return nil, fmt.Errorf("decode reactions: byte %d: truncated varint", off)
		case n < 0:
			return nil, fmt.Errorf("decode reactions: byte %d: varint overflows 64 bits", off)
		case n > 1 && b[off+n-1] == 0:
			return nil, fmt.Errorf("decode reactions: byte %d: non-minimal varint", off)
		case len(rs) == MaxPresenceReactions:
			return nil, fmt.Errorf("decode reactions: more than the limit of %d", MaxPresenceReactions)
		case v > uint64(MaxPresenceDuration):
			return nil, fmt.Errorf("decode reactions: reaction %d: %d ns is more than the limit of %v", len(rs), v, MaxPresenceDuration)
		}
		rs = append(rs, time.Duration(v))
		off += n
	}
	return rs, nil
}

// presenceResultJSON is the stored form of a presence.Result: its own
// field names, so that renaming a Go field cannot lose stored results,
// and durations in nanoseconds.
type presenceResultJSON struct {
	Verdict     presence.Verdict `json:"verdict"`
	AddedDelay  int64            `json:"added_delay_ns"`
	CILow       int64            `json:"ci_low_ns"`
	CIHigh      int64            `json:"ci_high_ns"`
	Prompts     int              `json:"prompts"`
	Valid       int              `json:"valid"`
	Excluded    int              `json:"excluded"`
	MedianRT    int64            `json:"median_rt_ns"`
	Baseline    string           `json:"baseline"`
	Explanation string           `json:"explanation"`
}

// EncodePresenceResult returns the stored form of a valid result: a JSON
// object with the fields verdict, added_delay_ns, ci_low_ns, ci_high_ns,
// prompts, valid, excluded, median_rt_ns, baseline and explanation.
func EncodePresenceResult(r presence.Result) []byte {
	b, err := json.Marshal(presenceResultJSON{
		Verdict: r.Verdict, AddedDelay: int64(r.AddedDelay), CILow: int64(r.CILow), CIHigh: int64(r.CIHigh),
		Prompts: r.Prompts, Valid: r.Valid, Excluded: r.Excluded, MedianRT: int64(r.MedianRT),
		Baseline: r.Baseline, Explanation: r.Explanation,
	})
	if err != nil { // strings and integers always encode
		panic(fmt.Sprintf("store: encode presence result: %v", err))
	}
	return b
}

// DecodePresenceResult decodes the stored form that [EncodePresenceResult]
// makes and checks the result with [ValidatePresenceResult]. Fields it
// does not know are ignored; a missing field is zero.
func DecodePresenceResult(b []byte) (presence.Result, error) {
	var j presenceResultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return presence.Result{}, fmt.Errorf("decode result: %w", err)
	}
	r := presence.Result{
		Verdict: j.Verdict, AddedDelay: time.Duration(j.AddedDelay), CILow: time.Duration(j.CILow), CIHigh: time.Duration(j.CIHigh),
		Prompts: j.Prompts, Valid: j.Valid, Excluded: j.Excluded, MedianRT: time.Duration(j.MedianRT),
		Baseline: j.Baseline, Explanation: j.Explanation,
	}
	if err := ValidatePresenceResult(r); err != nil {
		return presence.Result{}, fmt.Errorf("decode result: %w", err)
	}
	return r, nil
}

// PresenceBaseline builds the baseline of workerID from the reactions of
// its enrolment sessions, oldest first, as presence.MemStore does: with
// presence.WorkerBaseline, and an error wrapping presence.ErrNoBaseline
// when there is no enrolment or too few valid reactions.
func PresenceBaseline(workerID string, enrol [][]time.Duration) (presence.Baseline, error) {
	if len(enrol) == 0 {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: no enrolment: %w", clip(workerID), presence.ErrNoBaseline)
	}
	b, err := presence.WorkerBaseline(enrol)
	if err != nil {
		return presence.Baseline{}, fmt.Errorf("baseline for worker %q: %w: %w", clip(workerID), err, presence.ErrNoBaseline)
	}
	return b, nil
}

// ValidatePresenceWorker reports whether Baseline and PresenceSessions may
// look up workerID: 1 to MaxPresenceWorkerIDLen bytes of text, as
// ValidatePresenceSession requires of a stored session.
func ValidatePresenceWorker(workerID string) error {
	return requiredMax("workerID", workerID, MaxPresenceWorkerIDLen)
}

// ValidatePresenceQuery reports whether PresenceSessions may list the
// sessions of workerID finished since since, limit at most: workerID as
// for [ValidatePresenceWorker], since zero or in years 1–9999, and limit
// at most MaxPresenceList.
func ValidatePresenceQuery(workerID string, since time.Time, limit int) error {
	errs := []error{ValidatePresenceWorker(workerID)}
	if !since.IsZero() {
		errs = append(errs, validTime("since", since))
	}
	if limit > MaxPresenceList {
		errs = append(errs, fmt.Errorf("limit %d is more than the limit of %d", limit, MaxPresenceList))
	}
	return errors.Join(errs...)
}

// PreparePresenceSince returns since as the stores compare it with a
// session's Finished: in UTC rounded up to the microsecond (stored times
// are whole microseconds, so this selects the same sessions). A zero since
// stays zero.
func PreparePresenceSince(since time.Time) time.Time {
	if since.IsZero() {
		return since
	}
	t := since.Truncate(time.Microsecond)
	if !t.Equal(since) {
		t = t.Add(time.Microsecond)
	}
	return t.UTC()
}

// PresenceLimit returns the number of sessions to list for limit n: n, or
// DefaultPresenceLimit when n <= 0. n must be valid.
func PresenceLimit(n int) int {
	if n <= 0 {
		return DefaultPresenceLimit
	}
	return n
}
