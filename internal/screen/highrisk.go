package screen

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
)

// MaxHighRiskBytes is the longest high-risk institution list
// [LoadHighRisk] reads.
const MaxHighRiskBytes = 4 << 20

// HighRiskEntry is one institution of a high-risk list.
type HighRiskEntry struct {
	Name    string // as written in the list
	Country string // ISO 3166-1 alpha-2 code; empty matches any country
	Reason  string // why a degree from it cannot be real, for the reviewer
	Source  string // the public source: a URL or a citation
}

// HighRiskList is a list of institutions whose degrees cannot be real:
// sting schools, diploma mills. Create one with [LoadHighRisk] or
// [DefaultHighRisk]; it is read-only and safe for concurrent use.
type HighRiskList struct {
	entries []HighRiskEntry
	byKey   map[string][]int
}

//go:embed highrisk.txt
var defaultHighRisk string

// DefaultHighRisk returns the embedded list (highrisk.txt), each entry with
// its public source.
func DefaultHighRisk() *HighRiskList {
	l, err := LoadHighRisk(strings.NewReader(defaultHighRisk))
	if err != nil {
		panic("screen: embedded highrisk.txt: " + err.Error()) // a build defect, caught by tests
	}
	return l
}

// LoadHighRisk reads a high-risk institution list: one entry per line,
// four fields separated by "|": name, country (ISO 3166-1 alpha-2, or empty
// for any), reason, source. Name, reason and source are required; blank
// lines and lines starting with "#" are skipped. Errors name the line
// (1-based) and the field.
func LoadHighRisk(r io.Reader) (*HighRiskList, error) {
	l := &HighRiskList{byKey: map[string][]int{}}
	err := readLines(r, MaxHighRiskBytes, "high-risk list", func(n int, line string) error {
		if line == "" || line[0] == '#' {
			return nil
		}
		f := strings.Split(line, "|")
		if len(f) != 4 {
			return fmt.Errorf("line %d: %d fields, want 4 (name | country | reason | source)", n, len(f))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		e := HighRiskEntry{Name: f[0], Country: strings.ToUpper(f[1]), Reason: f[2], Source: f[3]}
		for _, c := range []struct{ field, v string }{{"name", e.Name}, {"reason", e.Reason}, {"source", e.Source}} {
			switch {
			case c.v == "":
				return fmt.Errorf("line %d: %s: empty", n, c.field)
			case len(c.v) > 1024:
				return fmt.Errorf("line %d: %s: %d bytes, longer than the limit of 1024", n, c.field, len(c.v))
			}
		}
		if e.Country != "" && !isAlpha2(e.Country) {
			return fmt.Errorf("line %d: country %q: want two letters or nothing", n, clip(f[1], 20))
		}
		keys := institutionKeys(e.Name)
		if len(keys) == 0 {
			return fmt.Errorf("line %d: name %q: no letters or digits", n, clip(e.Name, 60))
		}
		l.entries = append(l.entries, e)
		for _, k := range keys {
			l.byKey[k] = append(l.byKey[k], len(l.entries)-1)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Len returns the number of entries.
func (l *HighRiskList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.entries)
}

// Entries returns a copy of the entries, in file order.
func (l *HighRiskList) Entries() []HighRiskEntry {
	if l == nil {
		return nil
	}
	return append([]HighRiskEntry(nil), l.entries...)
}

// match returns the entry a claimed institution names, when its country is
// unset, unknown or the same.
func (l *HighRiskList) match(claimed, country string) (HighRiskEntry, bool) {
	if l == nil {
		return HighRiskEntry{}, false
	}
	for _, k := range queryKeys(claimed) {
		for _, i := range l.byKey[k] {
			e := l.entries[i]
			if e.Country == "" || country == "" || strings.EqualFold(e.Country, country) {
				return e, true
			}
		}
	}
	return HighRiskEntry{}, false
}
