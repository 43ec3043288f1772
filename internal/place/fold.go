package place

import (
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

// wordFolds maps words to the abbreviation they are matched as.
var wordFolds = map[string]string{
	"saint": "st", "sainte": "ste", "fort": "ft", "mount": "mt",
}

// fold returns the matching key of s: lower case, accents removed, words of
// letters and digits separated by single spaces. Apostrophes and full stops
// are dropped without a break ("Coeur d'Alene" is "coeur dalene", "D.C." is
// "dc"), "&" is "and", and other punctuation separates words.
func fold(s string) string {
	return string(appendFold(nil, s))
}

// appendFold appends the matching key of s to dst; see [fold].
func appendFold(dst []byte, s string) []byte {
	f := folder{dst: dst, base: len(dst), word: len(dst)}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(s); i++ {
			f.rune(rune(s[i]))
		}
	} else {
		var it norm.Iter // decomposes without allocating
		it.InitString(norm.NFKD, s)
		for !it.Done() {
			for _, r := range string(it.Next()) {
				f.rune(r)
			}
		}
	}
	f.endWord()
	return f.dst
}

// folder is the state of [appendFold].
type folder struct {
	dst  []byte
	base int  // start of the key in dst
	word int  // start of the current word in dst
	sep  bool // a separator is pending before the next letter
}

func (f *folder) endWord() {
	if len(f.dst) == f.word {
		return
	}
	if w, ok := wordFolds[string(f.dst[f.word:])]; ok {
		f.dst = append(f.dst[:f.word], w...)
	}
}

func (f *folder) startWord() {
	if f.sep && len(f.dst) > f.base {
		f.endWord()
		f.dst = append(f.dst, ' ')
		f.word = len(f.dst)
	}
	f.sep = false
}

func (f *folder) rune(r rune) {
	switch {
	case r == '\'' || r == '’' || r == '‘' || r == 'ʼ' || r == 'ʻ' || r == '`' || r == '.':
		// Dropped without a word break.
	case r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r):
		// An accent separated from its letter by NFKD.
	case r == '&':
		f.sep = true
		f.startWord()
		f.dst = append(f.dst, "and"...)
		f.sep = true
	case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
		f.startWord()
		f.dst = append(f.dst, byte(r))
	case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
		f.startWord()
		f.dst = append(f.dst, byte(r)+'a'-'A')
	case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		f.startWord()
		if s, ok := letterFolds[r]; ok {
			f.dst = append(f.dst, s...)
		} else {
			f.dst = utf8.AppendRune(f.dst, unicode.ToLower(r))
		}
	default:
		f.sep = true
	}
}

// keyHasDigit reports whether a folded key holds a digit, the mark of a house
// number or postal code.
func keyHasDigit(key string) bool {
	return strings.ContainsAny(key, "0123456789")
}
