package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// builder collects one record's values and the problems found while
// converting them. A record with any problem is rejected whole.
type builder struct {
	a    hiring.Applicant
	errs []error
	// item counters, so that an error names the item's index even when an
	// earlier item was rejected
	nEmails, nPhones, nLinks, nPhotos int
}

func (b *builder) fail(field, format string, args ...any) {
	b.errs = append(b.errs, fieldErr(field, format, args...))
}

// isPlaceholder reports whether v is a conventional "no value" cell.
func isPlaceholder(v string) bool {
	switch len(v) {
	case 1:
		return v == "-"
	case 2, 3, 4:
		return strings.EqualFold(v, "na") || strings.EqualFold(v, "n/a") ||
			strings.EqualFold(v, "none") || strings.EqualFold(v, "null")
	}
	return false
}

// splitList yields the items of a list cell: separated by ";", "," or line
// breaks, and also by white space when spaces is set.
func splitList(v string, spaces bool) iter.Seq[string] {
	return strings.FieldsFuncSeq(v, func(r rune) bool {
		return r == ';' || r == ',' || r == '\n' || (spaces && unicode.IsSpace(r))
	})
}

// addEmails adds the e-mail addresses in v, a single address or a ";" or
// ","-separated list.
func (b *builder) addEmails(v string) {
	for item := range splitList(v, false) {
		item = strings.TrimSpace(item)
		if item == "" || isPlaceholder(item) {
			continue
		}
		addr := normEmail(item)
		if containsFold(b.a.Emails, addr) {
			continue
		}
		i := b.nEmails
		b.nEmails++
		if !emailOK(addr) {
			b.fail(fmt.Sprintf("emails[%d]", i), "%q is not an e-mail address", clip(item, 60))
			continue
		}
		b.a.Emails = append(b.a.Emails, addr)
	}
}

// normEmail strips "mailto:" and a display name ("Ann <ann@example.com>").
func normEmail(s string) string {
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		s = s[i+1 : len(s)-1]
	}
	return strings.TrimSpace(s)
}

