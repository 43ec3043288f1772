package evdev

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Codes the tests type, from linux/input-event-codes.h.
const (
	keyA, keyE, keyH, keyT, keyZ = 30, 18, 35, 20, 44
	key1                         = 2
	keyLeftShift                 = 42
	keySpace                     = 57
	keyFn                        = 0x1d0
	btnLeft                      = 0x110
	evRel, evMsc, evLed          = 0x02, 0x04, 0x11
	mscScan                      = 0x04
)

// ev is one input_event as a test writes it.
type ev struct {
	t     time.Duration
	typ   uint16
	code  uint16
	value int32
}

// encode writes records in d's layout, as the kernel would.
func (d decoder) encode(evs ...ev) []byte {
	out := make([]byte, 0, len(evs)*d.size)
	for _, e := range evs {
		b := make([]byte, d.size)
		sec, usec := uint64(e.t/time.Second), uint64(e.t%time.Second/time.Microsecond)
		long := (d.size - 8) / 2
		if long == 8 {
			d.order.PutUint64(b, sec)
			d.order.PutUint64(b[8:], usec)
		} else {
			d.order.PutUint32(b, uint32(sec))
			d.order.PutUint32(b[4:], uint32(usec))
		}
		d.order.PutUint16(b[2*long:], e.typ)
		d.order.PutUint16(b[2*long+2:], e.code)
		d.order.PutUint32(b[2*long+4:], uint32(e.value))
		out = append(out, b...)
	}
	return out
}

// Helpers that build typical event sequences.
func press(t time.Duration, code uint16) []ev {
	return []ev{{t, evMsc, mscScan, 0x70000 + int32(code)}, {t, evKey, code, keyPress}, {t, evSyn, synReport, 0}}
}
func release(t time.Duration, code uint16) []ev {
	return []ev{{t, evMsc, mscScan, 0x70000 + int32(code)}, {t, evKey, code, keyRelease}, {t, evSyn, synReport, 0}}
}
func repeat(t time.Duration, code uint16) []ev {
	return []ev{{t, evKey, code, keyRepeat}, {t, evSyn, synReport, 0}}
}
func cat(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var (
	le64 = decoder{size: 24, order: binary.LittleEndian}
	le32 = decoder{size: 16, order: binary.LittleEndian}
	be64 = decoder{size: 24, order: binary.BigEndian}
)

func TestNativeLayout(t *testing.T) {
	if native.size != 24 && native.size != 16 {
		t.Fatalf("native record size = %d, want 24 or 16", native.size)
	}
}

func TestDecodeLayouts(t *testing.T) {
	want := ev{t: 1234*time.Second + 567890*time.Microsecond, typ: evKey, code: keyA, value: keyRepeat}
	for _, d := range []decoder{le64, le32, be64} {
		b := d.encode(want)
		if len(b) != d.size {
			t.Fatalf("encode: %d bytes, want %d", len(b), d.size)
		}
		r, err := d.decode(b, 0)
		if err != nil {
			t.Fatalf("decode(size %d, %v): %v", d.size, d.order, err)
		}
		got := ev{r.time, r.typ, r.code, r.value}
		if got != want {
			t.Errorf("decode(size %d, %v) = %+v, want %+v", d.size, d.order, got, want)
		}
	}
	// A 64-bit little-endian record as the kernel writes it, byte by byte.
	raw := []byte{
		0x39, 0x30, 0, 0, 0, 0, 0, 0, // tv_sec 12345
		0x40, 0xe2, 0x01, 0, 0, 0, 0, 0, // tv_usec 123456
		0x01, 0x00, // EV_KEY
		0x1e, 0x00, // KEY_A
		0x01, 0x00, 0x00, 0x00, // press
	}
	r, err := le64.decode(raw, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.time != 12345*time.Second+123456*time.Microsecond || r.typ != evKey || r.code != keyA || r.value != keyPress {
		t.Errorf("decode(kernel bytes) = %+v", r)
	}
}

func TestDecodeErrors(t *testing.T) {
	withLong := func(at int, v uint64) []byte {
		b := le64.encode(ev{typ: evSyn})
		binary.LittleEndian.PutUint64(b[at:], v)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"short", make([]byte, 23), "input_event at offset 48: 23 bytes, need 24"},
		{"usec", withLong(8, 1e6), "offset 48: microseconds 1000000 out of range (limit 999999)"},
		{"sec", withLong(0, 1<<63), "offset 48: seconds 9223372036854775808 out of range"},
		{"type", le64.encode(ev{typ: 0x20}), "offset 48: invalid event type 0x20 (limit 0x1f)"},
		{"code", le64.encode(ev{typ: evKey, code: 0x300, value: 1}), "offset 48: key code out of range (limit 0x2ff)"},
		{"value", le64.encode(ev{typ: evKey, code: keyA, value: 3}), "offset 48: invalid key value 3 (want 0, 1 or 2)"},
	}
	for _, tt := range tests {
		_, err := le64.decode(tt.b, 48)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: decode = %v, want error containing %q", tt.name, err, tt.want)
		}
	}
	// Other event types may carry any code and value (MSC_SCAN's value is
	// a scan code): they are not checked, and so never printed.
	if _, err := le64.decode(le64.encode(ev{typ: evMsc, code: 0xffff, value: -1}), 0); err != nil {
		t.Errorf("decode(EV_MSC) = %v, want no error", err)
	}
}

