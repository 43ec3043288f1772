package evdev

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

const base = 5000 * time.Second // a monotonic clock some time after boot

func ms(n int) time.Duration { return base + time.Duration(n)*time.Millisecond }

// sessionEvents is a typing session on a keyboard: overlapping keys, a
// shifted letter, a held key with autorepeat, and everything the reader
// must drop: a mouse button, an extended key, relative motion, an LED, a
// release without a press and a press without a release.
func sessionEvents() []ev {
	return cat(
		press(ms(0), keyT), press(ms(40), keyH), release(ms(70), keyT), release(ms(110), keyH),
		press(ms(200), keyLeftShift), press(ms(230), keyA), release(ms(300), keyA), release(ms(330), keyLeftShift),
		press(ms(400), keyE), repeat(ms(650), keyE), repeat(ms(683), keyE), repeat(ms(716), keyE), release(ms(730), keyE),
		press(ms(800), keySpace), release(ms(850), keySpace),
		press(ms(900), btnLeft), release(ms(950), btnLeft),
		press(ms(960), keyFn), release(ms(990), keyFn),
		[]ev{{ms(995), evRel, 0, 5}, {ms(995), evSyn, synReport, 0}},
		[]ev{{ms(996), evLed, 1, 1}, {ms(996), evSyn, synReport, 0}},
		release(ms(998), keyZ),
		press(ms(1000), key1),
	)
}

// sessionWant is what sessionEvents must give, in release order.
func sessionWant(dev uint16, prov keystroke.Provenance) []keystroke.Event {
	return []keystroke.Event{
		{Press: ms(0), Release: ms(70), Class: keystroke.ClassLetter, Prov: prov, Device: dev},
		{Press: ms(40), Release: ms(110), Class: keystroke.ClassLetter, Prov: prov, Device: dev},
		{Press: ms(230), Release: ms(300), Class: keystroke.ClassLetter, Prov: prov, Device: dev},
		{Press: ms(200), Release: ms(330), Class: keystroke.ClassModifier, Prov: prov, Device: dev},
		{Press: ms(400), Release: ms(730), Class: keystroke.ClassLetter, Prov: prov, Device: dev, Repeats: 3},
		{Press: ms(800), Release: ms(850), Class: keystroke.ClassSpace, Prov: prov, Device: dev},
	}
}

func equalEvents(t *testing.T, what string, got, want []keystroke.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d strokes %+v, want %d %+v", what, len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: stroke %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

func TestTrackerSession(t *testing.T) {
	got, err := collect(bytes.NewReader(le64.encode(sessionEvents()...)), le64)
	if !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	equalEvents(t, "session", got, sessionWant(7, keystroke.ProvPhysical))
	if h := got[4].Hold(); h != 330*time.Millisecond {
		t.Errorf("held key: Hold() = %v, want 330ms", h)
	}
}

func TestTrackerEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		evs  []ev
		want []keystroke.Event
	}{{
		name: "SYN_DROPPED forgets held keys and ignores events up to SYN_REPORT",
		evs: cat(press(ms(0), keyA),
			[]ev{{ms(10), evSyn, synDropped, 0}, {ms(20), evKey, keyH, keyPress}, {ms(30), evKey, keyA, keyRelease}, {ms(30), evSyn, synReport, 0}},
			release(ms(40), keyH), press(ms(100), keyT), release(ms(150), keyT)),
		want: []keystroke.Event{{Press: ms(100), Release: ms(150), Class: keystroke.ClassLetter, Device: 7, Prov: keystroke.ProvPhysical}},
	}, {
		name: "a second press restarts the stroke",
		evs:  cat(press(ms(0), keyA), press(ms(50), keyA), release(ms(90), keyA)),
		want: []keystroke.Event{{Press: ms(50), Release: ms(90), Class: keystroke.ClassLetter, Device: 7, Prov: keystroke.ProvPhysical}},
	}, {
		name: "repeats without a press are ignored",
		evs:  cat(repeat(ms(0), keyA), repeat(ms(30), keyA), release(ms(40), keyA)),
	}, {
		name: "a release stamped before its press is clamped",
		evs:  cat(press(ms(50), keyA), release(ms(40), keyA)),
		want: []keystroke.Event{{Press: ms(50), Release: ms(50), Class: keystroke.ClassLetter, Device: 7, Prov: keystroke.ProvPhysical}},
	}, {
		name: "KEY_RESERVED is dropped",
		evs:  cat(press(ms(0), 0), release(ms(10), 0)),
	}}
	for _, tt := range tests {
		got, err := collect(bytes.NewReader(le64.encode(tt.evs...)), le64)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("%s: %v", tt.name, err)
		}
		equalEvents(t, tt.name, got, tt.want)
	}
}

func TestTrackerRepeatsSaturate(t *testing.T) {
	tr := newTracker(0, keystroke.ProvUnknown)
	tr.feed(record{time: ms(0), typ: evKey, code: keyA, value: keyPress})
	for i := range 70000 {
		tr.feed(record{time: ms(i), typ: evKey, code: keyA, value: keyRepeat})
	}
	e, ok := tr.feed(record{time: ms(70001), typ: evKey, code: keyA, value: keyRelease})
	if !ok || e.Repeats != 65535 {
		t.Errorf("after 70000 repeats: %+v, %v; want Repeats 65535", e, ok)
	}
}
