package resume

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Words that mark a part of an entry line as a job title, an organisation,
// a school, or a degree (compared lower-case, punctuation trimmed).
var (
	titleWords = wordSet(strings.Fields(`engineer engineering developer programmer manager analyst
		administrator admin consultant intern internship lead director architect specialist designer
		scientist officer technician coordinator assistant head vp president cto ceo cio cfo coo ciso
		founder co-founder cofounder owner tester qa support devops sre sysadmin contractor freelancer
		freelance researcher instructor teacher professor lecturer accountant representative executive
		supervisor principal associate trainee apprentice operator administrador desarrollador ingeniero`))
	orgWords = wordSet(strings.Fields(`inc llc ltd limited corp corporation company co gmbh ag plc sa
		s.a group holdings technologies technology tech labs lab solutions systems software bank agency
		studio studios partners consulting services foundation hospital networks media ventures capital
		industries international enterprises associates llp bv nv oy ab sro kft srl spa pty pvt
		university college institute`))
	schoolWords = wordSet(strings.Fields(`university universität universidad università université
		universidade universitet uniwersytet college institute institut instituto school academy
		polytechnic politecnico polytechnique hochschule conservatory`))
	degreeWords = wordSet(strings.Fields(`bachelor bachelors bachelor's master masters master's doctor
		doctorate phd ph.d mba bs bsc b.s b.sc ba b.a ms msc m.s m.sc ma m.a beng b.eng meng m.eng btech
		b.tech mtech m.tech be b.e me m.e bba bca mca associate associate's aa a.a as a.s diploma
		certificate ged licence license licenciatura magister mphil dphil specialist`))
	// corporateSuffixes continue a name after a comma ("Acme, Inc.").
	corporateSuffixes = wordSet(strings.Fields(`inc llc ltd limited corp co gmbh ag plc llp pty pvt`))
)

// wordsOf returns the lower-case words of s with surrounding punctuation
// trimmed, keeping the original words alongside.
func wordsOf(s string) (lower, orig []string) {
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, ",;:()[]\"“”")
		if w == "" {
			continue
		}
		orig = append(orig, w)
		lower = append(lower, strings.TrimSuffix(strings.ToLower(w), "."))
	}
	return lower, orig
}

func hasWord(s string, set map[string]bool) bool {
	for w := range strings.FieldsSeq(s) {
		w = strings.Trim(w, ",;:()[]\"“”")
		if w != "" && set[strings.TrimSuffix(strings.ToLower(w), ".")] {
			return true
		}
	}
	return false
}

// isDegree reports whether s names a degree. Two-letter abbreviations
// ("BS", "MA") count only in capitals, so "Boston, Ma" does not.
func isDegree(s string) bool {
	if strings.Contains(strings.ToLower(s), "high school") {
		return true
	}
	lower, orig := wordsOf(s)
	for i, w := range lower {
		if !degreeWords[w] {
			continue
		}
		if len(w) <= 3 && !strings.Contains(w, ".") && orig[i] != strings.ToUpper(orig[i]) {
			continue
		}
		return true
	}
	return false
}

// part is one piece of an entry: a role word marks a piece taken from
// "Title at Employer".
type part struct {
	text string
	role string // "title", "employer" or ""
}

// entryParts splits s on strong separators, then on commas, rejoining a
// corporate suffix to its name and "City, ST" to one location part, and
// splits "Title at Employer".
func entryParts(s string) []part {
	var out []part
	for _, p := range splitStrong(s) {
		for _, at := range []string{" at ", " @ "} {
			if t, e, ok := strings.Cut(p, at); ok && strings.TrimSpace(t) != "" && strings.TrimSpace(e) != "" {
				out = append(out, part{strings.TrimSpace(t), "title"})
				for _, q := range commaParts(e) {
					out = append(out, part{q, "employer"})
				}
				p = ""
				break
			}
		}
		if p == "" {
			continue
		}
		for _, q := range commaParts(p) {
			out = append(out, part{text: q})
		}
	}
	// Only the first piece after "at" is the employer; a location may follow.
	seen := false
	for i := range out {
		if out[i].role == "employer" {
			if seen || isLocation(out[i].text) {
				out[i].role = ""
			}
			seen = true
		}
	}
	return out
}