// collect runs readStream over b and returns the events and the error.
func collect(r io.Reader, d decoder) ([]keystroke.Event, error) {
	var got []keystroke.Event
	err := readStream(r, d, newTracker(7, keystroke.ProvPhysical), func(e keystroke.Event) { got = append(got, e) })
	return got, err
}

func TestReadStreamPartialReads(t *testing.T) {
	evs := cat(press(time.Second, keyA), release(time.Second+80*time.Millisecond, keyA),
		press(2*time.Second, keyH), release(2*time.Second+90*time.Millisecond, keyH))
	for _, d := range []decoder{le64, le32, be64} {
		whole, err := collect(bytes.NewReader(d.encode(evs...)), d)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("readStream: %v, want io.EOF", err)
		}
		bytewise, err := collect(iotest.OneByteReader(bytes.NewReader(d.encode(evs...))), d)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("readStream one byte at a time: %v, want io.EOF", err)
		}
		if len(whole) != 2 || len(bytewise) != 2 || whole[0] != bytewise[0] || whole[1] != bytewise[1] {
			t.Errorf("size %d: whole reads %+v, one-byte reads %+v, want the same 2 strokes", d.size, whole, bytewise)
		}
	}
}

func TestReadStreamTruncated(t *testing.T) {
	b := le64.encode(cat(press(time.Second, keyA), release(2*time.Second, keyA))...)
	got, err := collect(bytes.NewReader(b[:len(b)-5]), le64)
	if err == nil || !strings.Contains(err.Error(), "offset 120: stream ends after 19 of 24 bytes") {
		t.Errorf("readStream(truncated) = %v, want error naming offset 120", err)
	}
	if len(got) != 1 {
		t.Errorf("readStream(truncated) emitted %+v before the error, want the one stroke before the cut SYN_REPORT", got)
	}
	b = append(le64.encode(press(time.Second, keyA)...), le64.encode(ev{typ: 0x30})...)
	if _, err := collect(bytes.NewReader(b), le64); err == nil || !strings.Contains(err.Error(), "offset 72: invalid event type") {
		t.Errorf("readStream(bad type at record 4) = %v, want error naming offset 72", err)
	}
}

// FuzzDecode feeds arbitrary bytes through the decoder and the tracker in
// each layout: no panic, every error names an offset on a record boundary,
// every stroke is well formed, and a record that decodes encodes back to
// the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(le64.encode(cat(press(time.Second, keyA), repeat(time.Second+500*time.Millisecond, keyA), release(2*time.Second, keyA))...), uint8(0))
	f.Add(le32.encode(cat(press(time.Second, keyT), press(time.Second, keyH), release(2*time.Second, keyT))...), uint8(1))
	f.Add(be64.encode(ev{typ: evSyn, code: synDropped}, ev{typ: evKey, code: keyA, value: 0}), uint8(2))
	f.Add(le64.encode(ev{typ: 0x20}), uint8(0))
	f.Add([]byte{1, 2, 3}, uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, layout uint8) {
		if len(b) > 1<<16 {
			return
		}
		d := []decoder{le64, le32, be64}[int(layout)%3]
		var got []keystroke.Event
		err := readStream(bytes.NewReader(b), d, newTracker(1, keystroke.ProvVirtual), func(e keystroke.Event) { got = append(got, e) })
		if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "input_event at offset ") {
			t.Fatalf("readStream error %q names no offset", err)
		}
		for _, e := range got {
			if e.Release < e.Press || e.Class >= keystroke.NumClasses || e.Prov != keystroke.ProvVirtual || e.Device != 1 {
				t.Fatalf("malformed stroke %+v", e)
			}
		}
		if len(b) >= d.size {
			r, err := d.decode(b[:d.size], 0)
			if err == nil && !bytes.Equal(d.encode(ev{r.time, r.typ, r.code, r.value}), b[:d.size]) {
				t.Fatalf("decode/encode round trip changed % x", b[:d.size])
			}
		}
	})
}
