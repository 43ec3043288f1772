package link

import (
	"math/bits"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// maxInput is the longest identifier text the normalisers look at. Longer
// text (hiring.MaxTextLen is 512) is not an identifier and normalises to
// nothing.
const maxInput = 1024

// Phone returns the E.164 form ("+16025550134") of a phone number written
// in any common way ("+1 602-555-0134", "(602) 555 0134", "602.555.0134",
// "1-602-555-0134"). Numbers without a country code are read as numbers of
// defaultRegion (ISO 3166-1 alpha-2, e.g. "US"). It reports false for text
// that is not a valid number by libphonenumber's numbering plans, which
// rules out the usual placeholders ("000-000-0000", "123-456-7890",
// "555-555-5555", "n/a"). Extensions are dropped: two people behind one
// switchboard share its number.
func Phone(s, defaultRegion string) (string, bool) {
	return normPhone(s, defaultRegion, nil)
}

// nanpCache remembers NANP area-code+exchange prefixes (the first six
// national digits) that libphonenumber has found valid in the US or Canada.
// The US and Canadian numbering patterns leave the last four digits free,
// so the prefix decides validity there; Caribbean NANP regions have
// patterns that look further and are never cached. A nil cache is allowed.
type nanpCache map[uint32]struct{}

func normPhone(s, region string, cache nanpCache) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", false
	}
	if nat, ok := nanpDigits(s, region); ok {
		prefix := uint32(nat / 10000)
		if _, hit := cache[prefix]; hit {
			return e164NANP(nat), true
		}
		cc, nn := int32(1), nat
		n := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}
		// The US is the first region of country code 1 and has no
		// leading-digit rule, so a number valid for the US is valid, with
		// region US; checking it first halves the work for US numbers.
		switch {
		case phonenumbers.IsValidNumberForRegion(n, "US"):
		case !phonenumbers.IsValidNumber(n):
			return "", false
		case phonenumbers.GetRegionCodeForNumber(n) != "CA":
			return e164NANP(nat), true // valid elsewhere in NANP: not cached
		}
		if cache != nil {
			cache[prefix] = struct{}{}
		}
		return e164NANP(nat), true
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// nanpDigits reads the common ways of writing a North American number
// without calling the (slow) general parser: only digits and the separators
// " ()-./", ten digits when region is a NANP region, eleven digits starting
// with 1 after an optional leading "+" (a leading "+" needs the 1).
// Anything else goes to libphonenumber's parser.
func nanpDigits(s, region string) (uint64, bool) {
	plus := false
	if s[0] == '+' {
		plus = true
		s = s[1:]
	}
	var n uint64
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 11 {
				return 0, false
			}
			n = n*10 + uint64(c-'0')
		case c == ' ' || c == '(' || c == ')' || c == '-' || c == '.' || c == '/':
		default:
			return 0, false
		}
	}
	switch {
	case digits == 11 && n/10_000_000_000 == 1:
		if !plus && !nanpRegion(region) {
			return 0, false
		}
		return n % 10_000_000_000, true
	case digits == 10 && !plus && nanpRegion(region):
		return n, true
	}
	return 0, false
}

func nanpRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) == 1
}

func e164NANP(nat uint64) string {
	var b [12]byte
	b[0], b[1] = '+', '1'
	for i := 11; i >= 2; i-- {
		b[i] = byte('0' + nat%10)
		nat /= 10
	}
	return string(b[:])
}

// Email returns the canonical mailbox of an e-mail address: lower-case,
// without a "mailto:" prefix or angle brackets, without a "+tag" in the
// local part, and for Gmail (gmail.com, googlemail.com) without dots in the
// local part and with googlemail.com written gmail.com, since Gmail
// delivers all of those to one mailbox. It reports false for text that is
// not an address and for placeholders nobody receives mail at
// ("none@none.com", "test@test.com", anything at example.com).
func Email(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxInput || !utf8.ValidString(s) {
		return "", false
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	s = strings.ToLower(strings.TrimSpace(s))
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") || local == "" || len(s) > 254 {
		return "", false
	}
	domain = strings.TrimSuffix(domain, ".")
	if !validDomain(domain) {
		return "", false
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`"(),:;<>[\]`, r) || unicode.IsSpace(r) {
			return "", false
		}
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" || strings.Trim(local, ".-_") == "" {
		return "", false
	}
	if placeholderMailbox[local] || placeholderDomain[domain] || strings.HasSuffix(domain, ".example") ||
		strings.HasSuffix(domain, ".invalid") || strings.HasSuffix(domain, ".test") {
		return "", false
	}
	return local + "@" + domain, true
}

func validDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// placeholderMailbox and placeholderDomain are what people type when a form
// insists on an e-mail address they do not want to give.
var placeholderMailbox = map[string]bool{
	"test": true, "none": true, "na": true, "n/a": true, "noemail": true, "nomail": true,
	"noreply": true, "no-reply": true, "donotreply": true, "do-not-reply": true,
	"example": true, "null": true, "nil": true, "unknown": true, "xxx": true,
	"abc": true, "asdf": true, "email": true, "me": true, "user": true,
}

var placeholderDomain = map[string]bool{
	"example.com": true, "example.org": true, "example.net": true, "test.com": true,
	"none.com": true, "noemail.com": true, "nomail.com": true, "domain.com": true,
	"email.invalid": true, "localhost.localdomain": true, "xxx.com": true, "abc.com": true,
}

// Address returns a normalised one-line postal address for comparing
// shipping addresses: lower-case; punctuation removed ("St." = "St",
// "4-B" = "4B"); street types, directions, unit designators, ordinal words
// and US state names unified ("Street" → "st", "North" → "n", "Apt",
// "Apartment", "Unit", "Suite", "#" → "unit", "Fifth" → "5th", "Arizona" →
// "az"); "P.O. Box" written "po box"; a ZIP+4 cut to its five-digit ZIP; a
// trailing country name for the US dropped; whitespace collapsed. It
// returns "" for text that cannot identify a place: without a house or box
// number, with fewer than two words, or a placeholder ("N/A", "Remote",
// "123 Main St" with nothing else).
func Address(s string) string {
	if len(s) > maxInput || !utf8.ValidString(s) {
		return ""
	}
	toks := addressTokens(s)
	if len(toks) == 0 {
		return ""
	}
	toks = joinStates(toks)
	out := toks[:0]
	for i, t := range toks {
		if m, ok := addressWords[t]; ok {
			t = m
		}
		if t == "unit" && len(out) > 0 && out[len(out)-1] == "unit" {
			continue
		}
		// "Apt 4 B" is "Apt 4B".
		if n := len(out); n >= 2 && len(t) == 1 && t[0] >= 'a' && t[0] <= 'z' &&
			out[n-2] == "unit" && allDigits(out[n-1]) {
			out[n-1] += t
			continue
		}
		// "P O Box" after removing the dots of "P.O. Box".
		if t == "o" && i > 0 && toks[i-1] == "p" && len(out) > 0 && out[len(out)-1] == "p" {
			out[len(out)-1] = "po"
			continue
		}
		if t == "postoffice" || (t == "office" && len(out) > 0 && out[len(out)-1] == "post") {
			if t == "office" {
				out = out[:len(out)-1]
			}
			t = "po"
		}
		out = append(out, t)
	}
	// Trailing country for the US.
	for again := true; again; {
		again = false
		for _, suffix := range [][]string{{"united", "states", "of", "america"}, {"united", "states"}, {"usa"}, {"us"}} {
			if len(out) > len(suffix) && slices.Equal(out[len(out)-len(suffix):], suffix) {
				out = out[:len(out)-len(suffix)]
				again = true
			}
		}
	}
	// ZIP+4: "85001-1234" became "850011234"; "85001 1234" is two words.
	if n := len(out); n > 0 && len(out[n-1]) == 9 && allDigits(out[n-1]) && n >= 3 {
		out[n-1] = out[n-1][:5]
	} else if n >= 3 && len(out[n-1]) == 4 && allDigits(out[n-1]) && len(out[n-2]) == 5 && allDigits(out[n-2]) {
		out = out[:n-1]
	}
	hasDigit, words := false, 0
	for _, t := range out {
		if strings.ContainsAny(t, "0123456789") {
			hasDigit = true
		}
		if strings.IndexFunc(t, unicode.IsLetter) >= 0 {
			words++
		}
	}
	if !hasDigit || len(out) < 2 || words < 1 {
		return ""
	}
	a := strings.Join(out, " ")
	if placeholderAddress[a] {
		return ""
	}
	return a
}

// addressTokens lower-cases s and splits it into words of letters and
// digits. Full stops, hyphens and apostrophes join (so "St." is "st", "4-B" is "4b" and
// "85001-1234" is "850011234"); '#' is a word of its own; anything else
// separates.
func addressTokens(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		case r == '.' || r == '-' || r == '\'' || r == '’':
		case r == '#' || r == '№':
			flush()
			toks = append(toks, "#")
		default:
			flush()
		}
	}
	flush()
	return toks
}

