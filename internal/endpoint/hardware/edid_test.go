package hardware

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// testEDID describes an EDID for buildEDID.
type testEDID struct {
	mfg       string // three capital letters
	code      uint16
	serialNum uint32
	name      string // up to 13 bytes; "" for no name descriptor
	serial    string // up to 13 bytes; "" for no serial descriptor
}

// buildEDID returns a 128-byte EDID 1.4 base block like a monitor's: a
// 1920x1080 detailed timing at byte 54, then the name, serial and range
// limits descriptors, and a correct checksum.
func buildEDID(e testEDID) []byte {
	b := make([]byte, edidBlockLen)
	copy(b, edidHeader)
	var pnp uint16
	for i := range 3 {
		pnp |= uint16(e.mfg[i]-'A'+1) << (10 - 5*i)
	}
	binary.BigEndian.PutUint16(b[8:], pnp)
	binary.LittleEndian.PutUint16(b[10:], e.code)
	binary.LittleEndian.PutUint32(b[12:], e.serialNum)
	b[16], b[17] = 10, 2024-1990 // week, year
	b[18], b[19] = 1, 4          // EDID 1.4
	b[20] = 0xa5                 // digital, 8 bits per colour, DisplayPort
	b[21], b[22] = 53, 30        // 53 x 30 cm
	// Detailed timing: 148.5 MHz 1920x1080.
	copy(b[54:], []byte{0x02, 0x3a, 0x80, 0x18, 0x71, 0x38, 0x2d, 0x40, 0x58, 0x2c, 0x45, 0x00, 0x13, 0x2b, 0x21, 0x00, 0x00, 0x1e})
	desc := func(off int, tag byte, text string) {
		copy(b[off:], []byte{0, 0, 0, tag, 0})
		t := []byte(text)
		if len(t) < 13 {
			t = append(t, '\n')
		}
		for len(t) < 13 {
			t = append(t, ' ')
		}
		copy(b[off+5:], t)
	}
	off := 72
	if e.name != "" {
		desc(off, 0xfc, e.name)
		off += 18
	}
	if e.serial != "" {
		desc(off, 0xff, e.serial)
		off += 18
	}
	for ; off <= 108; off += 18 {
		copy(b[off:], []byte{0, 0, 0, 0xfd, 0, 48, 75, 30, 83, 15, 0, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20}) // range limits
	}
	fixChecksum(b)
	return b
}

// fixChecksum sets byte 127 so that the base block sums to zero.
func fixChecksum(b []byte) {
	var sum byte
	for _, c := range b[:127] {
		sum += c
	}
	b[127] = -sum
}

var (
	pikvmV4PlusEDID = testEDID{mfg: "LNX", code: 0x7773, name: "PiKVM V4 Plus", serial: "CAFEBABE"}
	nanoKVMEDID     = testEDID{mfg: "SPD", code: 0x3301, name: "NanoKVM", serial: "NanoKVM"}
	dellEDID        = testEDID{mfg: "DEL", code: 0xa0a4, serialNum: 0x4c4b3041, name: "DELL U2415", serial: "7MT0186B0ABC"}
	laptopPanelEDID = testEDID{mfg: "BOE", code: 0x0a3e} // panels often name nothing
)

