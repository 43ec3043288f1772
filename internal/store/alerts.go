package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Risk alerts and the alerter's state: the alerts package risk raised, each
// kept with the columns that listing needs and the whole alert as JSON,
// and the alerter's state (open alerts, suppressions, the next alert
// number) as one JSON value, saved together so that a restart neither
// loses an alert nor raises it again. Package store does not import risk:
// the bodies are opaque JSON objects here. Both stores validate with the
// functions below before writing, so SQLite and PostgreSQL accept exactly
// the same records.

// Levels of [Alert]; the same names as risk's levels.
const (
	AlertClear = "clear"
	AlertWatch = "watch"
	AlertHigh  = "high"
)

// AlertLevels lists the valid levels of [Alert].
var AlertLevels = []string{AlertClear, AlertWatch, AlertHigh}

// Limits on alerts and the alerter's state. Errors name the field and the
// limit.
const (
	MaxAlertIDLen          = 256           // bytes in Alert.ID and Alert.Rule
	MaxAlertSubjectKindLen = 64            // bytes in Alert.SubjectKind
	MaxAlertSubjectIDLen   = MaxLinkRefLen // bytes in Alert.SubjectID: a worker ID, or a login (an e-mail address) for an account
	MaxAlertSummaryLen     = 4096          // bytes in Alert.Summary
	MaxAlertBodyLen        = 1 << 20       // bytes in Alert.Body
	MaxAlertStateBytes     = 64 << 20      // bytes in the state SaveAlerts stores
	MaxAlertsPerSave       = 10_000        // alerts per SaveAlerts call
	MaxAlertList           = 10_000        // AlertFilter.Limit, the limit of UnexportedAlerts and IDs per MarkAlertsExported call
	DefaultAlertLimit      = 100           // alerts listed when no limit is given
)

// Alert is a risk alert as stored (a risk.Alert): the columns that listing
// filters and sorts on, and the whole alert as JSON in Body.
type Alert struct {
	// ID is the alerter's ID of the alert, e.g. "risk-12": unique, 1 to
	// MaxAlertIDLen bytes.
	ID string
	// SubjectKind is what the alert is about: "worker", "applicant",
	// "device" or "account" (any 1 to MaxAlertSubjectKindLen bytes of
	// a-z are accepted).
	SubjectKind string
	// SubjectID identifies the subject, 1 to MaxAlertSubjectIDLen bytes.
	SubjectID string
	// Rule is the alert rule that fired, 1 to MaxAlertIDLen bytes.
	Rule string
	// Level is one of AlertLevels.
	Level string
	// At is when the alert was raised; stored in UTC at microsecond
	// precision.
	At time.Time
	// LogOdds is the subject's risk when the alert was raised; finite.
	LogOdds float64
	// Summary is one sentence for the analyst, 1 to MaxAlertSummaryLen
	// bytes.
	Summary string
	// Body is the whole alert, a JSON object of at most MaxAlertBodyLen
	// bytes; required. The stores return it byte for byte as saved.
	Body json.RawMessage
	// ExportedAt is when MarkAlertsExported marked the alert exported;
	// zero until then. SaveAlerts ignores it.
	ExportedAt time.Time
}

// Validate reports whether a can be stored. Errors name the field and the
// limit. ExportedAt is not checked.
func (a Alert) Validate() error {
	errs := []error{
		requiredMax("ID", a.ID, MaxAlertIDLen),
		alertSubjectKind(a.SubjectKind),
		requiredMax("SubjectID", a.SubjectID, MaxAlertSubjectIDLen),
		requiredMax("Rule", a.Rule, MaxAlertIDLen),
	}
	if !slices.Contains(AlertLevels, a.Level) {
		errs = append(errs, fmt.Errorf("Level %q is not one of %q", clip(a.Level), AlertLevels))
	}
	errs = append(errs, validTime("At", a.At))
	if math.IsNaN(a.LogOdds) || math.IsInf(a.LogOdds, 0) {
		errs = append(errs, fmt.Errorf("LogOdds %v is not a finite number", a.LogOdds))
	}
	errs = append(errs,
		requiredMax("Summary", a.Summary, MaxAlertSummaryLen),
		jsonObjectMax("Body", a.Body, MaxAlertBodyLen))
	return errors.Join(errs...)
}

// alertSubjectKind checks Alert.SubjectKind: 1 to MaxAlertSubjectKindLen
// bytes of a-z.
func alertSubjectKind(k string) error {
	switch {
	case k == "":
		return errors.New("SubjectKind is required")
	case len(k) > MaxAlertSubjectKindLen:
		return fmt.Errorf("SubjectKind is %d bytes, longer than the limit of %d", len(k), MaxAlertSubjectKindLen)
	}
	for _, c := range []byte(k) {
		if c < 'a' || c > 'z' {
			return fmt.Errorf("SubjectKind %q has a character other than a-z", clip(k))
		}
	}
	return nil
}

