package evdev

import (
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// keyLimit bounds the key codes the tracker pairs: KEY_ESC (1) up to 0xff,
// the keyboard range. Codes from 0x100 on are BTN_* buttons (mouse,
// joystick, touchpad) and the extended KEY_* range (remote-control, Fn,
// brightness and media keys, all class "other"); they are dropped, so a
// mouse click on a combined keyboard-and-mouse receiver is not a stroke.
// Code 0 is KEY_RESERVED.
const keyLimit = 0x100

// held is the state of one key between its press and its release.
type held struct {
	press   time.Duration
	repeats uint16
	down    bool
}

// tracker pairs presses with releases for one device. It is the only
// place a key code is looked at: the code indexes held and is classified,
// and no field of the events it returns can carry it.
type tracker struct {
	device   uint16
	prov     keystroke.Provenance
	dropping bool // after SYN_DROPPED, until the next SYN_REPORT
	held     [keyLimit]held
}

func newTracker(device uint16, prov keystroke.Provenance) *tracker {
	return &tracker{device: device, prov: prov}
}

// feed takes one record and returns a stroke when the record releases a
// key whose press was seen. Autorepeats while a key is down are counted
// into the stroke. Non-key events (EV_SYN, EV_MSC with its scan code,
// EV_LED, EV_REL, ...) are ignored, except SYN_DROPPED: the kernel lost
// events, so every held key is forgotten and events are ignored up to the
// next SYN_REPORT, as the evdev documentation asks. A release without a
// press (a key already down when the device was opened, or one whose
// press was lost) gives no stroke; a second press without a release
// restarts the stroke.
func (t *tracker) feed(r record) (keystroke.Event, bool) {
	switch r.typ {
	case evSyn:
		switch r.code {
		case synDropped:
			t.dropping = true
			t.held = [keyLimit]held{}
		case synReport:
			t.dropping = false
		}
		return keystroke.Event{}, false
	case evKey:
	default:
		return keystroke.Event{}, false
	}
	if t.dropping || r.code == 0 || r.code >= keyLimit {
		return keystroke.Event{}, false
	}
	h := &t.held[r.code]
	switch r.value {
	case keyPress:
		*h = held{press: r.time, down: true}
	case keyRepeat:
		if h.down && h.repeats < math.MaxUint16 {
			h.repeats++
		}
	case keyRelease:
		if !h.down {
			return keystroke.Event{}, false
		}
		e := keystroke.Event{
			Press:   h.press,
			Release: max(r.time, h.press),
			Class:   keystroke.ClassOfLinux(r.code),
			Prov:    t.prov,
			Device:  t.device,
			Repeats: h.repeats,
		}
		*h = held{}
		return e, true
	}
	return keystroke.Event{}, false
}
