// Package hiring is the applicant domain that screening works on: who applied,
// how to reach them, what they claim about their schooling and employment,
// where they claim to work and where the company should ship equipment, and
// what the application itself revealed (the IP address and user agent it came
// from).
//
// Importers (internal/hiring/importer, internal/resume) produce [Applicant]
// values; [Applicant.Validate] is the single place where field limits are
// enforced, so every source yields the same errors for the same bad data.
package hiring

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Field limits. An applicant that exceeds one is rejected with a
// [FieldError] naming the field and the limit; nothing is truncated silently.
const (
	MaxIDLen       = 128     // bytes in an applicant ID
	MaxTextLen     = 512     // bytes in any short text field (name, place, address, institution, …)
	MaxResumeLen   = 1 << 20 // bytes of résumé text
	MaxContacts    = 16      // e-mail addresses, phone numbers or links per applicant
	MaxHistory     = 64      // education or employment entries per applicant
	MaxPhotoHashes = 8       // photo hashes per applicant
	MaxZoneLen     = 64      // bytes in the IPv6 zone of an application IP (fe80::1%eth0)
)

// Applicant is one application as imported. Only ID is required; every check
// uses what is present and says what it could not check.
type Applicant struct {
	// ID identifies the applicant within lagwatch. Importers take it from
	// the source (the ATS candidate ID) or derive it from the file and row.
	ID string `json:"id"`
	// Source says where the record came from: "greenhouse.csv row 12",
	// "alice.pdf".
	Source string `json:"source,omitempty"`

	Name     string   `json:"name,omitempty"`
	Emails   []string `json:"emails,omitempty"`
	Phones   []string `json:"phones,omitempty"` // as written, e.g. "+1 (602) 555-0134"
	Links    []string `json:"links,omitempty"`  // profile URLs: LinkedIn, GitHub, portfolio
	Position string   `json:"position,omitempty"`

	// ClaimedLocation is where the applicant says they live and will work,
	// as written ("Phoenix, AZ, US").
	ClaimedLocation string `json:"claimed_location,omitempty"`
	// ShippingAddress is where equipment is to be sent, as one line.
	ShippingAddress string `json:"shipping_address,omitempty"`

	// ApplicationIP is the address the application was submitted from;
	// invalid when unknown.
	ApplicationIP netip.Addr `json:"application_ip,omitzero"`
	UserAgent     string     `json:"user_agent,omitempty"`
	AppliedAt     time.Time  `json:"applied_at,omitzero"`

	Education  []Education  `json:"education,omitempty"`
	Employment []Employment `json:"employment,omitempty"`

	// ResumeText is the résumé's plain text, when one was supplied.
	ResumeText string `json:"resume_text,omitempty"`
	// PhotoHashes are perceptual hashes of the applicant's photos, as
	// 16 hexadecimal digits (a 64-bit aHash/dHash/pHash), when supplied.
	PhotoHashes []string `json:"photo_hashes,omitempty"`
}

// Education is one school the applicant claims.
type Education struct {
	Institution string    `json:"institution"`
	Country     string    `json:"country,omitempty"` // ISO 3166-1 alpha-2 when known
	Degree      string    `json:"degree,omitempty"`
	Area        string    `json:"area,omitempty"`
	Start       YearMonth `json:"start,omitzero"`
	End         YearMonth `json:"end,omitzero"` // graduation, or expected graduation
}

// Employment is one job the applicant claims.
type Employment struct {
	Employer string    `json:"employer"`
	Website  string    `json:"website,omitempty"` // URL or domain as given
	Title    string    `json:"title,omitempty"`
	Location string    `json:"location,omitempty"`
	Start    YearMonth `json:"start,omitzero"`
	End      YearMonth `json:"end,omitzero"` // zero with Current for a present job
	Current  bool      `json:"current,omitempty"`
}

// YearMonth is a date as résumés give it: a year, and a month when known.
// The zero value means unknown.
type YearMonth struct {
	Year  int `json:"year"`
	Month int `json:"month,omitempty"` // 1–12, or 0 when only the year is known
}

// IsZero reports whether the date is unknown.
func (d YearMonth) IsZero() bool { return d.Year == 0 }

// Months returns the date as a count of months since year 0, taking an
// unknown month as June, for comparing dates of different precision.
func (d YearMonth) Months() int {
	m := d.Month
	if m == 0 {
		m = 6
	}
	return d.Year*12 + m - 1
}

// String formats the date as "2019-05", "2019" or "" when unknown.
func (d YearMonth) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	default:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
}

