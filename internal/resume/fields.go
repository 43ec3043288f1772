package resume

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// topLines is how many non-empty lines at the top of a résumé without
// headings are searched for the name and location.
const topLines = 8

// FromText scans résumé text for the fields screening uses and returns an
// applicant with the given ID and ResumeText = text. It sets a field only
// when the text shows it:
//
//   - Name: the first line at the top (before the first section heading)
//     that looks like a person's name: two to five capitalised words of
//     letters, or the value after "Name:".
//   - Emails, Phones, Links: every address, number and profile URL in the
//     text, as written (see docs/resume-files.md for the rules).
//   - ClaimedLocation: at the top, the value after "Location:", "Address:"
//     or "Based in", or a part such as "Phoenix, AZ" or "Kyiv, Ukraine"
//     (a US state code or a country name after the comma).
//   - Education and Employment: entries under headings such as
//     "Education" and "Experience" / "Work Experience" / "Employment",
//     each anchored on a line with a date range (or, for education, a
//     single date), with the institution and degree, or employer, title
//     and location, taken from that line and the lines next to it.
//
// An entry without an institution or an employer is left out rather than
// filled in. FromText neither truncates nor validates: [Parse] validates.
func FromText(id, text string) hiring.Applicant {
	a := hiring.Applicant{ID: id, ResumeText: text}
	raw := strings.Split(text, "\n")
	lines := make([]line, len(raw))
	for i, r := range raw {
		lines[i] = newLine(r)
	}
	first := len(lines)
	for i, l := range lines {
		if l.heading != "" {
			first = i
			break
		}
	}
	top := lines[:first]
	if first == len(lines) {
		top = firstNonEmpty(lines, topLines)
	}
	nameAt := -1
	a.Name, nameAt = findName(top)
	a.ClaimedLocation = findLocation(top, nameAt)
	a.Emails = findEmails(text)
	a.Phones = findPhones(raw)
	a.Links = findLinks(text)

	for i := first; i < len(lines); {
		if lines[i].heading == "" {
			i++
			continue
		}
		kind := lines[i].heading
		j := i + 1
		for j < len(lines) && lines[j].heading == "" {
			j++
		}
		switch kind {
		case sectionEducation:
			a.Education = append(a.Education, educationEntries(lines[i+1:j])...)
		case sectionExperience:
			a.Employment = append(a.Employment, employmentEntries(lines[i+1:j])...)
		}
		i = j
	}
	return a
}

// Section kinds.
const (
	sectionEducation  = "education"
	sectionExperience = "experience"
	sectionOther      = "other"
)

// line is one line of résumé text prepared for scanning.
type line struct {
	text    string // trimmed, without Markdown heading marks, emphasis or a bullet
	bullet  bool   // started with a bullet or list mark
	heading string // section kind when the line is a section heading
}

// emphasis drops Markdown bold marks.
var emphasis = strings.NewReplacer("**", "", "__", "")

var bullets = []string{"•", "-", "*", "–", "·", "▪", "◦", "○", "■", "●", "►", "▶", "➢", "✓", "✔", "\uf0b7", "\uf0a7", "+"}

func newLine(s string) line {
	s = strings.TrimSpace(s)
	var l line
	if strings.HasPrefix(s, "#") {
		s = strings.TrimSpace(strings.TrimLeft(s, "#"))
	}
	for _, b := range bullets {
		if rest, ok := strings.CutPrefix(s, b); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || b[0] >= 0x80) {
			if b == "*" && strings.HasPrefix(rest, "*") {
				break // "**Bold**", not a bullet
			}
			s = strings.TrimSpace(rest)
			l.bullet = true
			break
		}
	}
	s = emphasis.Replace(s)
	l.text = strings.TrimSpace(s)
	if !l.bullet {
		l.heading = headingKind(l.text)
	}
	return l
}

