// Package textfold turns names and free text into matching keys: lower
// case, accents and apostrophes removed, words separated by single spaces.
// Place names (package place) and applicant details (package screen) are
// matched on the same keys.
package textfold

import (
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

// Key returns the matching key of s: lower case, accents removed, words of
// letters and digits separated by single spaces. Apostrophes and full stops
// are dropped without a break ("Coeur d'Alene" is "coeur dalene", "D.C." is
// "dc", "St. John's" is "st johns"), "&" is "and", and other punctuation
// separates words.
func Key(s string) string {
	return string(AppendKey(nil, s, nil))
}

// AppendKey appends the matching key of s to dst, as [Key] does, and then
// replaces every whole word of the key found in words by its value (e.g.
// "saint" by "st"); words may be nil. For ASCII text it does not allocate
// when dst has room.
func AppendKey(dst []byte, s string, words map[string]string) []byte {
	f := folder{dst: dst, base: len(dst), word: len(dst), words: words}
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

// folder is the state of [AppendKey].
type folder struct {
	dst   []byte
	base  int  // start of the key in dst
	word  int  // start of the current word in dst
	sep   bool // a separator is pending before the next letter
	words map[string]string
}

func (f *folder) endWord() {
	if len(f.dst) == f.word {
		return
	}
	if f.words == nil {
		return
	}
	if w, ok := f.words[string(f.dst[f.word:])]; ok {
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