// ParseYearMonth parses "2019", "2019-05", "2019-05-17", "05/2019" and
// "May 2019" (English month names, full or three letters). Empty text gives
// the zero value.
func ParseYearMonth(s string) (YearMonth, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return YearMonth{}, nil
	}
	bad := errBadDate
	var y, m int
	var err error
	switch {
	case len(s) == 4:
		y, err = strconv.Atoi(s)
	case len(s) >= 7 && s[4] == '-':
		y, err = strconv.Atoi(s[:4])
		if err == nil {
			m, err = strconv.Atoi(s[5:7])
		}
		if err == nil && len(s) > 7 && (len(s) != 10 || s[7] != '-') {
			err = bad
		}
	case strings.Contains(s, "/"):
		a, b, _ := strings.Cut(s, "/")
		m, err = strconv.Atoi(a)
		if err == nil {
			y, err = strconv.Atoi(b)
		}
		if err == nil && len(b) != 4 {
			err = bad
		}
	default:
		name, year, ok := strings.Cut(s, " ")
		if !ok {
			return YearMonth{}, fmt.Errorf("date %q: want YYYY, YYYY-MM, MM/YYYY or Month YYYY", clip(s, 40))
		}
		m = monthNumber(name)
		if m == 0 {
			return YearMonth{}, fmt.Errorf("date %q: want YYYY, YYYY-MM, MM/YYYY or Month YYYY", clip(s, 40))
		}
		y, err = strconv.Atoi(strings.TrimSpace(year))
	}
	if err != nil {
		return YearMonth{}, fmt.Errorf("date %q: want YYYY, YYYY-MM, MM/YYYY or Month YYYY", clip(s, 40))
	}
	if y < 1900 || y > 2200 {
		return YearMonth{}, fmt.Errorf("date %q: year %d outside 1900–2200", clip(s, 40), y)
	}
	if m < 0 || m > 12 {
		return YearMonth{}, fmt.Errorf("date %q: month %d outside 1–12", clip(s, 40), m)
	}
	return YearMonth{Year: y, Month: m}, nil
}

// errBadDate marks a date that does not parse; ParseYearMonth replaces it
// with a message quoting the date.
var errBadDate = errors.New("bad date")

var months = [...]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

func monthNumber(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for i, name := range months {
		if s == name || (len(s) == 3 && strings.HasPrefix(name, s)) || (s == "sept" && i == 8) {
			return i + 1
		}
	}
	return 0
}