// Headings, lower-case, by section kind.
var (
	educationHeadings = []string{"education", "academic background", "academic history",
		"educational background", "academics", "academic qualifications", "education and training"}
	experienceHeadings = []string{"experience", "work experience", "professional experience",
		"employment", "employment history", "work history", "career history", "relevant experience",
		"professional background", "career", "positions held", "experience summary"}
	otherHeadings = []string{"skills", "technical skills", "core competencies", "competencies",
		"summary", "professional summary", "profile", "objective", "career objective", "about",
		"about me", "projects", "certifications", "certificates", "licenses", "languages",
		"awards", "honors", "honours", "publications", "references", "volunteer", "volunteering",
		"interests", "hobbies", "contact", "contact information", "training", "courses",
		"achievements", "activities", "leadership", "personal details", "personal information",
		"tools", "technologies", "expertise", "additional information", "memberships"}
)

// headingKind returns the section kind of a heading line, or "". A heading
// is a short line of words (no digits) equal to a known heading, or of at
// most four words starting with one ("Education & Certifications").
func headingKind(s string) string {
	s = strings.TrimSpace(strings.TrimRight(s, ":"))
	if s == "" || len(s) > 50 {
		return ""
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '&' && r != '/' && r != '-' && r != '\'' && r != ',' {
			return ""
		}
	}
	low := strings.ToLower(strings.Join(strings.Fields(s), " "))
	words := strings.Fields(low)
	match := func(list []string) bool {
		for _, h := range list {
			if low == h {
				return true
			}
			if len(words) <= 4 && strings.HasPrefix(low, h+" ") {
				rest := strings.TrimSpace(low[len(h):])
				if strings.HasPrefix(rest, "&") || strings.HasPrefix(rest, "and ") || strings.HasPrefix(rest, "/") ||
					strings.HasPrefix(rest, "history") || strings.HasPrefix(rest, "summary") {
					return true
				}
			}
		}
		return false
	}
	switch {
	case match(educationHeadings):
		return sectionEducation
	case match(experienceHeadings):
		return sectionExperience
	case match(otherHeadings):
		return sectionOther
	}
	return ""
}

func firstNonEmpty(lines []line, n int) []line {
	for i, l := range lines {
		if l.text != "" {
			n--
		}
		if n == 0 {
			return lines[:i+1]
		}
	}
	return lines
}

// strongSeparators split a line into parts; commas split parts further
// (see parts).
var strongSeparators = []string{"\t", " | ", " — ", " – ", " - ", " · ", " • ", " ● ", " ⋅ ", " ▪ ", " / ", "|", "·", "•"}

