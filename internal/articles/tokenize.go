package articles

import (
	"strings"
	"unicode/utf8"
)

// MaxSentenceTokens caps the tokens [Check] puts in one sentence; a longer
// run of text without a sentence end is cut into pieces of this size, so
// the work per sentence stays bounded.
const MaxSentenceTokens = 200

// token is one word or punctuation mark with its lexicon classes.
type token struct {
	text  string // as written
	low   string // ASCII letters lower-cased; same length as text
	class uint32 // lexicon classes (cArticle ...)
	shape uint8  // sCapital ...
}

// Token shapes.
const (
	sCapital uint8 = 1 << iota // first character is an ASCII capital
	sAllCaps                   // two or more letters, all capitals (FBI, HTML5)
	sAlpha                     // letters, hyphens and apostrophes only, at least one letter
	sHyphen                    // contains a hyphen between letters
	sDigit                     // starts with a digit
	sPunct                     // no letter and no digit
)

// makeToken fills in the lower-cased form, classes and shape of text.
// low must be the lower-cased text (see asciiLower).
func makeToken(text, low string) token {
	t := token{text: text, low: low, class: lexicon[low]}
	letters, upper, other, digits := 0, 0, 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= 'A' && c <= 'Z':
			letters++
			upper++
		case c >= 'a' && c <= 'z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		case c == '-':
			if i > 0 && i < len(text)-1 {
				t.shape |= sHyphen
			}
		case c == '\'':
		case c >= utf8.RuneSelf:
			letters++ // accented letters and other non-ASCII: treated as word characters
			other++
		default:
			other++
		}
	}
	if len(text) > 0 && text[0] >= 'A' && text[0] <= 'Z' {
		t.shape |= sCapital
	}
	if upper >= 2 && upper == letters {
		t.shape |= sAllCaps
	}
	if letters > 0 && digits == 0 && other == 0 {
		t.shape |= sAlpha
	}
	if len(text) > 0 && text[0] >= '0' && text[0] <= '9' {
		t.shape |= sDigit
	}
	if letters == 0 && digits == 0 {
		t.shape |= sPunct
	}
	return t
}

// asciiLower returns s with ASCII capitals lower-cased. Non-ASCII bytes are
// kept, so every byte offset in s is valid in the result. It allocates only
// when s has a capital.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !(s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	sb.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// span is one token of a text as byte offsets, with what came before it.
type span struct {
	start, end int32
	newlines   uint8 // newlines in the white space before the token (capped at 2)
	bullet     bool  // token is a list bullet at the start of a line
}

// isOpener reports whether r is opening punctuation peeled off the front
// of a word.
func isOpener(r rune) bool {
	switch r {
	case '(', '[', '{', '"', '\'', '`', '“', '‘', '«':
		return true
	}
	return false
}

// isCloser reports whether r is closing punctuation peeled off the end of
// a word (the period is handled apart).
func isCloser(r rune) bool {
	switch r {
	case ')', ']', '}', '"', '\'', '`', '”', '’', '»', ',', ';', ':', '!', '?', '…':
		return true
	}
	return false
}

// Abbreviations that keep their final period.
var abbreviations = map[string]bool{
	"etc.": true, "e.g.": true, "i.e.": true, "mr.": true, "mrs.": true, "ms.": true,
	"dr.": true, "prof.": true, "vs.": true, "inc.": true, "ltd.": true, "co.": true,
	"corp.": true, "jr.": true, "sr.": true, "st.": true, "no.": true, "approx.": true,
	"dept.": true, "univ.": true, "jan.": true, "feb.": true, "mar.": true, "apr.": true,
	"jun.": true, "jul.": true, "aug.": true, "sep.": true, "sept.": true, "oct.": true,
	"nov.": true, "dec.": true, "u.s.": true, "u.k.": true, "ph.d.": true, "b.sc.": true,
	"m.sc.": true, "b.a.": true, "m.a.": true,
}

// Clitics split off the end of a word, as in the Penn Treebank and CoNLL.
var clitics = []string{"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"}

// isBulletRune reports whether r marks a list item when it starts a line.
func isBulletRune(r rune) bool {
	switch r {
	case '-', '*', '•', '·', '–', '—', '▪', '●', '◦', '>', '+':
		return true
	}
	return false
}

// tokenSpans appends the tokens of text to dst.
//
// The rules, close to the CoNLL-2014 (Penn Treebank style) tokenisation:
// white space separates; opening brackets and quotes are split off the
// front of a word and closing ones, commas, colons, semicolons, "!" and
// "?" off the back; a final "." is split off unless the word is a known
// abbreviation ("etc.", "e.g.", "Dr.") or initials ("U.S."); "..." stays
// one token; the clitics "n't", "'s", "'re", "'ve", "'ll", "'d" and "'m"
// become tokens of their own ("don't" -> "do n't", "can't" -> "ca n't");
// a comma or semicolon between two letters splits ("Java,Go"); em and en
// dashes split; hyphens, slashes and apostrophes inside a word do not
// ("face-to-face", "his/her"). "cannot" stays one token.
func tokenSpans(text string, dst []span) []span {
	newlines := 0
	lineStart := true
	i := 0
	for i < len(text) {
		c := text[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
			i++
			continue
		}
		if c == '\n' {
			newlines++
			lineStart = true
			i++
			continue
		}
		if c == 0xc2 && i+1 < len(text) && text[i+1] == 0xa0 { // no-break space
			i += 2
			continue
		}
		j := i
		for j < len(text) {
			c := text[j]
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' {
				break
			}
			if c == 0xc2 && j+1 < len(text) && text[j+1] == 0xa0 {
				break
			}
			j++
		}
		n := len(dst)
		dst = splitChunk(text, i, j, dst)
		if len(dst) > n {
			nl := newlines
			if nl > 2 {
				nl = 2
			}
			dst[n].newlines = uint8(nl)
			if lineStart {
				r, size := utf8.DecodeRuneInString(text[i:j])
				if isBulletRune(r) && int(dst[n].end-dst[n].start) == size {
					dst[n].bullet = true
				}
			}
		}
		newlines = 0
		lineStart = false
		i = j
	}
	return dst
}

