package hardware

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// EDID size limits: one 128-byte base block, and at most 255 extension
// blocks (the count is one byte).
const (
	edidBlockLen = 128
	maxEDIDLen   = 256 * edidBlockLen
)

// edidHeader is the fixed pattern at bytes 0 to 7 of every EDID.
var edidHeader = []byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}

// EDID is what package hardware reads from a display's Extended Display
// Identification Data (VESA E-EDID 1.3/1.4 base block).
type EDID struct {
	Manufacturer string // PNP ID of three capital letters, bytes 8 and 9
	ProductCode  uint16 // bytes 10 and 11, little-endian
	SerialNumber uint32 // bytes 12 to 15, little-endian; 0 when unset
	Name         string // display product name descriptor (tag 0xFC), printable ASCII
	Serial       string // display serial number descriptor (tag 0xFF), printable ASCII
}

// ParseEDID decodes the base block of an EDID as the kernel exposes it in
// /sys/class/drm/*/edid. It checks the header, the base block's checksum and
// the manufacturer ID, and reads the first product name and serial
// descriptors among the four 18-byte descriptors at bytes 54, 72, 90 and
// 108. Extension blocks are not decoded. An error names the byte offset at
// fault.
func ParseEDID(b []byte) (EDID, error) {
	switch {
	case len(b) < edidBlockLen:
		return EDID{}, fmt.Errorf("EDID is %d bytes, want at least %d", len(b), edidBlockLen)
	case len(b) > maxEDIDLen:
		return EDID{}, fmt.Errorf("EDID is %d bytes, more than the %d of 256 blocks", len(b), maxEDIDLen)
	case len(b)%edidBlockLen != 0:
		return EDID{}, fmt.Errorf("EDID is %d bytes, not a whole number of %d-byte blocks", len(b), edidBlockLen)
	}
	if !bytes.Equal(b[:8], edidHeader) {
		return EDID{}, fmt.Errorf("EDID header at bytes 0-7 is % x, want % x", b[:8], edidHeader)
	}
	var sum byte
	for _, c := range b[:edidBlockLen] {
		sum += c
	}
	if sum != 0 {
		return EDID{}, fmt.Errorf("EDID checksum at byte 127 is 0x%02x, want 0x%02x: bytes 0-127 sum to 0x%02x, not 0x00", b[127], b[127]-sum, sum)
	}
	mfg, err := decodePNP(binary.BigEndian.Uint16(b[8:10]))
	if err != nil {
		return EDID{}, err
	}
	e := EDID{
		Manufacturer: mfg,
		ProductCode:  binary.LittleEndian.Uint16(b[10:12]),
		SerialNumber: binary.LittleEndian.Uint32(b[12:16]),
	}
	for off := 54; off <= 108; off += 18 {
		d := b[off : off+18]
		if d[0] != 0 || d[1] != 0 {
			continue // a detailed timing descriptor
		}
		switch d[3] {
		case 0xfc:
			if e.Name == "" {
				e.Name = descriptorText(d[5:])
			}
		case 0xff:
			if e.Serial == "" {
				e.Serial = descriptorText(d[5:])
			}
		}
	}
	return e, nil
}

// decodePNP unpacks a manufacturer ID: three 5-bit letters, 1 for A to 26
// for Z, below a reserved zero bit.
func decodePNP(v uint16) (string, error) {
	if v&0x8000 != 0 {
		return "", fmt.Errorf("EDID manufacturer ID at bytes 8-9 is 0x%04x: reserved bit 7 of byte 8 is set", v)
	}
	var id [3]byte
	for i := range id {
		c := (v >> (10 - 5*i)) & 0x1f
		if c < 1 || c > 26 {
			return "", fmt.Errorf("EDID manufacturer ID at bytes 8-9 is 0x%04x: letter %d is %d, want 1 to 26 (A to Z)", v, i+1, c)
		}
		id[i] = byte('A' - 1 + c)
	}
	return string(id[:]), nil
}

// descriptorText decodes the 13 text bytes of a display descriptor: text
// ends at a line feed and is padded with spaces. Bytes outside printable
// ASCII become '?'.
func descriptorText(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	t := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		t[i] = c
	}
	return strings.TrimSpace(string(t))
}
