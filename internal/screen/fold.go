package screen

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// letterFolds spells letters that do not decompose into a base letter and
// accents under Unicode normalization.
var letterFolds = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h",
}

// fold returns the matching form of s: lower case, accents removed, words of
// letters and digits separated by single spaces. Apostrophes and full stops
// are dropped without a break ("St. John's" is "st johns"), "&" is "and",
// and other punctuation separates words.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	put := func(r rune) {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == 'ʼ' || r == '`' || r == '.':
			// Dropped without a word break.
		case r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r):
			// An accent separated from its letter by NFKD.
		case r == '&':
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("and")
			sep = true
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if sep && b.Len() > 0 {
				b.WriteByte(' ')
			}
			sep = false
			b.WriteRune(r)
		case 'A' <= r && r <= 'Z':
			if sep && b.Len() > 0 {
				b.WriteByte(' ')
			}
			sep = false
			b.WriteRune(r + 'a' - 'A')
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if sep && b.Len() > 0 {
				b.WriteByte(' ')
			}
			sep = false
			if f, ok := letterFolds[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		default:
			sep = true
		}
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(s); i++ {
			put(rune(s[i]))
		}
	} else {
		var it norm.Iter
		it.InitString(norm.NFKD, s)
		for !it.Done() {
			for _, r := range string(it.Next()) {
				put(r)
			}
		}
	}
	return b.String()
}

// clip shortens s to at most n bytes for a sentence, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// listIDs writes up to eight IDs for a sentence: "a-1, a-2 and 3 more".
func listIDs(ids []string) string {
	const show = 8
	if len(ids) <= show {
		return joinAnd(ids)
	}
	return strings.Join(ids[:show], ", ") + " and " + strconv.Itoa(len(ids)-show) + " more"
}

// joinAnd joins words as English does: "a", "a and b", "a, b and c".
func joinAnd(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	default:
		return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
	}
}
