package link

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Résumé near-duplicate parameters. See the package documentation and
// docs/lab-rings.md for how they were chosen.
const (
	// ShingleWords is the number of consecutive words in one shingle.
	ShingleWords = 5
	// NumHashes is the number of MinHash values (bins) in a résumé
	// signature.
	NumHashes = 128
	// DefaultBands and DefaultRows split a signature for
	// locality-sensitive hashing: two résumés become a candidate pair when
	// all Rows values of at least one of the Bands agree (see
	// CandidateProbability).
	DefaultBands = 42
	DefaultRows  = 3
	// MinResumeWords is the fewest words (after contacts, numbers and the
	// applicant's name are dropped) a résumé needs to be compared at all.
	MinResumeWords = 40
	// DefaultResumeThreshold is the estimated Jaccard similarity of the
	// two résumés' shingle sets at or above which they are near-duplicates.
	DefaultResumeThreshold = 0.4
)

// signature is a b-bit one-permutation MinHash signature of a résumé's
// shingle set. Each shingle is hashed once; the top 7 bits of the hash pick
// one of NumHashes bins and the rest is its value; a bin keeps its
// smallest value, and empty bins borrow from a non-empty bin chosen by a
// fixed per-bin probe sequence ("optimal densification", Shrivastava,
// ICML 2017), which keeps the probability that two signatures agree in a
// bin equal to the Jaccard similarity of the sets, as with NumHashes
// independent hash functions, at 1/NumHashes of the cost. Each bin keeps 16
// bits of a hash of its minimum (Li and König, "b-Bit Minwise Hashing",
// 2010); two different minima agree by chance with probability 2^-16,
// which the estimate corrects for.
type signature [NumHashes]uint16

// binBits is log2(NumHashes).
const binBits = 7

var _ = [1]struct{}{}[NumHashes-1<<binBits] // NumHashes must be 2^binBits

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// resumeWords appends to dst a hash of each word of text that says
// something about the résumé's wording. Dropped, so that they make two
// résumés neither more nor less alike: e-mail addresses and URLs (tokens
// with '@', "://", "www.", "linkedin." or "github."); every token with a
// digit (phone numbers, dates, ZIP codes, percentages: the first things an
// operator edits when recycling a résumé); the month names and "present"
// of dates; and the words of the applicant's name. A word is the
// lower-case letters of a token between separators; other characters
// inside it (full stops, hyphens, apostrophes, plus and hash signs) are
// dropped, so "Node.js" is "nodejs".
func resumeWords(dst []uint64, text, name string) []uint64 {
	var nameWords []uint64
	for w := range strings.FieldsFuncSeq(name, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if utf8.RuneCountInString(w) >= 2 {
			nameWords = append(nameWords, wordHash(strings.ToLower(w)))
		}
	}
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiSpace[c] {
				i++
				continue
			}
		} else if r, n := utf8.DecodeRuneInString(text[i:]); unicode.IsSpace(r) {
			i += n
			continue
		}
		j, dot := i, false
		for j < len(text) {
			if c := text[j]; c < utf8.RuneSelf {
				if asciiSpace[c] {
					break
				}
				if c == '@' || c == '.' {
					dot = true // checked by skipToken
				}
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		tok := text[i:j]
		i = j
		if dot && skipToken(tok) {
			continue
		}
		h, letters, digit := uint64(fnvOffset), 0, false
		for k := 0; k < len(tok); {
			c := tok[k]
			if c < utf8.RuneSelf {
				k++
				switch {
				case 'a' <= c && c <= 'z':
					h = (h ^ uint64(c)) * fnvPrime
					letters++
				case 'A' <= c && c <= 'Z':
					h = (h ^ uint64(c+'a'-'A')) * fnvPrime
					letters++
				case '0' <= c && c <= '9':
					digit = true
				case asciiSep[c]:
					dst = appendWord(dst, h, letters, digit, nameWords)
					h, letters, digit = fnvOffset, 0, false
				}
				continue
			}
			r, n := utf8.DecodeRuneInString(tok[k:])
			k += n
			switch {
			case unicode.IsLetter(r):
				var buf [utf8.UTFMax]byte
				for _, b := range utf8.AppendRune(buf[:0], unicode.ToLower(r)) {
					h = (h ^ uint64(b)) * fnvPrime
				}
				letters++
			case unicode.IsDigit(r):
				digit = true
			case isWordSep(r):
				dst = appendWord(dst, h, letters, digit, nameWords)
				h, letters, digit = fnvOffset, 0, false
			}
		}
		dst = appendWord(dst, h, letters, digit, nameWords)
	}
	return dst
}

const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

var asciiSpace = [utf8.RuneSelf]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}

var asciiSep = func() (t [utf8.RuneSelf]bool) {
	for _, c := range ",;:/|()[]{}\"!?*=<>" {
		t[c] = true
	}
	return t
}()

