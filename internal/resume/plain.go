package resume

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// plainText decodes a plain-text or Markdown file: UTF-8 (a byte-order mark
// is dropped) or UTF-16 with a byte-order mark. Anything else, and text with
// NUL bytes, is rejected as not text.
func plainText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return utf16Text(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return utf16Text(data[2:], true)
	}
	if !utf8.Valid(data) {
		off := invalidUTF8At(data)
		return "", fmt.Errorf("%w: not UTF-8 (invalid byte 0x%02x at offset %d); save the file as UTF-8", ErrFormat, data[off], off)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", fmt.Errorf("%w: NUL byte at offset %d: binary data, not text", ErrFormat, i)
	}
	return string(data), nil
}

// utf16Text decodes UTF-16 text that followed a byte-order mark.
func utf16Text(data []byte, bigEndian bool) (string, error) {
	if len(data)%2 != 0 {
		return "", errors.New("UTF-16 text with an odd number of bytes")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		a, b := uint16(data[2*i]), uint16(data[2*i+1])
		if bigEndian {
			units[i] = a<<8 | b
		} else {
			units[i] = b<<8 | a
		}
		if units[i] == 0 {
			return "", fmt.Errorf("%w: NUL character at UTF-16 offset %d: binary data, not text", ErrFormat, 2*i+2)
		}
	}
	return string(utf16.Decode(units)), nil
}

// invalidUTF8At returns the offset of the first byte that is not valid UTF-8.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}