// FieldError is a rejected field: which one, what was wrong, and the limit
// where one applies.
type FieldError struct {
	Field string // JSON path of the field: "emails[2]", "education[0].end"
	Msg   string // what is wrong, naming the limit: "longer than 512 bytes"
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// RecordError is an import error for one record (a CSV row, a JSON document
// or a file). The record is skipped; the rest of the import goes on.
type RecordError struct {
	Source string // file name
	Record int    // 1-based row or array index; 0 when the error is about the whole file
	Err    error
}

// Error names the source and record, then the cause.
func (e *RecordError) Error() string {
	if e.Record > 0 {
		return fmt.Sprintf("%s record %d: %v", e.Source, e.Record, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Source, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *RecordError) Unwrap() error { return e.Err }

// Validate checks every field against its limit and returns all the
// problems found, each a [*FieldError], joined; nil when the applicant can be
// stored.
func (a *Applicant) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	text := func(field, v string, limit int) {
		if msg := checkText(v, limit); msg != "" {
			bad(field, "%s", msg)
		}
	}
	list := func(field string, vs []string, limit, each int) {
		if len(vs) > limit {
			bad(field, "%d entries, more than the limit of %d", len(vs), limit)
			return
		}
		for i, v := range vs {
			// Field names are built only for a bad entry: imports
			// validate millions of good ones.
			if msg := checkText(v, each); msg != "" {
				bad(fmt.Sprintf("%s[%d]", field, i), "%s", msg)
			}
			if strings.TrimSpace(v) == "" {
				bad(fmt.Sprintf("%s[%d]", field, i), "empty")
			}
		}
	}
	date := func(field string, d YearMonth) {
		if d.IsZero() {
			if d.Month != 0 {
				bad(field, "month without a year")
			}
			return
		}
		if d.Year < 1900 || d.Year > 2200 {
			bad(field, "year %d outside 1900–2200", d.Year)
		}
		if d.Month < 0 || d.Month > 12 {
			bad(field, "month %d outside 1–12", d.Month)
		}
	}

	switch {
	case strings.TrimSpace(a.ID) == "":
		bad("id", "required")
	default:
		text("id", a.ID, MaxIDLen)
	}
	text("source", a.Source, MaxTextLen)
	text("name", a.Name, MaxTextLen)
	list("emails", a.Emails, MaxContacts, MaxTextLen)
	list("phones", a.Phones, MaxContacts, MaxTextLen)
	list("links", a.Links, MaxContacts, MaxTextLen)
	text("position", a.Position, MaxTextLen)
	text("claimed_location", a.ClaimedLocation, MaxTextLen)
	text("shipping_address", a.ShippingAddress, MaxTextLen)
	text("user_agent", a.UserAgent, MaxTextLen)
	if z := a.ApplicationIP.Zone(); z != "" {
		// An IPv6 zone is text the stores keep as such.
		if msg := checkText(z, MaxZoneLen); msg != "" {
			bad("application_ip", "zone: %s", msg)
		}
	}
	text("resume_text", a.ResumeText, MaxResumeLen)
	if len(a.PhotoHashes) > MaxPhotoHashes {
		bad("photo_hashes", "%d entries, more than the limit of %d", len(a.PhotoHashes), MaxPhotoHashes)
	} else {
		for i, h := range a.PhotoHashes {
			if _, err := ParsePhotoHash(h); err != nil {
				bad(fmt.Sprintf("photo_hashes[%d]", i), "%v", err)
			}
		}
	}
	if len(a.Education) > MaxHistory {
		bad("education", "%d entries, more than the limit of %d", len(a.Education), MaxHistory)
	} else {
		for i, e := range a.Education {
			p := "education[" + strconv.Itoa(i) + "]."
			if strings.TrimSpace(e.Institution) == "" {
				bad(p+"institution", "required")
			}
			text(p+"institution", e.Institution, MaxTextLen)
			text(p+"country", e.Country, 2)
			text(p+"degree", e.Degree, MaxTextLen)
			text(p+"area", e.Area, MaxTextLen)
			date(p+"start", e.Start)
			date(p+"end", e.End)
			if !e.Start.IsZero() && !e.End.IsZero() && e.End.Months() < e.Start.Months() {
				bad(p+"end", "%s before start %s", e.End, e.Start)
			}
		}
	}
	if len(a.Employment) > MaxHistory {
		bad("employment", "%d entries, more than the limit of %d", len(a.Employment), MaxHistory)
	} else {
		for i, e := range a.Employment {
			p := "employment[" + strconv.Itoa(i) + "]."
			if strings.TrimSpace(e.Employer) == "" {
				bad(p+"employer", "required")
			}
			text(p+"employer", e.Employer, MaxTextLen)
			text(p+"website", e.Website, MaxTextLen)
			text(p+"title", e.Title, MaxTextLen)
			text(p+"location", e.Location, MaxTextLen)
			date(p+"start", e.Start)
			date(p+"end", e.End)
			if !e.Start.IsZero() && !e.End.IsZero() && e.End.Months() < e.Start.Months() {
				bad(p+"end", "%s before start %s", e.End, e.Start)
			}
		}
	}
	return errors.Join(errs...)
}

// checkText says what is wrong with a text field value, or "" when nothing is.
func checkText(v string, limit int) string {
	switch {
	case len(v) > limit:
		return fmt.Sprintf("%d bytes, longer than the limit of %d", len(v), limit)
	case !utf8.ValidString(v):
		return "not valid UTF-8"
	case strings.IndexByte(v, 0) >= 0:
		return "contains a NUL byte"
	}
	return ""
}

// ParsePhotoHash parses a 64-bit perceptual hash written as 16 hexadecimal
// digits, optionally prefixed "a:", "d:" or "p:" for the hash kind.
func ParsePhotoHash(s string) (uint64, error) {
	if len(s) > 2 && s[1] == ':' {
		s = s[2:]
	}
	if len(s) != 16 {
		return 0, fmt.Errorf("photo hash %q: want 16 hexadecimal digits", clip(s, 40))
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("photo hash %q: want 16 hexadecimal digits", clip(s, 40))
	}
	return v, nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Shared is one identifier an applicant has in common with other applicants
// or current workers, as found by linking (internal/link).
type Shared struct {
	// Kind names the identifier: "phone", "email", "address", "ip",
	// "resume", "photo", "employer", "link".
	Kind string `json:"kind"`
	// Value is the normalised identifier ("+16025550134", "1 main st
	// phoenix az 85001", "203.0.113.0/24") or, for résumés and photos, a
	// description ("résumé text 91% similar").
	Value string `json:"value"`
	// With lists the IDs of the others sharing it; current workers are
	// written "worker:" + the worker's ID.
	With []string `json:"with"`
}