// commaParts splits p on commas, keeping "Acme, Inc." and "Phoenix, AZ"
// whole. Each part is a substring of p, as written.
func commaParts(p string) []string {
	type span struct{ start, end int }
	var out []span
	text := func(s span) string { return strings.TrimSpace(p[s.start:s.end]) }
	start := 0
	for start <= len(p) {
		end := strings.IndexByte(p[start:], ',')
		if end < 0 {
			end = len(p)
		} else {
			end += start
		}
		f := span{start, end}
		start = end + 1
		ft := text(f)
		if ft == "" {
			continue
		}
		n := len(out)
		if n > 0 {
			prev := text(out[n-1])
			low := strings.TrimSuffix(strings.ToLower(ft), ".")
			joined := text(span{out[n-1].start, f.end})
			switch {
			case corporateSuffixes[low],
				(usStates[ft] || countries[ft] || isLocation(joined)) && capitalisedWords(prev) &&
					!hasWord(prev, titleWords) && !hasWord(prev, orgWords),
				isLocation(prev) && (countries[ft] || usStates[ft]):
				out[n-1].end = f.end
				continue
			}
		}
		out = append(out, f)
	}
	parts := make([]string, len(out))
	for i, s := range out {
		parts[i] = text(s)
	}
	return parts
}

// dateLine is an entry's anchor: a line with its dates taken out.
type dateLine struct {
	rng    dateRange
	single bool // one date, not a range
	rest   string
}

// anchorDates finds the dates that make line an entry anchor. A range
// counts at the start or end of the line, or anywhere in a short line
// that is not a sentence; with allowSingle a lone date counts too.
func anchorDates(l line, allowSingle bool) (dateLine, bool) {
	t := l.text
	if t == "" || l.heading != "" {
		return dateLine{}, false
	}
	cut := func(start, end int) string {
		return strings.TrimSpace(t[:start] + " | " + t[end:])
	}
	if r, ok := findRange(t); ok {
		before := strings.Trim(t[:r.start], " \t()[],;:|–—-")
		after := strings.Trim(t[r.end:], " \t()[],;:|–—-.")
		short := len(t) <= 90 && !strings.HasSuffix(t, ".")
		if before == "" || after == "" || short {
			return dateLine{rng: r, rest: cut(r.start, r.end)}, true
		}
		return dateLine{}, false
	}
	if !allowSingle || len(t) > 120 {
		return dateLine{}, false
	}
	ds := findDates(t)
	if len(ds) != 1 {
		return dateLine{}, false
	}
	d := ds[0]
	rest := cut(d.start, d.end)
	for _, w := range []string{"expected", "graduated", "graduation", "class of", "since", "from", "started"} {
		rest = trimWordFold(rest, w)
	}
	r := dateRange{to: d.ym, start: d.start, end: d.end}
	if before := strings.ToLower(t[:d.start]); strings.HasSuffix(strings.TrimSpace(before), "since") ||
		strings.HasSuffix(strings.TrimSpace(before), "from") || strings.HasSuffix(strings.TrimSpace(before), "started") {
		r = dateRange{from: d.ym, start: d.start, end: d.end}
	}
	return dateLine{rng: r, single: true, rest: rest}, true
}

// trimWordFold removes the word w (any case) where it stands alone in s.
func trimWordFold(s, w string) string {
	low := strings.ToLower(s)
	i := strings.Index(low, w)
	if i < 0 || !wordBoundaryBefore(s, i) || !wordBoundaryAfter(s, i+len(w)) {
		return s
	}
	return strings.TrimSpace(s[:i] + s[i+len(w):])
}