// isWordSep reports whether r separates words inside a token.
func isWordSep(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSep[r]
	}
	switch r {
	case '…', '–', '—', '•', '·':
		return true
	}
	return false
}

func skipToken(raw string) bool {
	dot := false
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '@':
			return true
		case '.':
			dot = dot || i < len(raw)-1 // a full stop ending a sentence is no URL
		}
	}
	return dot && (strings.Contains(raw, "://") || hasPrefixFold(raw, "www.") ||
		containsFold(raw, "linkedin.") || containsFold(raw, "github."))
}

// hasPrefixFold and containsFold compare ASCII case-insensitively without
// allocating; pattern must be lower-case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func containsFold(s, pattern string) bool {
	for i := 0; i+len(pattern) <= len(s); i++ {
		if hasPrefixFold(s[i:], pattern) {
			return true
		}
	}
	return false
}

// appendWord appends the finished hash of a word unless it has no letters,
// has a digit, or is a word of the applicant's name.
func appendWord(dst []uint64, h uint64, letters int, digit bool, nameWords []uint64) []uint64 {
	if letters == 0 || digit {
		return dst
	}
	h = mix64(h)
	if slices.Contains(nameWords, h) || dateWords.has(h) {
		return dst
	}
	return append(dst, h)
}

// wordSet is a small open-addressing set of word hashes.
type wordSet [256]uint64

func (s *wordSet) has(h uint64) bool {
	for i := h; s[i%256] != 0; i++ {
		if s[i%256] == h {
			return true
		}
	}
	return false
}

// dateWords are the words of dates ("May 2019 – Present"), dropped with
// the digits.
var dateWords = func() (s wordSet) {
	for _, w := range strings.Fields("january february march april may june july august september october " +
		"november december jan feb mar apr jun jul aug sep sept oct nov dec present current now today") {
		h := wordHash(w)
		i := h
		for s[i%256] != 0 {
			i++
		}
		s[i%256] = h
	}
	return s
}()

func wordHash(w string) uint64 { return wordHashBytes([]byte(w)) }

// wordHashBytes is FNV-1a, finished with mix64.
func wordHashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return mix64(h)
}

// minhasher holds the scratch space for computing signatures; one per
// goroutine.
type minhasher struct {
	words []uint64
	mins  [NumHashes]uint64
}

// sign computes the signature of a résumé. It reports false when the
// résumé has fewer than MinResumeWords words: a two-line summary has too few
// shingles for a stable estimate, and the stock phrases such summaries are
// made of ("experienced software engineer with a passion for") would make
// unrelated people look alike.
func (m *minhasher) sign(text, name string, sig *signature) bool {
	m.words = resumeWords(m.words[:0], text, name)
	w := m.words
	if len(w) < MinResumeWords {
		return false
	}
	const empty = ^uint64(0)
	for i := range m.mins {
		m.mins[i] = empty
	}
	for i := 0; i+ShingleWords <= len(w); i++ {
		// Order matters: word k of the shingle is rotated by 13k bits.
		x := w[i] ^ bits.RotateLeft64(w[i+1], 13) ^ bits.RotateLeft64(w[i+2], 26) ^
			bits.RotateLeft64(w[i+3], 39) ^ bits.RotateLeft64(w[i+4], 52)
		x = mix64(x)
		bin, v := x>>(64-binBits), x&(1<<(64-binBits)-1)
		if v < m.mins[bin] {
			m.mins[bin] = v
		}
	}
	for j := range NumHashes {
		if m.mins[j] != empty {
			sig[j] = uint16(mix64(m.mins[j]^0x2545f4914f6cdd1d) >> 48)
		}
	}
	for j := range NumHashes {
		if m.mins[j] != empty {
			continue
		}
		for attempt := uint64(1); ; attempt++ {
			k := mix64(uint64(j)<<32|attempt) >> (64 - binBits)
			if m.mins[k] != empty {
				sig[j] = sig[k]
				break
			}
		}
	}
	return true
}

// similarity estimates the Jaccard similarity of the shingle sets behind
// two signatures, corrected for chance agreement of the 16-bit values.
func similarity(a, b *signature) float64 {
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	const chance = 1.0 / 65536
	j := (float64(eq)/NumHashes - chance) / (1 - chance)
	return max(j, 0)
}

// bandKey hashes the values of band b (rows values from b*rows on).
func (s *signature) bandKey(b, rows int) uint64 {
	h := uint64(b)
	for i, v := range s[b*rows : b*rows+rows] {
		h = h<<16 | uint64(v)
		if i%4 == 3 {
			h = mix64(h)
		}
	}
	return mix64(h)
}

// CandidateProbability returns the probability that two résumés with
// Jaccard similarity s become a candidate pair with the given banding:
// 1 - (1 - s^rows)^bands.
func CandidateProbability(s float64, bands, rows int) float64 {
	return 1 - math.Pow(1-math.Pow(s, float64(rows)), float64(bands))
}