// joinStates replaces multi-word US state names by their codes so that
// "New York" and "NY", "North Carolina" and "NC" normalise alike.
func joinStates(toks []string) []string {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		if i+2 < len(toks) && toks[i] == "district" && toks[i+1] == "of" && toks[i+2] == "columbia" {
			out = append(out, "dc")
			i += 2
			continue
		}
		if i+1 < len(toks) {
			if code, ok := twoWordStates[toks[i]+" "+toks[i+1]]; ok {
				out = append(out, code)
				i++
				continue
			}
		}
		out = append(out, toks[i])
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var placeholderAddress = map[string]bool{
	"123 main st": true, "1234 main st": true, "123 fake st": true, "123 abc st": true,
	"123 street": true, "123 any st": true, "123 anywhere st": true,
}

var twoWordStates = map[string]string{
	"new hampshire": "nh", "new jersey": "nj", "new mexico": "nm", "new york": "ny",
	"north carolina": "nc", "north dakota": "nd", "south carolina": "sc", "south dakota": "sd",
	"west virginia": "wv", "rhode island": "ri",
}

// addressWords maps single words to their normal form.
var addressWords = map[string]string{
	// Street types (USPS Publication 28 abbreviations).
	"street": "st", "str": "st", "avenue": "ave", "av": "ave", "aven": "ave", "avn": "ave",
	"road": "rd", "drive": "dr", "drv": "dr", "boulevard": "blvd", "boul": "blvd", "blv": "blvd",
	"lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "highway": "hwy",
	"parkway": "pkwy", "pkway": "pkwy", "circle": "cir", "square": "sq", "trail": "trl",
	"expressway": "expy", "freeway": "fwy", "center": "ctr", "centre": "ctr", "heights": "hts",
	"mount": "mt", "point": "pt", "crossing": "xing", "junction": "jct", "ridge": "rdg",
	"route": "rte", "plaza": "plz", "alley": "aly", "turnpike": "tpke", "commons": "cmns",
	// Directions.
	"north": "n", "south": "s", "east": "e", "west": "w",
	"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
	// Unit designators.
	"apt": "unit", "apartment": "unit", "unit": "unit", "suite": "unit", "ste": "unit",
	"#": "unit", "rm": "unit", "room": "unit", "apto": "unit", "no": "unit",
	"floor": "fl", "flr": "fl", "building": "bldg", "bld": "bldg",
	"pobox": "po box",
	// Ordinal words.
	"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
	"sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
	"eleventh": "11th", "twelfth": "12th",
	// States.
	"alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
	"colorado": "co", "connecticut": "ct", "delaware": "de", "florida": "fl", "georgia": "ga",
	"hawaii": "hi", "idaho": "id", "illinois": "il", "indiana": "in", "iowa": "ia",
	"kansas": "ks", "kentucky": "ky", "louisiana": "la", "maine": "me", "maryland": "md",
	"massachusetts": "ma", "michigan": "mi", "minnesota": "mn", "mississippi": "ms",
	"missouri": "mo", "montana": "mt", "nebraska": "ne", "nevada": "nv", "ohio": "oh",
	"oklahoma": "ok", "oregon": "or", "pennsylvania": "pa", "tennessee": "tn", "texas": "tx",
	"utah": "ut", "vermont": "vt", "virginia": "va", "washington": "wa", "wisconsin": "wi",
	"wyoming": "wy",
}

// IPPrefix returns the network an application address belongs to for
// linking: the /24 of an IPv4 address (IPv4-mapped IPv6 included) and the
// /48 of an IPv6 address, the usual size of one customer site or one VPN
// exit pool. It returns the zero Prefix for the zero Addr.
func IPPrefix(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	bitsLen := 48
	if a.Is4() {
		bitsLen = 24
	}
	p, err := a.Prefix(bitsLen)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// linkableIP reports whether an application address says anything about
// who sent it: private, loopback, link-local, multicast and unspecified
// addresses are the company's own proxies and networks, shared by everyone.
func linkableIP(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate()
}

// ProfileLink returns the canonical form of a profile URL: LinkedIn
// profiles as "linkedin.com/in/handle" (any scheme, "www.", "m." or
// country subdomain, query, fragment, trailing path and letter case
// removed), GitHub accounts as "github.com/user" (a repository link names
// its owner), and other pages as host and path without scheme, "www.",
// query, fragment or trailing slash, lower-case. It reports false for text
// that is not a URL with a host, for LinkedIn pages that are not a person's
// profile (company pages, search) and for GitHub's own pages.
func ProfileLink(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxInput || !utf8.ValidString(s) {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	for _, p := range []string{"www.", "m.", "mobile."} {
		host = strings.TrimPrefix(host, p)
	}
	if !validDomain(host) {
		return "", false
	}
	var segs []string
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg != "" {
			segs = append(segs, strings.ToLower(seg))
		}
	}
	switch {
	case host == "linkedin.com" || strings.HasSuffix(host, ".linkedin.com"):
		if len(segs) >= 2 && segs[0] == "in" {
			return "linkedin.com/in/" + segs[1], true
		}
		if len(segs) >= 2 && segs[0] == "pub" {
			return "linkedin.com/pub/" + strings.Join(segs[1:], "/"), true
		}
		return "", false
	case host == "github.com":
		if len(segs) == 0 || githubReserved[segs[0]] {
			return "", false
		}
		return "github.com/" + segs[0], true
	}
	if len(segs) == 0 {
		return host, true
	}
	return host + "/" + strings.Join(segs, "/"), true
}

var githubReserved = map[string]bool{
	"about": true, "features": true, "orgs": true, "topics": true, "search": true, "login": true,
	"join": true, "settings": true, "marketplace": true, "pricing": true, "explore": true,
	"sponsors": true, "enterprise": true, "collections": true, "trending": true, "site": true,
	"contact": true, "security": true, "apps": true, "notifications": true, "signup": true,
}

// Employer returns a normalised employer name: lower-case, punctuation
// removed, "&" and "and" dropped, a leading "the" and trailing legal forms
// (inc, llc, ltd, gmbh, co, corp, plc, ...) removed, so that "Acme, Inc."
// and "ACME Corporation" compare equal. It returns "" for names that do not
// name an employer ("Self-employed", "Freelance", "N/A", "Confidential").
func Employer(s string) string {
	if len(s) > maxInput || !utf8.ValidString(s) {
		return ""
	}
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		case r == '.' || r == '\'' || r == '’':
		case r == '&':
			if cur.Len() == 0 {
				flush()
			}
		default:
			flush()
		}
	}
	flush()
	out := toks[:0]
	for _, t := range toks {
		if t != "and" {
			out = append(out, t)
		}
	}
	// Every leading "the" goes, so that normalising a normalised name
	// changes nothing ("The The Band" is "band" either way).
	for len(out) > 1 && out[0] == "the" {
		out = out[1:]
	}
	for len(out) > 1 && legalForms[out[len(out)-1]] {
		out = out[:len(out)-1]
	}
	e := strings.Join(out, " ")
	if notEmployer[e] {
		return ""
	}
	return e
}