// jsonObjectMax checks a required JSON object of at most limit bytes that
// both stores keep unchanged (see [jsonObject]) and whose nesting SQLite's
// JSON functions accept (at most MaxJSONDepth). The length is checked
// first, so that an oversized value is not parsed.
func jsonObjectMax(field string, v json.RawMessage, limit int) error {
	switch {
	case len(v) == 0:
		return fmt.Errorf("%s is required", field)
	case len(v) > limit:
		return fmt.Errorf("%s is %d bytes, longer than the limit of %d", field, len(v), limit)
	}
	if err := jsonObject(field, v); err != nil {
		return err
	}
	if jsonDepth(v) > MaxJSONDepth {
		return fmt.Errorf("%s is nested deeper than the limit of %d", field, MaxJSONDepth)
	}
	return nil
}

// ValidateAlerts reports whether SaveAlerts may store state and alerts:
// state a JSON object of at most MaxAlertStateBytes, at most
// MaxAlertsPerSave alerts, each valid. Errors name the state, or the alert
// by index, and the field; the first few invalid alerts are described and
// the others counted.
func ValidateAlerts(state json.RawMessage, alerts []Alert) error {
	var errs []error
	errs = append(errs, jsonObjectMax("state", state, MaxAlertStateBytes))
	if len(alerts) > MaxAlertsPerSave {
		errs = append(errs, fmt.Errorf("%d alerts, more than the limit of %d per call", len(alerts), MaxAlertsPerSave))
		return errors.Join(errs...)
	}
	bad := 0
	for i, a := range alerts {
		if err := a.Validate(); err != nil {
			if bad < maxInvalid {
				errs = append(errs, fmt.Errorf("alert %d: %w", i, err))
			}
			bad++
		}
	}
	if bad > maxInvalid {
		errs = append(errs, fmt.Errorf("%d more invalid alerts", bad-maxInvalid))
	}
	return errors.Join(errs...)
}

// PrepareAlerts returns alerts as the stores keep them: one alert per ID
// (the first), in order, each with At in UTC at microsecond precision and
// ExportedAt zero. The alerts must be valid.
func PrepareAlerts(alerts []Alert) []Alert {
	out := make([]Alert, 0, len(alerts))
	seen := make(map[string]bool, len(alerts))
	for _, a := range alerts {
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		a.At, a.ExportedAt = utcMicro(a.At), time.Time{}
		out = append(out, a)
	}
	return out
}

// AlertFilter selects alerts for [Store.Alerts].
type AlertFilter struct {
	// SubjectKind and SubjectID select one subject's alerts; both empty
	// for all subjects. Either without the other is an error.
	SubjectKind string
	SubjectID   string
	// Before selects alerts raised before it; zero for no bound.
	Before time.Time
	// Limit is the most alerts returned: <= 0 means DefaultAlertLimit,
	// more than MaxAlertList is an error.
	Limit int
}

// Validate reports whether f is a valid filter.
func (f AlertFilter) Validate() error {
	var errs []error
	if f.SubjectKind != "" || f.SubjectID != "" {
		errs = append(errs, alertSubjectKind(f.SubjectKind), requiredMax("SubjectID", f.SubjectID, MaxAlertSubjectIDLen))
	}
	if !f.Before.IsZero() {
		errs = append(errs, validTime("Before", f.Before))
	}
	errs = append(errs, alertLimit("Limit", f.Limit))
	return errors.Join(errs...)
}

// PrepareAlertFilter returns f as the stores apply it: Before, unless
// zero, in UTC rounded up to the microsecond (stored times are whole
// microseconds, so this selects the same alerts), and Limit set by
// [AlertLimit]. f must be valid.
func PrepareAlertFilter(f AlertFilter) AlertFilter {
	if !f.Before.IsZero() {
		b := f.Before.Truncate(time.Microsecond)
		if !b.Equal(f.Before) {
			b = b.Add(time.Microsecond)
		}
		f.Before = b.UTC()
	}
	f.Limit = AlertLimit(f.Limit)
	return f
}

// alertLimit checks a limit on alerts listed.
func alertLimit(field string, n int) error {
	if n > MaxAlertList {
		return fmt.Errorf("%s %d is more than the limit of %d", field, n, MaxAlertList)
	}
	return nil
}

// AlertLimit returns the number of alerts to list for limit n: n, or
// DefaultAlertLimit when n <= 0. n must be valid.
func AlertLimit(n int) int {
	if n <= 0 {
		return DefaultAlertLimit
	}
	return n
}

// ValidateUnexportedLimit reports whether UnexportedAlerts may list limit
// alerts: at most MaxAlertList.
func ValidateUnexportedLimit(limit int) error { return alertLimit("limit", limit) }

// ValidateMarkExported reports whether MarkAlertsExported may mark ids
// exported at at: at most MaxAlertList IDs, each 1 to MaxAlertIDLen bytes
// of text, and at set.
func ValidateMarkExported(ids []string, at time.Time) error {
	errs := []error{validTime("at", at)}
	if len(ids) > MaxAlertList {
		errs = append(errs, fmt.Errorf("%d IDs, more than the limit of %d per call", len(ids), MaxAlertList))
		return errors.Join(errs...)
	}
	for i, id := range ids {
		if err := requiredMax(fmt.Sprintf("ids[%d]", i), id, MaxAlertIDLen); err != nil {
			errs = append(errs, err)
			break
		}
	}
	return errors.Join(errs...)
}
