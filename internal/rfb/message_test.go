package rfb

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
)

// rect encodes a FramebufferUpdate rectangle header.
func rect(x, y, w, h uint16, enc int32) []byte {
	b := binary.BigEndian.AppendUint16(nil, x)
	b = binary.BigEndian.AppendUint16(b, y)
	b = binary.BigEndian.AppendUint16(b, w)
	b = binary.BigEndian.AppendUint16(b, h)
	return binary.BigEndian.AppendUint32(b, uint32(enc))
}

// rawRect encodes a Raw rectangle with its pixels in testInit's format.
func rawRect(x, y, w, h uint16) []byte {
	return cat(rect(x, y, w, h, encodingRaw), bytes.Repeat([]byte{0xab}, int(w)*int(h)*testInit.PixelFormat.BytesPerPixel()))
}

func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// update encodes a FramebufferUpdate with the given rectangles.
func update(rects ...[]byte) []byte {
	b := cat(byte(msgFramebufferUpdate), byte(0), u16(uint16(len(rects))))
	for _, r := range rects {
		b = append(b, r...)
	}
	return b
}

var (
	bell       = []byte{msgBell}
	cutText    = cat(byte(msgServerCutText), []byte{0, 0, 0}, u32(5), "hello")
	colourMap  = cat(byte(msgSetColourMapEntries), byte(0), u16(3), u16(2), make([]byte, 12))
	fullScreen = update(rawRect(0, 0, testInit.Width, testInit.Height))
)

// readAll reads messages from b until the first error, as the reader
// goroutine does, and returns the counts and that error (io.EOF at a
// clean end).
func readAll(b []byte) (Stats, int64, error) {
	d := newDecoder(bytes.NewReader(b))
	var n counters
	var err error
	for err == nil {
		err = readMessage(d, testInit, &n)
	}
	return Stats{
		FramebufferUpdates: n.updates.Load(), Rectangles: n.rects.Load(),
		ColourMapEntries: n.colourMaps.Load(), Bells: n.bells.Load(), CutTexts: n.cutTexts.Load(),
	}, d.off, err
}

// TestReadMessage checks that well-formed server messages are consumed
// exactly and counted.
func TestReadMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want Stats
	}{
		{"nothing", nil, Stats{}},
		{"full-screen Raw update", fullScreen, Stats{FramebufferUpdates: 1, Rectangles: 1}},
		{"update with two rectangles", update(rawRect(0, 0, 1, 1), rawRect(63, 47, 1, 1)), Stats{FramebufferUpdates: 1, Rectangles: 2}},
		{"empty update", update(), Stats{FramebufferUpdates: 1}},
		{"empty rectangle at the edge", update(rawRect(64, 48, 0, 0)), Stats{FramebufferUpdates: 1, Rectangles: 1}},
		{"bell", bell, Stats{Bells: 1}},
		{"cut text", cutText, Stats{CutTexts: 1}},
		{"colour map", colourMap, Stats{ColourMapEntries: 1}},
		{"all in a row", cat(bell, fullScreen, cutText, colourMap, bell), Stats{FramebufferUpdates: 1, Rectangles: 1, ColourMapEntries: 1, Bells: 2, CutTexts: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, off, err := readAll(tc.in)
			if err != io.EOF {
				t.Fatalf("readMessage() = %v, want io.EOF at the end", err)
			}
			if off != int64(len(tc.in)) {
				t.Errorf("readMessage() consumed %d bytes, want %d", off, len(tc.in))
			}
			if got != tc.want {
				t.Errorf("readMessage() counted %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestReadMessageErrors checks that messages the client cannot size or
// that break the limits fail with an error naming the field and offset.
func TestReadMessageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"unknown type", []byte{7}, "unknown server message type 7 at offset 0"},
		{"unknown type after a bell", cat(bell, byte(200)), "unknown server message type 200 at offset 1"},
		{"hextile rectangle", update(rect(0, 0, 8, 8, 5)), "rectangle 0 at offset 4: encoding 5 is not Raw (0)"},
		{"pseudo-encoding", update(rect(0, 0, 8, 8, -223)), "encoding -223 is not Raw"},
		{"rectangle too wide", update(rect(60, 0, 5, 1, 0)), "5x1 at (60,0) exceeds the 64x48 framebuffer"},
		{"rectangle too tall", update(rect(0, 0, 1, 49, 0)), "1x49 at (0,0) exceeds the 64x48 framebuffer"},
		{"second rectangle bad", update(rawRect(0, 0, 1, 1), rect(65535, 65535, 65535, 65535, 0)), "rectangle 1 at offset 20"},
		{"pixels cut short", fullScreen[:100], "rectangle 0 pixels at offset 16: unexpected EOF"},
		{"rectangle header cut", update(rawRect(0, 0, 1, 1))[:10], "rectangle 0 header at offset 4: unexpected EOF"},
		{"rectangle count cut", []byte{0, 0, 1}, "number-of-rectangles at offset 2: unexpected EOF"},
		{"cut text too long", cat(byte(msgServerCutText), []byte{0, 0, 0}, u32(maxCutTextLen+1)), "text length 16777217 at offset 4 exceeds the limit of 16777216 bytes"},
		{"extended cut text (negative length)", cat(byte(msgServerCutText), []byte{0, 0, 0}, u32(0xfffffff0)), "exceeds the limit"},
		{"cut text cut", cutText[:10], "text at offset 8: unexpected EOF"},
		{"colour map past the end", cat(byte(msgSetColourMapEntries), byte(0), u16(65535), u16(2)), "colours 65535 to 65536 at offset 2 exceed the 65536-entry colour map"},
		{"colour map cut", colourMap[:9], "colours at offset 6: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(tc.in)
			if err == nil || err == io.EOF || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("readMessage() = %v, want error containing %q", err, tc.want)
			}
		})
	}
}
