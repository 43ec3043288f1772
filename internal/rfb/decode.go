package rfb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Limits on lengths the server announces.
const (
	// MaxNameLen is the longest desktop name accepted in ServerInit.
	MaxNameLen = 1 << 20
	// maxReasonLen bounds the failure reason strings of the handshake.
	maxReasonLen = 1 << 16
	// maxCutTextLen bounds a ServerCutText message.
	maxCutTextLen = 1 << 24
)

// decoder reads big-endian protocol fields from the server and counts the
// bytes consumed, so errors can name the offset of the bad field.
type decoder struct {
	r   *bufio.Reader
	off int64
	buf [8]byte
}

func newDecoder(r io.Reader) *decoder {
	return &decoder{r: bufio.NewReaderSize(r, 64<<10)}
}

// full fills p. A stream that ends before p is full gives
// io.ErrUnexpectedEOF, even if it ends before the first byte: every caller
// expects the field.
func (d *decoder) full(field string, p []byte) error {
	n, err := io.ReadFull(d.r, p)
	d.off += int64(n)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read %s at offset %d: %w", field, d.off-int64(n), err)
	}
	return nil
}

func (d *decoder) u8(field string) (uint8, error) {
	err := d.full(field, d.buf[:1])
	return d.buf[0], err
}

func (d *decoder) u16(field string) (uint16, error) {
	err := d.full(field, d.buf[:2])
	return binary.BigEndian.Uint16(d.buf[:2]), err
}

func (d *decoder) u32(field string) (uint32, error) {
	err := d.full(field, d.buf[:4])
	return binary.BigEndian.Uint32(d.buf[:4]), err
}

// skip discards n bytes without holding them in memory.
func (d *decoder) skip(field string, n int64) error {
	start := d.off
	for n > 0 {
		chunk := int(min(n, 1<<30))
		m, err := d.r.Discard(chunk)
		d.off += int64(m)
		n -= int64(m)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read %s at offset %d: %w", field, start, err)
		}
	}
	return nil
}

// str reads a length-prefixed string of at most limit bytes.
func (d *decoder) str(field string, limit uint32) (string, error) {
	at := d.off
	n, err := d.u32(field + " length")
	if err != nil {
		return "", err
	}
	if n > limit {
		return "", fmt.Errorf("%s length %d at offset %d exceeds the limit of %d bytes", field, n, at, limit)
	}
	b := make([]byte, n)
	if err := d.full(field, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// PixelFormat is the RFB PIXEL_FORMAT structure (RFC 6143, 7.4).
type PixelFormat struct {
	BitsPerPixel uint8 // 8, 16 or 32
	Depth        uint8 // useful bits per pixel, 1 to BitsPerPixel
	BigEndian    bool
	TrueColour   bool // false: pixels index a colour map
	RedMax       uint16
	GreenMax     uint16
	BlueMax      uint16
	RedShift     uint8
	GreenShift   uint8
	BlueShift    uint8
}

// BytesPerPixel is BitsPerPixel / 8.
func (pf PixelFormat) BytesPerPixel() int { return int(pf.BitsPerPixel) / 8 }

func (pf PixelFormat) validate() error {
	switch pf.BitsPerPixel {
	case 8, 16, 32:
	default:
		return fmt.Errorf("bits-per-pixel %d is not 8, 16 or 32", pf.BitsPerPixel)
	}
	if pf.Depth == 0 || pf.Depth > pf.BitsPerPixel {
		return fmt.Errorf("depth %d is outside 1 to bits-per-pixel %d", pf.Depth, pf.BitsPerPixel)
	}
	return nil
}

const pixelFormatLen = 16

func decodePixelFormat(b []byte) PixelFormat {
	return PixelFormat{
		BitsPerPixel: b[0],
		Depth:        b[1],
		BigEndian:    b[2] != 0,
		TrueColour:   b[3] != 0,
		RedMax:       binary.BigEndian.Uint16(b[4:]),
		GreenMax:     binary.BigEndian.Uint16(b[6:]),
		BlueMax:      binary.BigEndian.Uint16(b[8:]),
		RedShift:     b[10],
		GreenShift:   b[11],
		BlueShift:    b[12],
		// b[13:16] is padding.
	}
}

// ServerInit is the server's description of its framebuffer (RFC 6143,
// 7.3.2).
type ServerInit struct {
	Width, Height uint16
	PixelFormat   PixelFormat
	Name          string // the desktop name, at most MaxNameLen bytes
}

// readServerInit decodes a ServerInit message.
func readServerInit(d *decoder) (ServerInit, error) {
	start := d.off
	var b [4 + pixelFormatLen]byte
	if err := d.full("ServerInit", b[:]); err != nil {
		return ServerInit{}, err
	}
	si := ServerInit{
		Width:       binary.BigEndian.Uint16(b[0:]),
		Height:      binary.BigEndian.Uint16(b[2:]),
		PixelFormat: decodePixelFormat(b[4:]),
	}
	if err := si.PixelFormat.validate(); err != nil {
		return ServerInit{}, fmt.Errorf("ServerInit pixel format at offset %d: %w", start+4, err)
	}
	name, err := d.str("ServerInit desktop name", MaxNameLen)
	if err != nil {
		return ServerInit{}, err
	}
	si.Name = name
	return si, nil
}