// emailOK checks the shape of an address: one "@", a local part, and a
// domain with a dot, without spaces or the characters that separate
// addresses.
func emailOK(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 {
		return false
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || domain[0] == '.' || domain[len(domain)-1] == '.' || strings.Contains(domain, "..") {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>(),;:"[]\`, r) {
			return false
		}
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// minPhoneDigits is the fewest digits a phone number may have.
const minPhoneDigits = 5

// addPhones adds the phone numbers in v, one or a ";"/","-separated list.
func (b *builder) addPhones(v string) {
	for item := range splitList(v, false) {
		item = strings.TrimSpace(item)
		if item == "" || isPlaceholder(item) || contains(b.a.Phones, item) {
			continue
		}
		i := b.nPhones
		b.nPhones++
		digits := 0
		for j := 0; j < len(item); j++ {
			if item[j] >= '0' && item[j] <= '9' {
				digits++
			}
		}
		if digits < minPhoneDigits {
			b.fail(fmt.Sprintf("phones[%d]", i), "%q has %d digits, want at least %d", clip(item, 60), digits, minPhoneDigits)
			continue
		}
		b.a.Phones = append(b.a.Phones, item)
	}
}

// addLinks adds the URLs in v, separated by ";", "," or white space.
func (b *builder) addLinks(v string) {
	for item := range splitList(v, true) {
		if isPlaceholder(item) || contains(b.a.Links, item) {
			continue
		}
		b.nLinks++
		b.a.Links = append(b.a.Links, item)
	}
}

// addPhotoHashes adds the photo hashes in v, separated by ";", "," or white
// space; [hiring.Applicant.Validate] checks their form.
func (b *builder) addPhotoHashes(v string) {
	for item := range splitList(v, true) {
		if isPlaceholder(item) || contains(b.a.PhotoHashes, item) {
			continue
		}
		b.nPhotos++
		b.a.PhotoHashes = append(b.a.PhotoHashes, item)
	}
}

// setIP parses the application IP address. Of a comma-separated list (an
// X-Forwarded-For chain) the first address is the client's; a port is
// dropped.
func (b *builder) setIP(v string) {
	v = strings.TrimSpace(v)
	if v == "" || isPlaceholder(v) {
		return
	}
	first, _, _ := strings.Cut(v, ",")
	first = strings.TrimSpace(first)
	addr, err := netip.ParseAddr(first)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(first)
		if err2 != nil {
			b.fail("application_ip", "%q is not an IP address", clip(v, 60))
			return
		}
		addr = ap.Addr()
	}
	b.a.ApplicationIP = addr.Unmap()
}

// timeLayouts are the forms applied_at may take, tried in order. A time
// without a zone is UTC.
var timeLayouts = []string{
	time.RFC3339Nano,            // 2024-03-05T14:07:00Z, 2024-03-05T14:07:00.5-07:00
	"2006-01-02T15:04:05",       // 2024-03-05T14:07:00
	"2006-01-02 15:04:05Z07:00", // 2024-03-05 14:07:00+01:00
	"2006-01-02 15:04:05",       // 2024-03-05 14:07:00, fractional seconds allowed
	"2006-01-02 15:04",          // 2024-03-05 14:07
	"2006-01-02",                // 2024-03-05
	"1/2/2006 15:04:05",         // 03/05/2024 14:07:00 (US order: month first)
	"1/2/2006 15:04",            // 03/05/2024 14:07
	"1/2/2006 3:04 PM",          // 3/5/2024 2:07 PM
	"1/2/2006",                  // 03/05/2024, 3/5/2024
}

// parseAppliedAt parses an application time in one of timeLayouts.
func parseAppliedAt(v string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if y := t.Year(); y < 1970 || y > 2200 {
				return time.Time{}, fmt.Errorf("%q: year %d outside 1970–2200", clip(v, 40), y)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2024-03-05T14:07:00Z), YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or MM/DD/YYYY [HH:MM]", clip(v, 40))
}

func (b *builder) setAppliedAt(v string) {
	v = strings.TrimSpace(v)
	if v == "" || isPlaceholder(v) {
		return
	}
	t, err := parseAppliedAt(v)
	if err != nil {
		b.errs = append(b.errs, &hiring.FieldError{Field: "applied_at", Msg: err.Error()})
		return
	}
	b.a.AppliedAt = t
}

// isPresent reports whether an end date says the entry is still going on.
func isPresent(s string) bool {
	switch strings.ToLower(s) {
	case "present", "current", "now", "ongoing", "today":
		return true
	}
	return false
}

// addEntry adds one education or employment entry from its parts (see
// numParts for their order). Entries with every part empty are skipped.
func (b *builder) addEntry(emp bool, parts *[numParts]string) {
	empty := true
	for _, p := range parts {
		if p != "" {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	if emp {
		i := len(b.a.Employment)
		e := hiring.Employment{Employer: parts[0], Title: parts[1], Location: parts[4], Website: parts[5]}
		e.Start = b.yearMonth("employment", i, "start", parts[2], nil)
		e.End = b.yearMonth("employment", i, "end", parts[3], &e.Current)
		b.a.Employment = append(b.a.Employment, e)
		return
	}
	i := len(b.a.Education)
	e := hiring.Education{Institution: parts[0], Degree: parts[1], Area: parts[2], Country: strings.ToUpper(parts[5])}
	e.Start = b.yearMonth("education", i, "start", parts[3], nil)
	var current bool
	e.End = b.yearMonth("education", i, "end", parts[4], &current)
	b.a.Education = append(b.a.Education, e)
}

// yearMonth parses the date of entry i of list ("education[0].end" names
// it in errors); for an end date (current != nil), "present" and its
// synonyms set *current and give the zero date.
func (b *builder) yearMonth(list string, i int, part, v string, current *bool) hiring.YearMonth {
	if v == "" || isPlaceholder(v) {
		return hiring.YearMonth{}
	}
	if current != nil && isPresent(v) {
		*current = true
		return hiring.YearMonth{}
	}
	if d, ok := fastYearMonth(v); ok {
		return d
	}
	d, err := hiring.ParseYearMonth(v)
	if err != nil {
		b.errs = append(b.errs, &hiring.FieldError{Field: fmt.Sprintf("%s[%d].%s", list, i, part), Msg: err.Error()})
	}
	return d
}

// fastYearMonth parses the common ISO forms "2019", "2019-05" and
// "2019-05-17" without allocating; ok is false for anything else, which
// [hiring.ParseYearMonth] then parses (or rejects) itself.
func fastYearMonth(s string) (d hiring.YearMonth, ok bool) {
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return d, false
	}
	y, ok := num(s[:4])
	if !ok || y < 1900 || y > 2200 {
		return d, false
	}
	d.Year = y
	if len(s) == 4 {
		return d, true
	}
	m, ok := num(s[5:7])
	if s[4] != '-' || !ok || m < 1 || m > 12 {
		return hiring.YearMonth{}, false
	}
	d.Month = m
	if len(s) == 10 {
		if _, ok := num(s[8:]); s[7] != '-' || !ok {
			return hiring.YearMonth{}, false
		}
	}
	return d, true
}

// addHistory adds the entries of a combined education or employment cell:
// entries separated by ";" or line breaks, parts by "|".
func (b *builder) addHistory(emp bool, v string) {
	name, order := "education", "institution|degree|area|start|end|country"
	if emp {
		name, order = "employment", "employer|title|start|end|location|website"
	}
	for entry := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		var parts [numParts]string
		n := 0
		for part := range strings.SplitSeq(entry, "|") {
			if n < numParts {
				parts[n] = strings.TrimSpace(part)
			}
			n++
		}
		if n > numParts {
			idx := len(b.a.Education)
			if emp {
				idx = len(b.a.Employment)
			}
			b.fail(fmt.Sprintf("%s[%d]", name, idx), "%d parts, want at most %d (%s)", n, numParts, order)
			// Keep the entry so that later entries keep their indexes.
		}
		b.addEntry(emp, &parts)
	}
}

// identified reports whether the record carries something that identifies
// the applicant.
func (b *builder) identified() bool {
	return b.a.ID != "" || strings.TrimSpace(b.a.Name) != "" || len(b.a.Emails) > 0 || b.nEmails > 0
}

// fieldErrors is a record's problems, listed on one line.
type fieldErrors []error

// Error lists the problems separated by "; ".
func (e fieldErrors) Error() string {
	var b strings.Builder
	for i, err := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e fieldErrors) Unwrap() []error { return e }

// flatten appends err to errs, unpacking joined errors.
func flatten(errs []error, err error) []error {
	if err == nil {
		return errs
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			errs = flatten(errs, e)
		}
		return errs
	}
	return append(errs, err)
}