// isContext reports whether l can complete an entry whose anchor lacks a
// part: a short line that is not a bullet, a heading, a sentence, or
// another anchor.
func isContext(l line) bool {
	t := l.text
	if t == "" || l.bullet || l.heading != "" || len(t) > 100 || strings.HasSuffix(t, ".") {
		return false
	}
	if len(strings.Fields(t)) > 12 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t)
	if unicode.IsLower(r) {
		return false
	}
	_, hasRange := findRange(t)
	return !hasRange
}

// entry is the text gathered for one entry.
type entry struct {
	dates dateLine
	parts []part
}

// gather finds the entries of a section: each anchor line with the parts
// of its line and, when complete(parts) is false, of the neighbouring
// context line that score prefers (the next line on a tie), or for an
// anchor that is only dates, up to two lines before it.
func gather(ls []line, allowSingle bool, complete func([]part) bool, score func(have []part, cand string) int) []entry {
	anchors := make([]bool, len(ls))
	dates := make([]dateLine, len(ls))
	any := false
	for i, l := range ls {
		if l.bullet {
			continue
		}
		if d, ok := anchorDates(l, allowSingle); ok {
			anchors[i], dates[i], any = true, d, true
		}
	}
	if !any { // a list of entries written as bullets
		for i, l := range ls {
			if d, ok := anchorDates(line{text: l.text}, allowSingle); ok {
				anchors[i], dates[i] = true, d
			}
		}
	}
	used := make([]bool, len(ls))
	var out []entry
	for i := range ls {
		if !anchors[i] {
			continue
		}
		used[i] = true
		e := entry{dates: dates[i], parts: entryParts(dates[i].rest)}
		usable := func(k int) bool {
			return k >= 0 && k < len(ls) && !used[k] && !anchors[k] && isContext(ls[k])
		}
		if len(e.parts) == 0 {
			// Dates alone on their line: the entry is written above them.
			var above []part
			for k := i - 1; k >= i-2 && usable(k); k-- {
				used[k] = true
				above = append(entryParts(ls[k].text), above...)
			}
			e.parts = above
			if len(e.parts) == 0 && usable(i+1) {
				used[i+1] = true
				e.parts = entryParts(ls[i+1].text)
			}
		}
		if !complete(e.parts) {
			prev, next := -1, -1
			if usable(i - 1) {
				prev = i - 1
			}
			if usable(i + 1) {
				next = i + 1
			}
			pick := next
			if prev >= 0 && (next < 0 || score(e.parts, ls[prev].text) > score(e.parts, ls[next].text)) {
				pick = prev
			}
			if pick >= 0 && score(e.parts, ls[pick].text) >= 0 {
				used[pick] = true
				ps := entryParts(ls[pick].text)
				if pick < i {
					e.parts = append(ps, e.parts...)
				} else {
					e.parts = append(e.parts, ps...)
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// employmentEntries returns the jobs of an experience section.
func employmentEntries(ls []line) []hiring.Employment {
	complete := func(ps []part) bool {
		j := assignJob(ps)
		return j.Employer != "" && j.Title != ""
	}
	score := func(have []part, cand string) int {
		j := assignJob(have)
		t, o := hasWord(cand, titleWords), hasWord(cand, orgWords)
		switch {
		case j.Title == "" && t && !o, j.Employer == "" && o && !t:
			return 2
		case j.Title != "" && t && !o, j.Employer != "" && o && !t:
			return -1 // the same kind of part again: another entry's line
		}
		return 0
	}
	var out []hiring.Employment
	for _, e := range gather(ls, false, complete, score) {
		j := assignJob(e.parts)
		if j.Employer == "" {
			continue
		}
		j.Start, j.End, j.Current = e.dates.rng.from, e.dates.rng.to, e.dates.rng.current
		out = append(out, j)
	}
	return out
}

// assignJob decides which parts are the title, the employer and the
// location: "at" decides first, then a location pattern, then title words
// and organisation words; of parts with neither, the first is the
// employer and the next the title.
func assignJob(ps []part) hiring.Employment {
	var j hiring.Employment
	var rest []string
	for _, p := range ps {
		switch {
		case p.role == "title" && j.Title == "":
			j.Title = p.text
		case p.role == "employer" && j.Employer == "":
			j.Employer = p.text
		case j.Location == "" && isLocation(p.text):
			j.Location = p.text
		default:
			rest = append(rest, p.text)
		}
	}
	var unmarked []string
	for _, p := range rest {
		t, o := hasWord(p, titleWords), hasWord(p, orgWords)
		switch {
		case t && !o && j.Title == "":
			j.Title = p
		case o && !t && j.Employer == "":
			j.Employer = p
		default:
			unmarked = append(unmarked, p)
		}
	}
	for _, p := range unmarked {
		switch {
		case j.Employer == "" && !(hasWord(p, titleWords) && j.Title == ""):
			j.Employer = p
		case j.Title == "":
			j.Title = p
		}
	}
	return j
}

// educationEntries returns the schools of an education section. Entries
// are anchored on dates; a section without dates gives one entry per line
// that names a school.
func educationEntries(ls []line) []hiring.Education {
	complete := func(ps []part) bool {
		s := assignSchool(ps)
		return s.Institution != "" && s.Degree != ""
	}
	score := func(have []part, cand string) int {
		s := assignSchool(have)
		sc, dg := hasWord(cand, schoolWords), isDegree(cand)
		switch {
		case s.Institution == "" && sc && !dg, s.Degree == "" && dg && !sc:
			return 2
		case s.Institution != "" && sc && !dg, s.Degree != "" && dg && !sc:
			return -1
		}
		return 0
	}
	entries := gather(ls, true, complete, score)
	if len(entries) == 0 {
		for i, l := range ls {
			if l.heading != "" || !hasWord(l.text, schoolWords) || len(l.text) > 150 {
				continue
			}
			e := entry{parts: entryParts(l.text)}
			if i+1 < len(ls) && isContext(ls[i+1]) && isDegree(ls[i+1].text) && !hasWord(ls[i+1].text, schoolWords) {
				e.parts = append(e.parts, entryParts(ls[i+1].text)...)
			}
			entries = append(entries, e)
		}
	}
	var out []hiring.Education
	for _, e := range entries {
		s := assignSchool(e.parts)
		if s.Institution == "" {
			continue
		}
		s.Start, s.End = e.dates.rng.from, e.dates.rng.to
		out = append(out, s)
	}
	return out
}

// assignSchool decides which parts are the institution and the degree:
// school words and degree words first; of parts with neither, the first is
// the institution. "Degree in Area" gives the area; otherwise one part
// left over after a degree and an institution is the area.
func assignSchool(ps []part) hiring.Education {
	var s hiring.Education
	var rest []string
	for _, p := range ps {
		sc, dg := hasWord(p.text, schoolWords), isDegree(p.text)
		switch {
		case sc && !dg && s.Institution == "":
			s.Institution = p.text
		case dg && !sc && s.Degree == "":
			s.Degree = p.text
		case isLocation(p.text):
		default:
			rest = append(rest, p.text)
		}
	}
	for _, p := range rest {
		switch {
		case s.Institution == "" && hasWord(p, schoolWords):
			s.Institution = p
		case s.Institution == "" && !isDegree(p):
			s.Institution = p
		case s.Degree == "" && isDegree(p):
			s.Degree = p
		case s.Area == "" && s.Degree != "":
			s.Area = p
		}
	}
	if d, area, ok := strings.Cut(s.Degree, " in "); ok && s.Area == "" {
		s.Degree, s.Area = strings.TrimSpace(d), strings.TrimSpace(area)
	}
	return s
}