// splitStrong splits s on the strong separators.
func splitStrong(s string) []string {
	parts := []string{s}
	for _, sep := range strongSeparators {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	var out []string
	for _, p := range parts {
		if p = strings.Trim(p, " ,;:()[]–—-"); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// nameParticles may be lower-case inside a name.
var nameParticles = map[string]bool{"de": true, "da": true, "di": true, "del": true, "der": true,
	"van": true, "von": true, "la": true, "le": true, "bin": true, "binti": true, "al": true, "dos": true, "y": true}

// notNames are capitalised lines that are not names.
var notNames = map[string]bool{"curriculum vitae": true, "resume": true, "résumé": true, "cv": true}

// findName returns the first name-like part of the top lines and its line
// index, or "" and -1.
func findName(top []line) (string, int) {
	for i, l := range top {
		if v, ok := labelled(l.text, "name"); ok {
			return v, i
		}
		if l.text == "" || l.bullet {
			continue
		}
		parts := splitStrong(l.text)
		if len(parts) > 0 && looksLikeName(parts[0]) {
			return parts[0], i
		}
	}
	return "", -1
}

// looksLikeName reports whether s is two to five capitalised words of
// letters (with . - ' inside), with no job-title word and not a heading.
func looksLikeName(s string) bool {
	if len(s) > 60 || notNames[strings.ToLower(s)] || headingKind(s) != "" {
		return false
	}
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 5 {
		return false
	}
	for _, w := range words {
		lw := strings.ToLower(w)
		if nameParticles[lw] {
			continue
		}
		if titleWords[strings.Trim(lw, ".,")] || orgWords[strings.Trim(lw, ".,")] || !capitalisedWord(w) {
			return false
		}
	}
	return true
}

// labelled returns the value after "label:" at the start of s.
func labelled(s, label string) (string, bool) {
	if len(s) <= len(label) || !strings.EqualFold(s[:len(label)], label) {
		return "", false
	}
	rest := strings.TrimSpace(s[len(label):])
	if !strings.HasPrefix(rest, ":") {
		return "", false
	}
	rest = strings.TrimSpace(rest[1:])
	return rest, rest != ""
}

// findLocation returns the claimed location from the top lines.
func findLocation(top []line, nameLine int) string {
	for _, l := range top {
		for _, label := range []string{"location", "address", "based in", "city", "residence"} {
			if v, ok := labelled(l.text, label); ok {
				return v
			}
			if label == "based in" && hasPrefixFold(l.text, "based in ") {
				return strings.TrimSpace(l.text[len("based in "):])
			}
		}
	}
	for i, l := range top {
		if l.bullet {
			continue
		}
		for j, p := range splitStrong(l.text) {
			if i == nameLine && j == 0 {
				continue
			}
			if strings.Contains(p, "@") {
				continue
			}
			if isLocation(p) {
				return p
			}
		}
	}
	return ""
}

// usStates are the two-letter codes of US states and territories.
var usStates = wordSet(strings.Fields("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI"))

// countries are country names and codes accepted after a comma in a
// location ("Kyiv, Ukraine").
var countries = wordSet(strings.Split("USA,US,U.S.,U.S.A.,United States,Canada,UK,U.K.,United Kingdom,England,Scotland,Ireland,India,China,"+
	"Japan,South Korea,Korea,Taiwan,Hong Kong,Singapore,Malaysia,Indonesia,Philippines,Vietnam,Thailand,Cambodia,Laos,"+
	"Bangladesh,Pakistan,Sri Lanka,Nepal,Germany,France,Spain,Portugal,Italy,Netherlands,Belgium,Switzerland,"+
	"Austria,Poland,Czech Republic,Czechia,Slovakia,Hungary,Romania,Bulgaria,Serbia,Croatia,Ukraine,Belarus,Russia,"+
	"Moldova,Lithuania,Latvia,Estonia,Finland,Sweden,Norway,Denmark,Greece,Turkey,Türkiye,Georgia,Armenia,Azerbaijan,"+
	"Kazakhstan,Uzbekistan,Kyrgyzstan,Mongolia,Israel,UAE,United Arab Emirates,Saudi Arabia,Qatar,Egypt,Nigeria,Ghana,"+
	"Kenya,South Africa,Ethiopia,Morocco,Tunisia,Brazil,Argentina,Chile,Colombia,Peru,Mexico,Venezuela,Uruguay,"+
	"Australia,New Zealand,Remote", ","))

func wordSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isLocation reports whether p reads as "City, ST [ZIP]", "City, Country"
// or "City, Region, Country" with capitalised words.
func isLocation(p string) bool {
	if len(p) > 80 {
		return false
	}
	fields := strings.Split(p, ",")
	if len(fields) < 2 || len(fields) > 3 {
		return false
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
		if fields[i] == "" {
			return false
		}
	}
	for _, f := range fields[:len(fields)-1] {
		if !capitalisedWords(f) {
			return false
		}
	}
	last := fields[len(fields)-1]
	if st, zip, ok := strings.Cut(last, " "); ok && usStates[st] && len(zip) == 5 && digitsOf(zip) == zip {
		return true
	}
	return usStates[last] || countries[last]
}

// capitalisedWords reports whether s is one to four words of letters, each
// capitalised.
func capitalisedWords(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 {
		return false
	}
	for _, w := range words {
		if !capitalisedWord(w) {
			return false
		}
	}
	return true
}

// capitalisedWord reports whether w starts with a capital and holds only
// letters, full stops, hyphens and apostrophes.
func capitalisedWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, c := range w {
		if !unicode.IsLetter(c) && !strings.ContainsRune(".-'’", c) {
			return false
		}
	}
	return true
}
