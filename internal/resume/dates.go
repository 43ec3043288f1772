package resume

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Plausible years in a résumé date; other four-digit numbers are not
// dates.
const (
	minYear = 1940
	maxYear = 2100
)

// dateSpan is a date found in a line: its value and its byte span.
type dateSpan struct {
	ym         hiring.YearMonth
	start, end int
}

// dateRange is a range of dates found in a line: "Jan 2019 – Present",
// "2016 - 2020", "05/2018 – 08/2021", "2019–2021". An end of "Present"
// (or "Current", "Now", "Today") gives a zero End with Current.
type dateRange struct {
	from, to   hiring.YearMonth
	current    bool
	start, end int // byte span in the line
}

// monthNames maps English month names and their usual abbreviations.
var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// presentWords end an open range.
var presentWords = []string{"present", "current", "now", "today", "ongoing", "date"}

// rangeSeparators join the two ends of a range.
var rangeSeparators = []string{"-", "–", "—", "−", "~", "to", "until", "till"}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// wordBoundaryBefore reports whether s[i] starts a word.
func wordBoundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// wordBoundaryAfter reports whether s[i-1] ends a word.
func wordBoundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// dateAt parses a date starting at s[i]: "May 2019", "Sept. 2019",
// "05/2019", "5.2019", "2019-05", "2019". It checks the value with
// hiring.ParseYearMonth.
func dateAt(s string, i int) (dateSpan, bool) {
	if i >= len(s) || !wordBoundaryBefore(s, i) {
		return dateSpan{}, false
	}
	c := s[i]
	switch {
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		k := i
		for k < len(s) && (s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z') {
			k++
		}
		m, ok := monthNames[strings.ToLower(s[i:k])]
		if !ok {
			return dateSpan{}, false
		}
		j := k
		if j < len(s) && s[j] == '.' {
			j++
		}
		if j < len(s) && s[j] == ',' {
			j++
		}
		y, e, ok := yearAt(s, skipSpaces(s, j))
		if !ok {
			return dateSpan{}, false
		}
		return dateSpan{hiring.YearMonth{Year: y, Month: m}, i, e}, true
	case isDigit(c):
		k := i
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		switch k - i {
		case 4:
			y, _, ok := yearAt(s, i)
			if !ok {
				return dateSpan{}, false
			}
			// "2019-05" or "2019/05": a month after the year.
			if k+3 <= len(s) && (s[k] == '-' || s[k] == '/' || s[k] == '.') &&
				isDigit(s[k+1]) && isDigit(s[k+2]) && (k+3 == len(s) || !isDigit(s[k+3])) {
				if ym, err := hiring.ParseYearMonth(s[i:k] + "-" + s[k+1:k+3]); err == nil && ym.Month > 0 {
					return dateSpan{ym, i, k + 3}, true
				}
			}
			if !wordBoundaryAfter(s, k) {
				return dateSpan{}, false
			}
			return dateSpan{hiring.YearMonth{Year: y}, i, k}, true
		case 1, 2:
			if k+5 > len(s) || (s[k] != '/' && s[k] != '.' && s[k] != '-') {
				return dateSpan{}, false
			}
			y, e, ok := yearAt(s, k+1)
			if !ok {
				return dateSpan{}, false
			}
			ym, err := hiring.ParseYearMonth(s[i:k] + "/" + s[k+1:k+5])
			if err != nil || ym.Month == 0 || ym.Year != y {
				return dateSpan{}, false
			}
			return dateSpan{ym, i, e}, true
		}
	}
	return dateSpan{}, false
}

// yearAt parses a four-digit plausible year at s[i:], not followed by
// another digit.
func yearAt(s string, i int) (year, end int, ok bool) {
	if i+4 > len(s) {
		return 0, 0, false
	}
	for k := i; k < i+4; k++ {
		if !isDigit(s[k]) {
			return 0, 0, false
		}
	}
	if i+4 < len(s) && isDigit(s[i+4]) {
		return 0, 0, false
	}
	ym, err := hiring.ParseYearMonth(s[i : i+4])
	if err != nil || ym.Year < minYear || ym.Year > maxYear {
		return 0, 0, false
	}
	return ym.Year, i + 4, true
}

// findDates returns every date in s, left to right.
func findDates(s string) []dateSpan {
	var out []dateSpan
	for i := 0; i < len(s); i++ {
		if d, ok := dateAt(s, i); ok {
			out = append(out, d)
			i = d.end - 1
		}
	}
	return out
}

// findRange returns the first date range in s.
func findRange(s string) (dateRange, bool) {
	dates := findDates(s)
	for _, d := range dates {
		j := skipSpaces(s, d.end)
		sep := ""
		for _, p := range rangeSeparators {
			if hasPrefixFold(s[j:], p) && (p[0] < 'a' || p[0] > 'z' || wordBoundaryAfter(s, j+len(p))) {
				sep = p
				break
			}
		}
		if sep == "" {
			continue
		}
		j = skipSpaces(s, j+len(sep))
		if e, ok := dateAt(s, j); ok {
			return dateRange{from: d.ym, to: e.ym, start: d.start, end: e.end}, true
		}
		for _, w := range presentWords {
			if hasPrefixFold(s[j:], w) && wordBoundaryAfter(s, j+len(w)) {
				end := j + len(w)
				return dateRange{from: d.ym, current: true, start: d.start, end: end}, true
			}
		}
	}
	return dateRange{}, false
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if strings.HasPrefix(s[i:], "\u00a0") {
		return skipSpaces(s, i+len("\u00a0"))
	}
	return i
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
