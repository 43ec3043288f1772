package screen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Limits of [LoadUniversities].
const (
	MaxUniversitiesBytes = 64 << 20 // bytes of JSON
	MaxUniversities      = 200_000  // entries
)

// University is one institution of the university list.
type University struct {
	Name    string   // as the list writes it: "Arizona State University"
	Country string   // ISO 3166-1 alpha-2 code: "US"
	Domains []string // e-mail and web domains: "asu.edu"
}

// Universities is a list of higher-education institutions and their
// domains, indexed for the education checks. Create one with
// [LoadUniversities]; it is read-only and safe for concurrent use.
type Universities struct {
	list     []University
	byKey    map[string][]int32 // institution key (and its variants) → entries
	byDomain map[string][]int32 // domain → entries
	sorted   []string           // the keys of byKey, sorted, for word-prefix matches
}

// hipoEntry is one object of world_universities_and_domains.json.
type hipoEntry struct {
	Name     string   `json:"name"`
	Domains  []string `json:"domains"`
	WebPages []string `json:"web_pages"`
	Country  string   `json:"country"`
	Alpha2   string   `json:"alpha_two_code"`
	State    *string  `json:"state-province"`
}

// LoadUniversities reads a university list in the format of the Hipo
// university-domains-list (world_universities_and_domains.json): a JSON
// array of objects with "name", "domains" (a list), "web_pages",
// "country", "alpha_two_code" and "state-province". Entries need a name and
// a two-letter alpha_two_code; domains are lower-cased and must be
// host names. Errors name the entry (0-based) and the field.
func LoadUniversities(r io.Reader) (*Universities, error) {
	lr := &io.LimitedReader{R: r, N: MaxUniversitiesBytes + 1}
	dec := json.NewDecoder(lr)
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("read university list: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New("read university list: want a JSON array of institutions")
	}
	u := &Universities{byKey: map[string][]int32{}, byDomain: map[string][]int32{}}
	for i := 0; dec.More(); i++ {
		if i >= MaxUniversities {
			return nil, fmt.Errorf("read university list: more than %d entries", MaxUniversities)
		}
		var e hipoEntry
		if err := dec.Decode(&e); err != nil {
			if lr.N <= 0 {
				return nil, fmt.Errorf("read university list: longer than %d bytes", MaxUniversitiesBytes)
			}
			return nil, fmt.Errorf("read university list entry %d: %w", i, err)
		}
		if err := u.add(e); err != nil {
			return nil, fmt.Errorf("read university list entry %d: %w", i, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("read university list: longer than %d bytes", MaxUniversitiesBytes)
		}
		return nil, fmt.Errorf("read university list: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("read university list: data after the array")
	}
	u.sorted = slices.Sorted(maps.Keys(u.byKey))
	return u, nil
}

// add validates e and indexes it.
func (u *Universities) add(e hipoEntry) error {
	name := strings.TrimSpace(e.Name)
	switch {
	case name == "":
		return errors.New("name: empty")
	case len(name) > 512:
		return fmt.Errorf("name: %d bytes, longer than the limit of 512", len(name))
	}
	if instKey(name) == "" {
		return fmt.Errorf("name %q: no letters or digits", clip(name, 60))
	}
	cc := strings.ToUpper(strings.TrimSpace(e.Alpha2))
	if !isAlpha2(cc) {
		return fmt.Errorf("alpha_two_code %q: want two letters", clip(e.Alpha2, 20))
	}
	if len(e.Domains) > 64 {
		return fmt.Errorf("domains: %d entries, more than the limit of 64", len(e.Domains))
	}
	idx := int32(len(u.list))
	uni := University{Name: name, Country: cc}
	for j, d := range e.Domains {
		d, ok := normDomain(d)
		if !ok {
			return fmt.Errorf("domains[%d] %q: not a host name", j, clip(e.Domains[j], 40))
		}
		uni.Domains = append(uni.Domains, d)
		u.byDomain[d] = appendIdx(u.byDomain[d], idx)
	}
	u.list = append(u.list, uni)
	for _, k := range institutionKeys(name) {
		u.byKey[k] = appendIdx(u.byKey[k], idx)
	}
	for _, k := range campusKeys(name) {
		u.byKey[k] = appendIdx(u.byKey[k], idx)
	}
	if a := acronym(instKey(name)); len(a) >= 2 {
		u.byKey["acronym:"+a] = appendIdx(u.byKey["acronym:"+a], idx)
	}
	return nil
}

func appendIdx(s []int32, i int32) []int32 {
	if len(s) > 0 && s[len(s)-1] == i {
		return s
	}
	return append(s, i)
}

// Len returns the number of institutions in the list.
func (u *Universities) Len() int { return len(u.list) }

// lookup returns the entries whose name matches the claimed name in any
// country, and whether the match is close. Matching is lenient on purpose,
// since absence is what the checks report. Close matches allow for case,
// accents, punctuation, a leading "The", the abbreviations "Univ."/"Uni"/
// "Inst."/"Coll.", "University of X" against "X University", a
// parenthesised part, a campus after the listed name, leading words as
// initials ("UC Berkeley"), and an all-capitals acronym ("MIT", "UCLA")
// against the initials of listed names. Loose matches, tried only when
// there is no close one, take the claimed name before a comma, dash or
// " at ", or find it as the first words of a listed name ("London School of
// Economics" for "London School of Economics and Political Science").
func (u *Universities) lookup(claimed string) (ids []int32, close bool) {
	for _, k := range institutionKeys(claimed) {
		ids = append(ids, u.byKey[k]...)
	}
	if t := strings.TrimSpace(claimed); len(t) >= 2 && len(t) <= 8 && isUpperWord(t) {
		ids = append(ids, u.byKey["acronym:"+strings.ToLower(t)]...)
	}
	if i := strings.IndexByte(claimed, '('); i >= 0 {
		if j := strings.IndexByte(claimed[i:], ')'); j > 0 {
			ids = append(ids, u.byKey[instKey(claimed[i+1:i+j])]...)
		}
	}
	if len(ids) > 0 {
		return ids, true
	}
	for _, k := range queryKeys(claimed) {
		ids = append(ids, u.byKey[k]...)
	}
	if k := instKey(claimed); strings.Count(k, " ") >= 2 {
		p := k + " "
		i, _ := slices.BinarySearch(u.sorted, p)
		for ; i < len(u.sorted) && strings.HasPrefix(u.sorted[i], p) && len(ids) < 64; i++ {
			ids = append(ids, u.byKey[u.sorted[i]]...)
		}
	}
	return ids, false
}

// owners returns the entries holding domain or one of its parent domains,
// and the domain that matched.
func (u *Universities) owners(domain string) ([]int32, string) {
	for d := domain; strings.Contains(d, "."); {
		if ids, ok := u.byDomain[d]; ok {
			return ids, d
		}
		_, d, _ = strings.Cut(d, ".")
	}
	return nil, ""
}

// wordAbbrev maps abbreviations in institution names to the full word.
var wordAbbrev = map[string]string{
	"univ": "university", "uni": "university", "universty": "university",
	"inst": "institute", "coll": "college", "intl": "international",
	"natl": "national", "tech": "technology", "st": "saint", "ste": "sainte",
}

// instKey returns the matching form of an institution name: folded, the
// abbreviations of [wordAbbrev] spelt out, a leading "the" dropped.
func instKey(name string) string {
	f := fold(name)
	words := strings.Fields(f)
	if len(words) > 0 && words[0] == "the" {
		words = words[1:]
	}
	for i, w := range words {
		if full, ok := wordAbbrev[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}

// institutionKeys returns the keys a listed name is indexed under: its
// key, the key without a parenthesised part, and the "university of X" /
// "X university" swap of each.
func institutionKeys(name string) []string { return nameKeys(name, false) }

// queryKeys returns the keys a claimed name is looked up under: those of
// institutionKeys, the parenthesised part as an alias, and the name before a
// comma, dash or " at " (a campus).
func queryKeys(claimed string) []string { return nameKeys(claimed, true) }

func nameKeys(name string, query bool) []string {
	var keys []string
	add := func(s string) {
		k := instKey(s)
		if k == "" || slices.Contains(keys, k) {
			return
		}
		keys = append(keys, k)
		if sw := swapUniversity(k); sw != "" && !slices.Contains(keys, sw) {
			keys = append(keys, sw)
		}
	}
	add(name)
	base := name
	if i := strings.IndexByte(name, '('); i >= 0 {
		if j := strings.IndexByte(name[i:], ')'); j > 0 {
			if query {
				add(name[i+1 : i+j])
			}
			base = name[:i] + name[i+j+1:]
			add(base)
		}
	}
	if query {
		for _, sep := range []string{",", " - ", " – ", " — ", " at "} {
			if i := strings.Index(base, sep); i > 0 {
				add(base[:i])
			}
		}
	}
	return keys
}

// campusKeys returns the extra keys a university list entry is indexed
// under, so that the short forms applicants write find it: the name before
// a campus or a parent body ("University of Michigan - Ann Arbor",
// "University College London, University of London"), and forms with the
// leading words as initials ("IIT Delhi" for "Indian Institute of
// Technology, Delhi", "UC Berkeley" for "University of California,
// Berkeley").
func campusKeys(name string) []string {
	var keys []string
	base := name
	if i := strings.IndexByte(name, '('); i >= 0 {
		base = name[:i]
	}
	for _, sep := range []string{",", " - ", " – ", " — "} {
		if i := strings.Index(base, sep); i > 0 {
			if k := instKey(base[:i]); k != "" {
				keys = append(keys, k)
				if sw := swapUniversity(k); sw != "" {
					keys = append(keys, sw)
				}
			}
		}
	}
	words := strings.Fields(instKey(base))
	for n := 2; n < len(words); n++ {
		a := acronym(strings.Join(words[:n], " "))
		rest := words[n:]
		for len(rest) > 0 && acronymSkip[rest[0]] {
			rest = rest[1:]
		}
		if len(a) < 2 || len(rest) == 0 || acronymSkip[words[n-1]] {
			continue
		}
		keys = append(keys, a+" "+strings.Join(rest, " "))
	}
	return keys
}

// swapUniversity turns "university of x" into "x university" and back; it
// returns "" for other keys.
func swapUniversity(k string) string {
	if rest, ok := strings.CutPrefix(k, "university of "); ok && rest != "" {
		return rest + " university"
	}
	if rest, ok := strings.CutSuffix(k, " university"); ok && rest != "" && !strings.Contains(rest, " of ") {
		return "university of " + rest
	}
	return ""
}

// acronymSkip are words left out of an acronym.
var acronymSkip = map[string]bool{"of": true, "the": true, "and": true, "at": true, "in": true, "for": true, "de": true, "la": true, "del": true, "di": true}

// acronym returns the initials of a key's words, skipping small words.
func acronym(key string) string {
	var b strings.Builder
	for _, w := range strings.Fields(key) {
		if !acronymSkip[w] {
			b.WriteByte(w[0])
		}
	}
	return b.String()
}

func isUpperWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
