package rfb

import (
	"encoding/binary"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestKeysym(t *testing.T) {
	for _, tc := range []struct {
		r    rune
		want uint32
		ok   bool
	}{
		{'a', 0x61, true},
		{'Z', 0x5a, true},
		{'0', 0x30, true},
		{' ', 0x20, true},
		{'~', 0x7e, true},
		{'!', 0x21, true},
		{'\n', KeyReturn, true},
		{'\r', 0xff0d, true},
		{'\b', 0xff08, true},
		{'\t', KeyTab, true},
		{0x1b, KeyEscape, true},
		{0x7f, KeyDelete, true},
		{0, 0, false},
		{'é', 0, false},
		{'€', 0, false},
	} {
		got, ok := Keysym(tc.r)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Keysym(%q) = %#x, %t, want %#x, %t", tc.r, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStrokes(t *testing.T) {
	got, err := Strokes("Hi!\n", 10*time.Millisecond, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	want := []Stroke{
		{'H', 10 * time.Millisecond, 20 * time.Millisecond},
		{'i', 10 * time.Millisecond, 20 * time.Millisecond},
		{'!', 10 * time.Millisecond, 20 * time.Millisecond},
		{KeyReturn, 10 * time.Millisecond, 20 * time.Millisecond},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Strokes(Hi!\\n) = %v, want %v", got, want)
	}
	if _, err := Strokes("ab€", 0, 0); err == nil || !strings.Contains(err.Error(), `rune '€' at byte 2`) {
		t.Errorf("Strokes(ab€) = %v, want an error naming the rune and its offset", err)
	}
}

// keyAt is a KeyEvent as a server received it.
type keyAt struct {
	at     time.Duration
	down   bool
	keysym uint32
}

// TestTypeSchedule checks, on a fake clock, that Type holds and waits
// exactly as asked: no gap after the last stroke, zero durations allowed.
func TestTypeSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		start := time.Now()
		got := make(chan []keyAt, 1)
		go func() {
			defer b.Close()
			var evs []keyAt
			defer func() { got <- evs }()
			if err := serverHandshake(b); err != nil {
				t.Errorf("fake server: %v", err)
				return
			}
			var m [8]byte
			for {
				if _, err := io.ReadFull(b, m[:]); err != nil {
					return
				}
				evs = append(evs, keyAt{time.Since(start), m[1] == 1, binary.BigEndian.Uint32(m[4:])})
			}
		}()
		c, err := NewClient(t.Context(), a, Config{})
		if err != nil {
			t.Fatal(err)
		}
		ms := time.Millisecond
		err = c.Type(t.Context(), []Stroke{
			{Keysym: 'a', Hold: 50 * ms, Gap: 30 * ms},
			{Keysym: 'b', Hold: 70 * ms, Gap: 100 * ms},
			{Keysym: 'c'},
			{Keysym: 'd', Hold: 5 * ms, Gap: time.Hour},
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 255*ms {
			t.Errorf("Type took %v, want 255ms (no gap after the last stroke)", d)
		}
		c.Close()
		want := []keyAt{
			{0, true, 'a'}, {50 * ms, false, 'a'},
			{80 * ms, true, 'b'}, {150 * ms, false, 'b'},
			{250 * ms, true, 'c'}, {250 * ms, false, 'c'},
			{250 * ms, true, 'd'}, {255 * ms, false, 'd'},
		}
		if evs := <-got; !slices.Equal(evs, want) {
			t.Errorf("server received %v, want %v", evs, want)
		}
	})
}
