package articles

import "strings"

// sound is how a word starts when spoken, which decides "a" or "an".
type sound int8

const (
	soundUnknown   sound = iota // either article is accepted, or the word is not one we know how to say
	soundVowel                  // "an"
	soundConsonant              // "a"
)

// "u" words that start with a /j/ sound.
var consonantPrefixes = []string{"uni", "unan", "unary", "usu", "use", "usa", "usi", "uti",
	"ute", "ubi", "uku", "ura", "ure", "uri", "uro", "uto", "uga", "ukr", "uvu"}

// "uni-" words said with /ʌn/.
var vowelUniPrefixes = []string{"unin", "unim"}

// "u" words said with /ʌ/ or /ɜː/.
var vowelUPrefixes = []string{"un", "under", "up", "ugl", "ult", "umb", "ump", "ush", "utt", "utm", "urg",
	"urb", "uph"}

// "h" words with a silent h.
var silentH = []string{"hour", "honest", "honor", "honour", "heir"}

// "h" words where both articles are in use.
var eitherH = []string{"herb", "histor", "hotel", "heroic", "homage", "hypothe", "habitual", "humble"}

// All-capital words said as words, not letter by letter.
var acronymWords = map[string]bool{
	"nasa": true, "nato": true, "unesco": true, "unicef": true, "sql": true, "ram": true, "rom": true,
	"sim": true, "gui": true, "lan": true, "wan": true, "pin": true, "nat": true, "saas": true,
	"laser": true, "radar": true, "scuba": true, "fifa": true, "opec": true, "aids": true, "sars": true,
	"mers": true, "asean": true, "ieee": true, "ascii": true, "jpeg": true, "json": true, "yaml": true,
	"linq": true, "scada": true, "mac": true, "rag": true, "rest": true, "crud": true, "scrum": true,
	"ok": true,
}

// All-capital words with a vowel that are nevertheless said letter by
// letter.
var initialisms = map[string]bool{
	"fbi": true, "hiv": true, "mba": true, "ngo": true, "sap": true, "seo": true, "sla": true,
	"sre": true, "sso": true, "hbo": true, "hse": true, "rsa": true, "mit": true, "nus": true,
	"ntu": true, "nyu": true, "hod": true, "mvp": true, "mri": true, "rfp": true, "nda": true,
	"ssd": true, "sdk": true, "hdmi": true, "mfa": true, "eod": true,
}

// Letters whose names start with a vowel sound: "an F", "an MBA".
const vowelLetterNames = "aefhilmnorsx"

// letterSound is the first sound of an all-capital word: the name of its
// first letter when it is said letter by letter ("an FBI agent", "a URL",
// "an HTML page"), unknown when it may be said as a word and the two
// readings disagree ("SAAS", "MAC", an emphasised "NEW").
func letterSound(t *token) sound {
	low := t.low
	letters, vowels := 0, 0
	for i := 0; i < len(low); i++ {
		c := low[i]
		if c >= 'a' && c <= 'z' {
			letters++
			if strings.IndexByte("aeiou", c) >= 0 {
				vowels++
			}
		}
	}
	byName := soundConsonant
	if strings.IndexByte(vowelLetterNames, low[0]) >= 0 {
		byName = soundVowel
	}
	switch {
	case acronymWords[low]:
		return soundUnknown
	case letters <= 2 || vowels == 0 && letters <= 5 || initialisms[low]:
		return byName
	}
	// It may be a word. Where both readings agree, say so.
	switch low[0] {
	case 'a', 'e', 'i', 'o':
		if hasAnyPrefix(low, []string{"one", "once", "eu", "ewe"}) {
			return soundUnknown
		}
		return soundVowel
	case 'u':
		if hasAnyPrefix(low, vowelUPrefixes) {
			return soundUnknown
		}
		return soundConsonant
	}
	if byName == soundConsonant {
		return soundConsonant
	}
	return soundUnknown
}

