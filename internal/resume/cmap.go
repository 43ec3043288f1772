package resume

import (
	"bytes"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// Bounds on a ToUnicode character map.
const (
	maxCMapChars  = 1 << 16 // bfchar entries
	maxCMapRanges = 1 << 14 // bfrange and codespace entries
)

// cmap is a font's ToUnicode character map, parsed here rather than by the
// PDF library, whose parser trusts the entry counts written in the map.
type cmap struct {
	space  []codeRange
	chars  map[string]string
	ranges []bfRange
	width  int // code length when the map declares no code space
}

type codeRange struct{ lo, hi []byte }

type bfRange struct {
	lo, hi []byte
	dst    []byte   // first UTF-16BE value, incremented along the range
	arr    [][]byte // or one UTF-16BE value per code
}

// readCMap parses the ToUnicode stream v, returning nil when it yields no
// mapping. width is the code length to assume without a code space.
func readCMap(v pdf.Value, width int) (m *cmap) {
	defer func() {
		if recover() != nil { // the library panics on an unknown filter
			m = nil
		}
	}()
	data, err := io.ReadAll(io.LimitReader(v.Reader(), MaxPDFStreamSize))
	if err != nil && len(data) == 0 {
		return nil
	}
	m = &cmap{chars: map[string]string{}, width: width}
	var ops []cmapToken
	for t := range cmapTokens(data) {
		if t.kind != tokKeyword {
			if len(ops) < 3*maxCMapChars {
				ops = append(ops, t)
			}
			continue
		}
		switch string(t.b) {
		case "endcodespacerange":
			for i := 0; i+1 < len(ops) && len(m.space) < maxCMapRanges; i += 2 {
				lo, hi := ops[i].b, ops[i+1].b
				if ops[i].kind == tokHex && ops[i+1].kind == tokHex && len(lo) == len(hi) && len(lo) >= 1 && len(lo) <= 4 {
					m.space = append(m.space, codeRange{lo, hi})
				}
			}
		case "endbfchar":
			for i := 0; i+1 < len(ops) && len(m.chars) < maxCMapChars; i += 2 {
				if ops[i].kind == tokHex && ops[i+1].kind == tokHex && len(ops[i].b) <= 4 {
					m.chars[string(ops[i].b)] = utf16BE(ops[i+1].b)
				}
			}
		case "endbfrange":
			for i := 0; i+2 < len(ops) && len(m.ranges) < maxCMapRanges; {
				lo, hi := ops[i], ops[i+1]
				if lo.kind != tokHex || hi.kind != tokHex || len(lo.b) != len(hi.b) || len(lo.b) > 4 || len(lo.b) == 0 {
					i++
					continue
				}
				r := bfRange{lo: lo.b, hi: hi.b}
				switch ops[i+2].kind {
				case tokHex:
					r.dst = ops[i+2].b
					i += 3
				case tokArrayOpen:
					j := i + 3
					for ; j < len(ops) && ops[j].kind == tokHex; j++ {
						r.arr = append(r.arr, ops[j].b)
					}
					i = j + 1 // past "]"
				default:
					i += 3
					continue
				}
				m.ranges = append(m.ranges, r)
			}
		}
		ops = ops[:0]
	}
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	return m
}

// Decode implements pdf.TextEncoding.
func (m *cmap) Decode(raw string) string {
	var b []byte
	for len(raw) > 0 {
		n := m.codeLen(raw)
		code := raw[:n]
		raw = raw[n:]
		if s, ok := m.chars[code]; ok {
			b = append(b, s...)
			continue
		}
		if s, ok := m.inRange(code); ok {
			b = append(b, s...)
			continue
		}
		b = utf8.AppendRune(b, utf8.RuneError)
	}
	return string(b)
}

// codeLen returns the length of the code at the start of raw.
func (m *cmap) codeLen(raw string) int {
	for n := 1; n <= 4 && n <= len(raw); n++ {
		for _, r := range m.space {
			if len(r.lo) == n && inSpace(raw[:n], r) {
				return n
			}
		}
	}
	return min(max(m.width, 1), len(raw))
}

// inSpace reports whether each byte of code lies within the range's bytes.
func inSpace(code string, r codeRange) bool {
	for i := range len(code) {
		if code[i] < r.lo[i] || code[i] > r.hi[i] {
			return false
		}
	}
	return true
}

// inRange maps code through the bfrange entries.
func (m *cmap) inRange(code string) (string, bool) {
	for _, r := range m.ranges {
		if len(r.lo) != len(code) || code < string(r.lo) || code > string(r.hi) {
			continue
		}
		off := int(beUint(code) - beUint(string(r.lo)))
		if r.arr != nil {
			if off < len(r.arr) {
				return utf16BE(r.arr[off]), true
			}
			return "", false
		}
		if len(r.dst) < 2 {
			return "", false
		}
		d := bytes.Clone(r.dst)
		last := uint32(d[len(d)-2])<<8 | uint32(d[len(d)-1])
		last += uint32(off)
		d[len(d)-2], d[len(d)-1] = byte(last>>8), byte(last)
		return utf16BE(d), true
	}
	return "", false
}

func beUint(s string) uint32 {
	var v uint32
	for i := range len(s) {
		v = v<<8 | uint32(s[i])
	}
	return v
}

// utf16BE decodes big-endian UTF-16, the encoding of ToUnicode values.
func utf16BE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

type tokKind uint8

const (
	tokKeyword tokKind = iota
	tokHex
	tokOther
	tokArrayOpen
	tokArrayClose
)

type cmapToken struct {
	kind tokKind
	b    []byte
}

// cmapTokens yields the tokens of a character map: hex strings decoded,
// array brackets, keywords; names, numbers, literal strings and
// dictionaries as tokOther.
func cmapTokens(data []byte) func(yield func(cmapToken) bool) {
	return func(yield func(cmapToken) bool) {
		i := 0
		for i < len(data) {
			c := data[i]
			switch {
			case isPDFSpace(c):
				i++
			case c == '%':
				for i < len(data) && data[i] != '\n' && data[i] != '\r' {
					i++
				}
			case c == '<' && i+1 < len(data) && data[i+1] == '<', c == '>':
				i++
				for i < len(data) && data[i] == '>' {
					i++
				}
				if c == '<' {
					i++
				}
			case c == '<':
				i++
				var hex []byte
				var hi byte
				half := false
				for ; i < len(data) && data[i] != '>'; i++ {
					v, ok := unhex(data[i])
					if !ok {
						continue
					}
					if half {
						hex = append(hex, hi<<4|v)
					} else {
						hi = v
					}
					half = !half
				}
				if half {
					hex = append(hex, hi<<4)
				}
				i++
				if !yield(cmapToken{tokHex, hex}) {
					return
				}
			case c == '[' || c == ']':
				i++
				k := tokArrayOpen
				if c == ']' {
					k = tokArrayClose
				}
				if !yield(cmapToken{kind: k}) {
					return
				}
			case c == '(':
				i = literalEnd(data, i) + 1
				if !yield(cmapToken{kind: tokOther}) {
					return
				}
			default:
				j := i + 1
				for j < len(data) && !isPDFSpace(data[j]) && !isPDFDelim(data[j]) {
					j++
				}
				k := tokKeyword
				if c == '/' || c == '{' || c == '}' || c == ')' || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' {
					k = tokOther
				}
				tok := data[i:j]
				i = j
				if !yield(cmapToken{k, tok}) {
					return
				}
			}
		}
	}
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