// baseName returns the last element of a slash- or backslash-separated path.
func baseName(source string) string {
	if i := strings.LastIndexAny(source, `/\`); i >= 0 {
		source = source[i+1:]
	}
	if source == "" {
		return "input"
	}
	return source
}

// derivedID makes the ID of a record that has none: the source's base name,
// with "#" and the record number when rec > 0. Names too long or not clean
// text are shortened and made unique with a hash of the name.
func derivedID(source string, rec int) string {
	base := baseName(source)
	suffix := ""
	if rec > 0 {
		suffix = "#" + strconv.Itoa(rec)
	}
	if len(base)+len(suffix) <= hiring.MaxIDLen && cleanText(base) {
		return base + suffix
	}
	sum := sha256.Sum256([]byte(base))
	short := clip(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(base, "_")), 64)
	return short + "~" + hex.EncodeToString(sum[:4]) + suffix
}

func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// sourceLabel makes a source name safe to store in Applicant.Source.
func sourceLabel(source string) string {
	if source == "" {
		return "input"
	}
	if len(source) <= 400 && cleanText(source) {
		return source
	}
	return clip(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(source, "_")), 400)
}

// errNotIdentified is a record with nothing that says who applied.
var errNotIdentified = errors.New("no id, name or e-mail: nothing identifies the applicant")