// numberSound is the first sound of a number written in digits: "an 8",
// "an 11-year-old", "an 18th", "an 80%", "an 11,000", but "a 1", "a 100".
func numberSound(low string) sound {
	if low[0] == '8' {
		return soundVowel
	}
	if strings.HasPrefix(low, "11") || strings.HasPrefix(low, "18") {
		digits := 0
		for digits < len(low) && low[digits] >= '0' && low[digits] <= '9' {
			digits++
		}
		switch {
		case digits == 2 || digits == 5:
			return soundVowel // eleven, eighteen, eleven thousand, 11,000
		case digits == 4:
			return soundUnknown // "eleven hundred" or "one thousand one hundred"
		}
	}
	return soundConsonant
}

// English words start with at most these consonant pairs; a word that
// starts with another pair of consonants ("html", "sdk", "lzma", "mba")
// is most likely said letter by letter.
var onsets = map[string]bool{
	"bl": true, "br": true, "ch": true, "cl": true, "cr": true, "cz": true, "dr": true, "dw": true,
	"fj": true, "fl": true, "fr": true, "gh": true, "gl": true, "gn": true, "gr": true, "kh": true,
	"kl": true, "kn": true, "kr": true, "kw": true, "ph": true, "pl": true, "pn": true, "pr": true,
	"ps": true, "pt": true, "rh": true, "sc": true, "sh": true, "sk": true, "sl": true, "sm": true,
	"sn": true, "sp": true, "sq": true, "st": true, "sv": true, "sw": true, "th": true, "tr": true,
	"ts": true, "tw": true, "vl": true, "wh": true, "wr": true, "zh": true,
}

// pronounceableStart reports whether low (two or more lower-case letters)
// starts like an English word: a vowel or "y" among its first two letters,
// or a consonant pair words start with.
func pronounceableStart(low string) bool {
	a, b := low[0], low[1]
	if b < 'a' || b > 'z' || strings.IndexByte("aeiouy", a) >= 0 || strings.IndexByte("aeiouy", b) >= 0 {
		return true
	}
	return onsets[low[:2]]
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// initialSound returns the first sound of t.
func initialSound(t *token) sound {
	low := t.low
	if low == "" {
		return soundUnknown
	}
	if t.shape&sDigit != 0 {
		return numberSound(low)
	}
	if t.shape&sPunct != 0 || low[0] < 'a' || low[0] > 'z' {
		return soundUnknown
	}
	if t.shape&sAllCaps != 0 || len(t.text) == 1 && t.shape&sCapital != 0 ||
		len(t.text) > 1 && t.shape&sCapital != 0 && t.text[1] >= 'A' && t.text[1] <= 'Z' {
		return letterSound(t) // FBI, MSc, URLs: said letter by letter, or unknown
	}
	if len(low) == 1 {
		return soundUnknown // a lone lower-case letter
	}
	if low[1] == '-' {
		return letterSound(t) // "an n-tuple", "a t-shirt", "a U-turn"
	}
	if low[0] == 'x' {
		// "an X-ray", "an Xbox", "an XML file"; but "a xylophone".
		if strings.IndexByte("aeiouy", low[1]) < 0 {
			return soundVowel
		}
		return soundConsonant
	}
	if !pronounceableStart(low) {
		return soundUnknown // a lower-case initialism: "an html page", "an sdk"
	}
	switch low[0] {
	case 'a', 'i':
		return soundVowel
	case 'e':
		if strings.HasPrefix(low, "eu") || strings.HasPrefix(low, "ewe") {
			return soundConsonant
		}
		return soundVowel
	case 'o':
		if low == "one" || low == "once" || strings.HasPrefix(low, "one-") || strings.HasPrefix(low, "once-") ||
			low == "oneself" || strings.HasPrefix(low, "ouija") {
			return soundConsonant
		}
		return soundVowel
	case 'u':
		switch {
		case hasAnyPrefix(low, vowelUniPrefixes):
			return soundVowel
		case strings.HasPrefix(low, "unid"):
			return soundUnknown
		case hasAnyPrefix(low, consonantPrefixes):
			return soundConsonant
		case hasAnyPrefix(low, vowelUPrefixes):
			return soundVowel
		}
		return soundUnknown
	case 'h':
		if hasAnyPrefix(low, silentH) {
			return soundVowel
		}
		if hasAnyPrefix(low, eitherH) {
			return soundUnknown
		}
		return soundConsonant
	}
	return soundConsonant
}
