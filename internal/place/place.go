package place

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// MaxInputLen is the longest text, in bytes, that [Resolve] accepts.
const MaxInputLen = 256

// ErrUnknownPlace is returned by [Resolve] for text it cannot resolve to a
// place: empty, too long, bad coordinates, or a city, region or country not
// in the gazetteer. The error text says which.
var ErrUnknownPlace = errors.New("place: unknown place")

// Place is a resolved location.
type Place struct {
	// Name is the city's name as GeoNames writes it: "Phoenix", "São Paulo".
	Name string
	// Admin1 is the first-level division: the postal abbreviation in the
	// US, Canada and Australia ("AZ", "ON", "NSW"), the GeoNames admin1
	// code elsewhere ("ENG", "19"). It may be empty.
	Admin1 string
	// Admin1Name is the division's name: "Arizona", "Liaoning". It may be
	// empty.
	Admin1Name string
	// Country is the ISO 3166-1 alpha-2 code: "US".
	Country string
	// CountryName is the country's English name: "United States".
	CountryName string
	// Point is the city's position, or the coordinates given when
	// FromCoordinates.
	Point geo.Point
	// Population is the city's number of inhabitants per GeoNames; 0 when
	// unknown.
	Population int
	// FromCoordinates is set when the input was coordinates: Point holds
	// them, and the other fields describe the nearest city, NearKm away.
	FromCoordinates bool
	// NearKm is the distance from Point to the named city when
	// FromCoordinates, else 0.
	NearKm float64
}

// String formats p for people: "Phoenix, AZ, US", "Shenyang, Liaoning, CN",
// or for coordinates "33.4500,-112.0700 (2 km from Phoenix, AZ, US)".
func (p Place) String() string {
	var b strings.Builder
	b.WriteString(p.Name)
	region := p.Admin1Name
	if abbrevCountry(p.Country) && p.Admin1 != "" {
		region = p.Admin1
	}
	if region != "" && region != p.Name {
		b.WriteString(", ")
		b.WriteString(region)
	}
	if p.Country != "" {
		b.WriteString(", ")
		b.WriteString(p.Country)
	}
	if p.FromCoordinates {
		return fmt.Sprintf("%v (%.0f km from %s)", p.Point, p.NearKm, b.String())
	}
	return b.String()
}

// Resolve returns the place that s names: a city with optional division and
// country ("Phoenix, AZ, US", "Phoenix Arizona", "Seoul, South Korea"), a
// postal address line ending in one, or coordinates ("33.45,-112.07").
// Among several cities of that name in the given division or country, the
// most populous wins. Errors wrap [ErrUnknownPlace] and name the input and
// what was not found; bad coordinates also wrap [geo.ErrBadCoordinates].
func Resolve(s string) (Place, error) {
	g, err := loadGazetteer()
	if err != nil {
		return Place{}, err
	}
	return g.resolve(s)
}

// maxSpanWords and maxQualifierWords bound the search: no city name in the
// gazetteer has more than 8 words, no division plus country more than 14.
const (
	maxSpanWords      = 8
	maxQualifierWords = 14
)

// word is one whitespace-separated word of the input.
type word struct {
	text   string // as written, trimmed of commas
	key    string // fold(text)
	part   int    // index of the comma-separated part holding it
	postal bool   // has a digit: a house number or postal code
}

// where is one reading of the qualifiers after a city: a country, or a
// division of a country.
type where struct {
	country string // ISO 3166-1 alpha-2
	admin   int    // index into gazetteer.admins, or -1 for the whole country
}

// streetWords mark text as a street address, which may precede a city.
var streetWords = map[string]bool{
	"st": true, "street": true, "rd": true, "road": true, "ave": true, "avenue": true,
	"blvd": true, "boulevard": true, "ln": true, "lane": true, "dr": true, "drive": true,
	"way": true, "ct": true, "court": true, "pl": true, "place": true, "sq": true,
	"square": true, "hwy": true, "highway": true, "pkwy": true, "parkway": true,
	"suite": true, "ste": true, "apt": true, "unit": true, "floor": true, "fl": true,
	"building": true, "bldg": true, "po": true, "box": true, "strasse": true,
	"str": true, "rue": true, "via": true, "calle": true, "avenida": true, "rua": true,
}

func (g *gazetteer) resolve(s string) (Place, error) {
	if len(s) > MaxInputLen {
		return Place{}, fmt.Errorf("%w: input is %d bytes, over the limit of %d (place.MaxInputLen)", ErrUnknownPlace, len(s), MaxInputLen)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return Place{}, fmt.Errorf("%w: empty input: want a city such as \"Phoenix, AZ, US\" or coordinates \"lat,lon\"", ErrUnknownPlace)
	}
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		return g.resolvePoint(s)
	}

	words := splitWords(s)
	// qualifiersAfter[i] counts the words after words[i-1] that can be
	// qualifiers, to skip spans followed by too many.
	qualifiersAfter := make([]int, len(words)+1)
	for i := len(words) - 1; i >= 0; i-- {
		qualifiersAfter[i] = qualifiersAfter[i+1]
		if !words[i].postal {
			qualifiersAfter[i]++
		}
	}
	// The first qualified reading that names no city, for the error.
	var missCity string
	var missWhere []where
	for a := range words {
		for b := min(len(words), a+maxSpanWords); b > a; b-- {
			if words[b-1].part != words[a].part {
				continue // a city lies within one part
			}
			if qualifiersAfter[b] > maxQualifierWords {
				break // a shorter span leaves even more
			}
			q := qualifierWords(words[b:])
			wheres, ok := g.parseQualifiers(q)
			if !ok {
				continue
			}
			span := words[a:b]
			key := joinKeys(span)
			if len(wheres) == 0 {
				if a > 0 && !addressLike(words[:a]) {
					continue // "Paris, Mars" is not Mars
				}
				if cc, ok := g.countryByKey[key]; ok {
					wheres = []where{{country: cc, admin: -1}} // "China" is no town in Mexico
				}
			}
			if i, ok := g.find(key, wheres); ok {
				return g.place(i), nil
			}
			if missWhere == nil && len(wheres) > 0 {
				missCity, missWhere = joinText(span), wheres
			}
		}
	}
	if missWhere != nil {
		return Place{}, fmt.Errorf("%w: %q: no city %q in %s", ErrUnknownPlace, s, missCity, g.describe(missWhere))
	}
	parts := nonEmptyParts(s)
	if len(parts) > 1 {
		last := parts[len(parts)-1]
		return Place{}, fmt.Errorf("%w: %q: no city %q in %q, which is not a known country or region",
			ErrUnknownPlace, s, parts[len(parts)-2], last)
	}
	return Place{}, fmt.Errorf("%w: %q: no city %q", ErrUnknownPlace, s, s)
}