// splitChunk appends the tokens of text[s:e], a run without white space.
func splitChunk(text string, s, e int, dst []span) []span {
	// Leading openers and bullets, one rune each.
	for s < e {
		r, size := rune(text[s]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[s:e])
		}
		if !isOpener(r) && !isBulletRune(r) {
			break
		}
		dst = append(dst, span{start: int32(s), end: int32(s + size)})
		s += size
	}
	// Trailing closers, periods and ellipses, collected back to front.
	var tail [16]span
	nt := 0
	for s < e && nt < len(tail) {
		if text[e-1] == '.' && strings.HasSuffix(text[s:e], "...") {
			if e-3 == s {
				break
			}
			tail[nt] = span{start: int32(e - 3), end: int32(e)}
			nt++
			e -= 3
			continue
		}
		r, size := rune(text[e-1]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeLastRuneInString(text[s:e])
		}
		if r == '.' {
			if e-size == s || keepsPeriod(text[s:e]) {
				break
			}
		} else if !isCloser(r) || e-size == s {
			break
		}
		tail[nt] = span{start: int32(e - size), end: int32(e)}
		nt++
		e -= size
	}
	dst = splitWord(text, s, e, dst)
	for k := nt - 1; k >= 0; k-- {
		dst = append(dst, tail[k])
	}
	return dst
}

// keepsPeriod reports whether w, ending in ".", is an abbreviation or
// initials whose period belongs to the word.
func keepsPeriod(w string) bool {
	var lb [8]byte
	if len(w) <= len(lb) {
		l := lb[:0]
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			l = append(l, c)
		}
		if abbreviations[string(l)] {
			return true
		}
	}
	// Initials: single letters each followed by a period (U.S., J.R.R.).
	if len(w) < 4 {
		return false
	}
	for i := 0; i < len(w); i += 2 {
		if i+1 >= len(w) || w[i+1] != '.' || !isASCIILetter(w[i]) {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// splitWord appends text[s:e] split at inner commas, semicolons and dashes
// and before clitics.
func splitWord(text string, s, e int, dst []span) []span {
	if s >= e {
		return dst
	}
	for k := s + 1; k < e-1; k++ {
		c := text[k]
		if c != ',' && c != ';' && c != 0xe2 {
			continue
		}
		if (c == ',' || c == ';') && isASCIILetter(text[k-1]) && isASCIILetter(text[k+1]) {
			dst = splitWord(text, s, k, dst)
			dst = append(dst, span{start: int32(k), end: int32(k + 1)})
			return splitWord(text, k+1, e, dst)
		}
		if c == 0xe2 && k+2 < e && text[k+1] == 0x80 && (text[k+2] == 0x94 || text[k+2] == 0x93) { // em, en dash
			dst = splitWord(text, s, k, dst)
			dst = append(dst, span{start: int32(k), end: int32(k + 3)})
			return splitWord(text, k+3, e, dst)
		}
	}
	w := text[s:e]
	if strings.IndexByte(w, '\'') < 0 && strings.IndexByte(w, 0xe2) < 0 { // no ' and no ’
		return append(dst, span{start: int32(s), end: int32(e)})
	}
	for _, c := range clitics {
		if len(w) > len(c) && hasSuffixFold(w, c) {
			cut := e - len(c)
			dst = append(dst, span{start: int32(s), end: int32(cut)}, span{start: int32(cut), end: int32(e)})
			return dst
		}
		// The same clitic written with a typographic apostrophe (’, 3 bytes).
		if c[0] == '\'' || c[1] == '\'' {
			alt := len(c) + 2
			if len(w) > alt && curlyClitic(w, c) {
				cut := e - alt
				dst = append(dst, span{start: int32(s), end: int32(cut)}, span{start: int32(cut), end: int32(e)})
				return dst
			}
		}
	}
	return append(dst, span{start: int32(s), end: int32(e)})
}

// hasSuffixFold reports whether w ends with the lower-case ASCII suffix,
// ignoring ASCII case.
func hasSuffixFold(w, suffix string) bool {
	if len(w) < len(suffix) {
		return false
	}
	w = w[len(w)-len(suffix):]
	for i := 0; i < len(suffix); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
}

// curlyClitic reports whether w ends with clitic c spelt with ’ instead of '.
func curlyClitic(w, c string) bool {
	const curly = "’"
	i := strings.IndexByte(c, '\'')
	before, after := c[:i], c[i+1:]
	if !hasSuffixFold(w, after) {
		return false
	}
	w = w[:len(w)-len(after)]
	if !strings.HasSuffix(w, curly) {
		return false
	}
	w = w[:len(w)-len(curly)]
	return len(w) > len(before) && hasSuffixFold(w, before)
}

// Tokenize splits text into tokens the way the CoNLL-2014 data is
// tokenised (see the package documentation). It ignores sentence ends;
// [Check] splits sentences itself.
func Tokenize(text string) []string {
	var buf [256]span
	spans := tokenSpans(text, buf[:0])
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = text[sp.start:sp.end]
	}
	return out
}
