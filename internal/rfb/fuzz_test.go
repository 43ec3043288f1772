package rfb

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// maxFuzzInput caps fuzz inputs; every length field can still claim far
// more than the input holds.
const maxFuzzInput = 1 << 16

func FuzzServerInit(f *testing.F) {
	f.Add(encodeServerInit(testInit))
	f.Add(encodeServerInit(ServerInit{Width: 1024, Height: 768, PixelFormat: PixelFormat{BitsPerPixel: 8, Depth: 8}}))
	f.Add(cat(encodeServerInit(testInit)[:20], u32(MaxNameLen+1)))
	f.Add(cat(encodeServerInit(testInit)[:20], u32(0xffffffff)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		d := newDecoder(bytes.NewReader(data))
		si, err := readServerInit(d)
		if d.off > int64(len(data)) {
			t.Fatalf("consumed %d of %d bytes", d.off, len(data))
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if err := si.PixelFormat.validate(); err != nil {
			t.Fatalf("accepted invalid pixel format: %v", err)
		}
		if len(si.Name) > MaxNameLen || d.off != int64(20+4+len(si.Name)) {
			t.Fatalf("name of %d bytes, consumed %d", len(si.Name), d.off)
		}
		again, err := readServerInit(newDecoder(bytes.NewReader(encodeServerInit(si))))
		if err != nil || again != si {
			t.Fatalf("round trip of %+v = %+v, %v", si, again, err)
		}
	})
}

func FuzzServerMessages(f *testing.F) {
	for _, seed := range [][]byte{
		nil, bell, cutText, colourMap, fullScreen,
		cat(bell, fullScreen, cutText, colourMap, bell),
		update(rawRect(0, 0, 1, 1), rawRect(63, 47, 1, 1)),
		update(rect(0, 0, 8, 8, 5)),
		update(rect(65535, 65535, 65535, 65535, 0)),
		cat(byte(msgServerCutText), []byte{0, 0, 0}, u32(0xfffffff0)),
		cat(byte(msgSetColourMapEntries), byte(0), u16(65535), u16(2)),
		{7},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		d := newDecoder(bytes.NewReader(data))
		var n counters
		for {
			before := d.off
			err := readMessage(d, testInit, &n)
			if d.off > int64(len(data)) || d.off < before {
				t.Fatalf("offset went from %d to %d on %d bytes of input", before, d.off, len(data))
			}
			if err == io.EOF {
				if d.off != int64(len(data)) {
					t.Fatalf("clean end at offset %d of %d", d.off, len(data))
				}
				return
			}
			if err != nil {
				if !strings.Contains(err.Error(), " at offset ") {
					t.Fatalf("error %q names no offset", err)
				}
				return
			}
			if d.off == before {
				t.Fatal("a message consumed no bytes")
			}
		}
	})
}

func FuzzHandshake(f *testing.F) {
	si := encodeServerInit(testInit)
	for _, seed := range [][]byte{
		cat("RFB 003.008\n", byte(1), byte(1), u32(0), si),
		cat("RFB 003.007\n", byte(1), byte(1), si),
		cat("RFB 003.003\n", u32(1), si),
		cat("RFB 003.008\n", byte(2), byte(1), byte(2), challenge, u32(0), si),
		cat("RFB 003.003\n", u32(2), challenge, u32(1)),
		cat("RFB 003.008\n", byte(0), u32(7), "go away"),
		cat("RFB 003.008\n", byte(1), byte(2), challenge, u32(1), u32(12), "bad password"),
		[]byte("RFB 003.889\n"),
	} {
		f.Add(false, seed)
		f.Add(true, seed)
	}
	f.Fuzz(func(t *testing.T, withPassword bool, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		cfg := Config{}
		if withPassword {
			cfg.Password = "secret"
		}
		var sent bytes.Buffer
		d := newDecoder(bytes.NewReader(data))
		minor, got, err := handshake(d, &sent, cfg)
		if d.off > int64(len(data)) {
			t.Fatalf("consumed %d of %d bytes", d.off, len(data))
		}
		if err != nil {
			return
		}
		if minor != 3 && minor != 7 && minor != 8 {
			t.Fatalf("agreed version 3.%d", minor)
		}
		if want := fmt.Sprintf("RFB 003.%03d\n", minor); !strings.HasPrefix(sent.String(), want) {
			t.Fatalf("client sent %q, want it to start with %q", sent.Bytes(), want)
		}
		if err := got.PixelFormat.validate(); err != nil {
			t.Fatalf("accepted invalid pixel format: %v", err)
		}
	})
}