// resolvePoint resolves coordinates to a Place named after the nearest city.
func (g *gazetteer) resolvePoint(s string) (Place, error) {
	pt, err := geo.ParsePoint(s)
	if err != nil {
		return Place{}, fmt.Errorf("%w: %q: %w", ErrUnknownPlace, s, err)
	}
	i, km, ok := g.nearest(pt, 0)
	if !ok {
		return Place{}, fmt.Errorf("%w: %q: no city near these coordinates", ErrUnknownPlace, s)
	}
	p := g.place(i)
	p.Point, p.FromCoordinates, p.NearKm = pt, true, km
	return p, nil
}

// find returns the most populous city with matching key that lies in one of
// wheres, or anywhere when wheres is empty.
func (g *gazetteer) find(key string, wheres []where) (int32, bool) {
	for _, i := range g.lookup(key) {
		if len(wheres) == 0 {
			return i, true
		}
		c := &g.cities[i]
		for _, w := range wheres {
			if w.admin == int(c.admin) || (w.admin < 0 && g.admins[c.admin].country == w.country) {
				return i, true
			}
		}
	}
	return 0, false
}

// parseQualifiers reads q as nothing, a country, a division, or a division
// then a country. It returns every reading ("Georgia" is a country and a US
// state), none for an empty q, and false when q is none of these.
func (g *gazetteer) parseQualifiers(q []word) ([]where, bool) {
	if len(q) == 0 {
		return nil, true
	}
	if len(q) > maxQualifierWords {
		return nil, false
	}
	var wheres []where
	key := joinKeys(q)
	if cc, ok := g.country(key); ok {
		wheres = append(wheres, where{country: cc, admin: -1})
	}
	for _, a := range g.adminByKey[key] {
		wheres = append(wheres, where{country: g.admins[a].country, admin: int(a)})
	}
	for k := 1; k < len(q); k++ {
		cc, ok := g.country(joinKeys(q[k:]))
		if !ok {
			continue
		}
		for _, a := range g.adminByKey[joinKeys(q[:k])] {
			if g.admins[a].country == cc {
				wheres = append(wheres, where{country: cc, admin: int(a)})
			}
		}
	}
	return wheres, len(wheres) > 0
}

// country returns the country whose matching key is key, allowing a leading
// "the" ("the Netherlands").
func (g *gazetteer) country(key string) (string, bool) {
	if cc, ok := g.countryByKey[key]; ok {
		return cc, true
	}
	if rest, ok := strings.CutPrefix(key, "the "); ok {
		cc, ok := g.countryByKey[rest]
		return cc, ok
	}
	return "", false
}

// describe writes readings for an error: "AZ, US", "CN", or several joined
// by " or ".
func (g *gazetteer) describe(wheres []where) string {
	var out []string
	for _, w := range wheres {
		d := w.country
		if w.admin >= 0 {
			a := g.admins[w.admin]
			region := a.name
			switch {
			case a.abbrev != "":
				region = a.abbrev
			case abbrevCountry(a.country) || region == "":
				region = a.code
			}
			d = region + ", " + w.country
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return strings.Join(out, " or ")
}

// splitWords splits s into words, recording the comma-separated part each
// came from. Words that fold to nothing (lone punctuation) are dropped.
func splitWords(s string) []word {
	var words []word
	for part, text := range strings.FieldsFunc(s, isPartSep) {
		for _, t := range strings.Fields(text) {
			k := fold(t)
			if k == "" {
				continue
			}
			words = append(words, word{text: t, key: k, part: part, postal: keyHasDigit(k)})
		}
	}
	return words
}

func isPartSep(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '|' }

// nonEmptyParts returns the trimmed comma-separated parts of s.
func nonEmptyParts(s string) []string {
	var parts []string
	for _, p := range strings.FieldsFunc(s, isPartSep) {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// qualifierWords returns q without postal words.
func qualifierWords(q []word) []word {
	out := make([]word, 0, len(q))
	for _, w := range q {
		if !w.postal {
			out = append(out, w)
		}
	}
	return out
}

// addressLike reports whether ignored leading words look like a street
// address: a house number, postal code or street word.
func addressLike(ws []word) bool {
	for _, w := range ws {
		if w.postal || streetWords[w.key] {
			return true
		}
	}
	return false
}

func joinKeys(ws []word) string {
	if len(ws) == 1 {
		return ws[0].key
	}
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.key)
	}
	return b.String()
}

func joinText(ws []word) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}