var legalForms = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "lp": true, "ltd": true,
	"limited": true, "private": true, "pvt": true, "pte": true, "gmbh": true, "co": true,
	"corp": true, "corporation": true, "company": true, "plc": true, "sa": true, "ag": true,
	"bv": true, "nv": true, "pty": true, "srl": true, "sarl": true, "kk": true, "oy": true,
	"ab": true, "pllc": true,
}

var notEmployer = map[string]bool{
	"": true, "n a": true, "na": true, "none": true, "self employed": true, "selfemployed": true,
	"self": true, "freelance": true, "freelancer": true, "independent": true,
	"independent contractor": true, "contractor": true, "various": true, "confidential": true,
	"unemployed": true, "student": true, "stealth": true, "stealth startup": true,
}

// DefaultPhotoMaxDistance is the largest Hamming distance between two
// 64-bit perceptual hashes that counts as the same photo. Re-encoding or
// resizing one image flips a few of a pHash's bits; photos of different
// people differ in about 20–32, but headshots are alike, so distinct faces
// do come within a few bits now and then: in the synthetic corpus (faces
// ~24 bits apart on average) a limit of 6 made about 55 false links per
// 100,000 applicants, 4 made one (docs/lab-rings.md). For uniformly random
// hashes the chance of a match within 4 bits is 4e-14.
const DefaultPhotoMaxDistance = 4

// PhotoDistance returns the Hamming distance between two perceptual hashes
// (as returned by hiring.ParsePhotoHash): the number of differing bits.
func PhotoDistance(a, b uint64) int {
	return bits.OnesCount64(a ^ b)
}
