package place

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryAliases are names people write for countries besides the English
// names from CLDR (golang.org/x/text/language/display) and the ISO 3166
// alpha-2 and alpha-3 codes.
var countryAliases = map[string]string{
	"U.S.": "US", "U.S.A.": "US", "United States of America": "US", "America": "US",
	"UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB",
	"United Kingdom of Great Britain and Northern Ireland": "GB",
	"Korea": "KR", "Republic of Korea": "KR", "ROK": "KR",
	"DPRK": "KP", "Democratic People's Republic of Korea": "KP",
	"PRC": "CN", "People's Republic of China": "CN", "Mainland China": "CN",
	"Hong Kong": "HK", "Macau": "MO", "Macao": "MO",
	"Czech Republic": "CZ", "Türkiye": "TR",
	"Myanmar": "MM", "Burma": "MM",
	"DR Congo": "CD", "DRC": "CD", "Democratic Republic of the Congo": "CD",
	"Republic of the Congo": "CG", "Congo": "CG",
	"Ivory Coast": "CI", "Palestine": "PS", "State of Palestine": "PS",
	"Eswatini": "SZ", "North Macedonia": "MK", "Cabo Verde": "CV",
	"Vatican": "VA", "Holy See": "VA", "East Timor": "TL", "Timor Leste": "TL",
	"Bosnia": "BA", "Russian Federation": "RU", "Viet Nam": "VN",
	"UAE": "AE", "Emirates": "AE", "Holland": "NL",
	"Brasil": "BR", "Deutschland": "DE", "España": "ES", "Italia": "IT",
	"Nederland": "NL", "Österreich": "AT", "Schweiz": "CH", "Suisse": "CH",
	"Polska": "PL", "Sverige": "SE", "Norge": "NO", "Danmark": "DK", "Suomi": "FI",
	"Nippon": "JP", "Bharat": "IN",
}

// admin1Abbrevs are the postal abbreviations of Canada's and Australia's
// first-level divisions, keyed by country and GeoNames admin1 code. GeoNames
// codes these numerically; US states already have their postal codes.
var admin1Abbrevs = map[string]string{
	"CA.01": "AB", "CA.02": "BC", "CA.03": "MB", "CA.04": "NB", "CA.05": "NL",
	"CA.07": "NS", "CA.08": "ON", "CA.09": "PE", "CA.10": "QC", "CA.11": "SK",
	"CA.12": "YT", "CA.13": "NT", "CA.14": "NU",
	"AU.01": "ACT", "AU.02": "NSW", "AU.03": "NT", "AU.04": "QLD", "AU.05": "SA",
	"AU.06": "TAS", "AU.07": "VIC", "AU.08": "WA",
}

// abbrevCountry reports whether [Place.String] writes the divisions of
// country cc as postal abbreviations ("AZ", "ON", "NSW") rather than names.
func abbrevCountry(cc string) bool { return cc == "US" || cc == "CA" || cc == "AU" }

// adminAffixes are generic words dropped from division names to give a
// second key: "Gyeonggi-do" is also "Gyeonggi", "State of Berlin" "Berlin".
var (
	adminSuffixes = []string{" province", " prefecture", " region", " state", " oblast", " governorate", " county", " district", " do"}
	adminPrefixes = []string{"state of ", "province of ", "region of ", "city of "}
)

// countryName returns the English name of the ISO 3166-1 alpha-2 code cc,
// or cc when CLDR has none.
func countryName(cc string) string {
	r, err := language.ParseRegion(cc)
	if err != nil {
		return cc
	}
	name := display.English.Regions().Name(r)
	if name == "" || strings.HasPrefix(name, "Unknown") {
		return cc
	}
	return name
}

// countryKeys returns the matching keys of country cc: its English name, the
// name without a parenthetical or "SAR China" suffix, and its ISO codes.
func countryKeys(cc, name string) []string {
	keys := []string{fold(cc), fold(name)}
	for _, sep := range []string{" (", " - "} {
		if before, _, ok := strings.Cut(name, sep); ok {
			keys = append(keys, fold(before))
		}
	}
	if s, ok := strings.CutSuffix(name, " SAR China"); ok {
		keys = append(keys, fold(s))
	}
	if r, err := language.ParseRegion(cc); err == nil {
		if iso3 := r.ISO3(); len(iso3) == 3 {
			keys = append(keys, fold(iso3))
		}
	}
	return keys
}

// adminKeys returns the matching keys of a first-level division: its name,
// the name without generic affixes, its letter code and abbreviation.
func adminKeys(code, name, abbrev string) []string {
	var keys []string
	if name != "" {
		k := fold(name)
		keys = append(keys, k)
		for _, s := range adminSuffixes {
			if t, ok := strings.CutSuffix(k, s); ok && t != "" {
				keys = append(keys, t)
			}
		}
		for _, p := range adminPrefixes {
			if t, ok := strings.CutPrefix(k, p); ok && t != "" {
				keys = append(keys, t)
			}
		}
	}
	if k := fold(code); len(k) >= 2 && !keyHasDigit(k) {
		keys = append(keys, k)
	}
	if abbrev != "" {
		keys = append(keys, fold(abbrev))
	}
	return keys
}
