package place

import (
	"strings"

	"github.com/lagwatch/lagwatch/internal/textfold"
)

// wordFolds maps words to the abbreviation they are matched as.
var wordFolds = map[string]string{
	"saint": "st", "sainte": "ste", "fort": "ft", "mount": "mt",
}

// fold returns the matching key of s (textfold.Key) with saint, sainte,
// fort and mount abbreviated ("Saint Paul" is "st paul").
func fold(s string) string {
	return string(appendFold(nil, s))
}

// appendFold appends the matching key of s to dst; see [fold].
func appendFold(dst []byte, s string) []byte {
	return textfold.AppendKey(dst, s, wordFolds)
}

// keyHasDigit reports whether a folded key holds a digit, the mark of a house
// number or postal code.
func keyHasDigit(key string) bool {
	return strings.ContainsAny(key, "0123456789")
}