func TestParseEDID(t *testing.T) {
	tests := []struct {
		in   testEDID
		want EDID
	}{
		{pikvmV4PlusEDID, EDID{Manufacturer: "LNX", ProductCode: 0x7773, Name: "PiKVM V4 Plus", Serial: "CAFEBABE"}},
		{nanoKVMEDID, EDID{Manufacturer: "SPD", ProductCode: 0x3301, Name: "NanoKVM", Serial: "NanoKVM"}},
		{dellEDID, EDID{Manufacturer: "DEL", ProductCode: 0xa0a4, SerialNumber: 0x4c4b3041, Name: "DELL U2415", Serial: "7MT0186B0ABC"}},
		{laptopPanelEDID, EDID{Manufacturer: "BOE", ProductCode: 0x0a3e}},
		{testEDID{mfg: "AZZ", code: 0xffff, serialNum: 0xffffffff, name: "x"}, EDID{Manufacturer: "AZZ", ProductCode: 0xffff, SerialNumber: 0xffffffff, Name: "x"}},
	}
	for _, tt := range tests {
		got, err := ParseEDID(buildEDID(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("ParseEDID(%+v) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseEDIDExtensionAndText(t *testing.T) {
	b := buildEDID(dellEDID)
	b[126] = 1 // one CTA-861 extension block follows
	fixChecksum(b)
	ext := make([]byte, edidBlockLen)
	ext[0], ext[1] = 0x02, 0x03
	got, err := ParseEDID(append(b, ext...))
	if err != nil || got.Name != "DELL U2415" {
		t.Errorf("ParseEDID(with extension) = %+v, %v; want name DELL U2415", got, err)
	}

	// Text bytes outside printable ASCII become '?'; text ends at the
	// first line feed.
	b = buildEDID(testEDID{mfg: "ABC", name: "A\x01B\xffC\nxyz"})
	got, err = ParseEDID(b)
	if err != nil || got.Name != "A?B?C" {
		t.Errorf("ParseEDID(odd name) = %q, %v; want %q", got.Name, err, "A?B?C")
	}
}

func TestParseEDIDErrors(t *testing.T) {
	good := buildEDID(dellEDID)
	mod := func(f func(b []byte) []byte) []byte {
		return f(bytes.Clone(good))
	}
	tests := []struct {
		name string
		in   []byte
		want string // in the error
	}{
		{"empty", nil, "EDID is 0 bytes, want at least 128"},
		{"short", good[:127], "EDID is 127 bytes, want at least 128"},
		{"partial block", append(bytes.Clone(good), 0), "129 bytes, not a whole number of 128-byte blocks"},
		{"too long", make([]byte, maxEDIDLen+edidBlockLen), "more than the 32768"},
		{"header", mod(func(b []byte) []byte { b[3] = 0; fixChecksum(b); return b }), "header at bytes 0-7 is 00 ff ff 00 ff ff ff 00"},
		{"checksum", mod(func(b []byte) []byte { b[20]++; return b }), "checksum at byte 127 is 0x"},
		{"reserved bit", mod(func(b []byte) []byte { b[8] |= 0x80; fixChecksum(b); return b }), "bytes 8-9 is 0x"},
		{"letter 0", mod(func(b []byte) []byte { b[8], b[9] = 0x00, 0x21; fixChecksum(b); return b }), "letter 1 is 0, want 1 to 26"},
		{"letter 27", mod(func(b []byte) []byte { b[8], b[9] = 0x04, 0x3b; fixChecksum(b); return b }), "letter 3 is 27, want 1 to 26"},
	}
	for _, tt := range tests {
		_, err := ParseEDID(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseEDID = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// FuzzParseEDID checks that ParseEDID never panics, rejects input with an
// error that starts "EDID", and returns what an EDID built from its result
// decodes to.
func FuzzParseEDID(f *testing.F) {
	for _, e := range []testEDID{pikvmV4PlusEDID, nanoKVMEDID, dellEDID, laptopPanelEDID} {
		f.Add(buildEDID(e))
	}
	f.Add(edidHeader)
	f.Add(make([]byte, edidBlockLen))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 2*maxEDIDLen {
			return
		}
		e, err := ParseEDID(b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "EDID ") {
				t.Fatalf("ParseEDID(%x) error %q does not start with EDID", b, err)
			}
			return
		}
		if !isPNP(e.Manufacturer) {
			t.Fatalf("ParseEDID(%x).Manufacturer = %q, want three capital letters", b, e.Manufacturer)
		}
		for _, s := range []string{e.Name, e.Serial} {
			if len(s) > maxEDIDTextLen || !isPrintableASCII(s) || s != strings.TrimSpace(s) {
				t.Fatalf("ParseEDID(%x) text %q: want at most 13 printable ASCII bytes, trimmed", b, s)
			}
		}
		if strings.Contains(e.Name, "\n") || strings.Contains(e.Serial, "\n") {
			t.Fatalf("ParseEDID(%x) = %+v: text holds a line feed", b, e)
		}
		again, err := ParseEDID(buildEDID(testEDID{e.Manufacturer, e.ProductCode, e.SerialNumber, e.Name, e.Serial}))
		if err != nil || again != e {
			t.Fatalf("ParseEDID(buildEDID(%+v)) = %+v, %v", e, again, err)
		}
	})
}
