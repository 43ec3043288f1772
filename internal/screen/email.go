package screen

import (
	"strconv"
	"strings"
)

// emails runs the e-mail checks on each address: disposable domains, and
// handle patterns (long digit runs, random-looking letters, no link to the
// applicant's name).
func (c *checker) emails() {
	if len(c.a.Emails) == 0 {
		c.skip("no e-mail address")
		return
	}
	nameWords := nameTokens(c.a.Name)
	for i, addr := range c.a.Emails {
		field := "emails[" + strconv.Itoa(i) + "]"
		handle, domain, ok := splitEmail(addr)
		if !ok {
			c.skip("%s %q is not an e-mail address: not checked", field, clip(strings.TrimSpace(addr), 60))
			continue
		}
		shown := clip(strings.TrimSpace(addr), 120)
		for _, l := range c.s.disposable {
			if d, ok := l.match(domain); ok {
				c.add("email.disposable", field, false,
					"The e-mail address %s is at %s, a disposable-mail service whose addresses anyone can create without identification and which expire.", shown, d)
				break
			}
		}
		if run := longestDigitRun(handle); len(run) >= 5 || len(run) == 4 && !plausibleYear(run, c.ref.Year) {
			c.add("email.handle-digits", field, false,
				"The e-mail handle %q contains the digit run %s, a pattern of addresses made in bulk; many people add numbers to a taken name, so this is weak evidence.", handle, run)
		}
		if seg := randomSegment(handle, nameWords); seg != "" {
			c.add("email.handle-random", field, false,
				"The e-mail handle %q contains %q, letters that read as randomly generated rather than as a name or word.", handle, seg)
		}
		if len(nameWords) > 0 && !handleMatchesName(handle, nameWords) {
			c.add("email.name-mismatch", field, true,
				"The e-mail handle %q shares no part with the name %q; nicknames and old handles explain most cases.", handle, clip(c.a.Name, 80))
		}
	}
}

// nameTokens returns the folded words of a person's name that are made of
// ASCII letters, for comparing with e-mail handles.
func nameTokens(name string) []string {
	var out []string
	for w := range strings.FieldsSeq(fold(name)) {
		ascii := true
		for i := 0; i < len(w); i++ {
			if w[i] < 'a' || w[i] > 'z' {
				ascii = false
				break
			}
		}
		if ascii && len(w) >= 1 {
			out = append(out, w)
		}
	}
	return out
}

// handleMatchesName reports whether an e-mail handle is linked to a name:
// it holds a name word of three or more letters, a handle word is the start
// of a name word ("alex" for "alexander"), or its letters are the name's
// initials with at most one whole name word ("jd", "jdoe", "johnd").
func handleMatchesName(handle string, name []string) bool {
	letters := lettersOnly(handle)
	if letters == "" {
		return true // digits only: nothing to compare
	}
	for _, w := range name {
		if len(w) >= 3 && strings.Contains(letters, w) || letters == w {
			return true // "annexample", or a short name used whole ("bo")
		}
	}
	for seg := range strings.FieldsFuncSeq(handle, notLetter) {
		if len(seg) < 3 {
			continue
		}
		for _, w := range name {
			if strings.HasPrefix(w, seg) {
				return true
			}
		}
	}
	var initials strings.Builder
	for _, w := range name {
		initials.WriteByte(w[0])
	}
	return len(letters) <= 4 && strings.Contains(initials.String(), letters)
}

func notLetter(r rune) bool { return r < 'a' || r > 'z' }

func lettersOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// longestDigitRun returns the longest run of digits in s.
func longestDigitRun(s string) string {
	best, start := "", -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = s[start:i]
		}
		start = -1
	}
	return best
}

// plausibleYear reports whether four digits read as a birth or graduation
// year.
func plausibleYear(d string, now int) bool {
	y, err := strconv.Atoi(d)
	return err == nil && y >= 1940 && y <= now
}

// randomSegment returns a run of letters in the handle that reads as
// random: five consonants in a row, or eight or more letters with under one
// vowel in six. Words of the applicant's name are exempt.
func randomSegment(handle string, name []string) string {
	for seg := range strings.FieldsFuncSeq(handle, notLetter) {
		if len(seg) < 5 {
			continue
		}
		exempt := false
		for _, w := range name {
			if len(w) >= 3 && strings.Contains(seg, w) || strings.Contains(w, seg) {
				exempt = true
				break
			}
		}
		if exempt {
			continue
		}
		vowels, run, maxRun := 0, 0, 0
		for i := 0; i < len(seg); i++ {
			switch seg[i] {
			case 'a', 'e', 'i', 'o', 'u', 'y':
				vowels++
				run = 0
			default:
				run++
				maxRun = max(maxRun, run)
			}
		}
		if maxRun >= 5 || len(seg) >= 8 && vowels*6 < len(seg) {
			return seg
		}
	}
	return ""
}
