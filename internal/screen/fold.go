package screen

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/textfold"
)

// fold returns the matching form of s (textfold.Key): lower case, accents
// removed, words of letters and digits separated by single spaces
// ("St. John's" is "st johns").
func fold(s string) string { return textfold.Key(s) }

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
