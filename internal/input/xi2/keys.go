package xi2

import (
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// This file is the only place that sees key codes: rawKey.code goes in,
// a keystroke.Event with a coarse class comes out, and the code is
// forgotten when the key is released.

// maxDown bounds the keys held down at once that the tracker remembers;
// keyboards roll over at 6 to a few dozen keys. Presses beyond it are
// dropped, so a hostile server cannot grow the table.
const maxDown = 64

// serverClock extends the server's 32-bit millisecond timestamps, which
// wrap every 49.7 days, to a monotonic time.Duration. Each timestamp is
// taken relative to the previous one (a signed 32-bit difference), so a
// wrap between two events costs nothing and slightly out-of-order stamps
// go backwards by as little as they should. The origin is the server's
// own: on a Linux X server the first value equals CLOCK_MONOTONIC in
// milliseconds modulo 2^32.
type serverClock struct {
	have bool
	last uint32
	ms   int64
}

func (c *serverClock) at(t uint32) time.Duration {
	if !c.have {
		c.have, c.last, c.ms = true, t, int64(t)
	} else {
		c.ms += int64(int32(t - c.last))
		c.last = t
	}
	return time.Duration(c.ms) * time.Millisecond
}

// downKey identifies a key held down on a source device.
type downKey struct {
	source uint16
	code   uint32
}

type downState struct {
	at      time.Duration
	repeats uint16
}

// stroke is a finished key stroke whose device is not resolved yet: Event
// has Press, Release, Class and Repeats; Device and Prov are set from
// source when it is emitted.
type stroke struct {
	ev     keystroke.Event
	source uint16
}

// keyTracker pairs raw presses and releases per (source device, key code).
type keyTracker struct {
	clock   serverClock
	down    map[downKey]downState
	dropped int // presses dropped because maxDown keys were down
}

// add takes one raw key event and returns the stroke it completes, if any.
//
// A press of a key already down counts as a repeat of it, whether or not
// the server set XIKeyRepeat (the server itself treats such a press as a
// repeat). A flagged repeat or a release of a key not known to be down
// (pressed before the reader started, or dropped) is ignored: its press
// time is unknown.
func (k *keyTracker) add(r rawKey) (stroke, bool) {
	t := k.clock.at(r.time)
	if k.down == nil {
		k.down = make(map[downKey]downState)
	}
	key := downKey{r.source, r.code}
	d, isDown := k.down[key]
	switch {
	case !r.release && isDown:
		if d.repeats < math.MaxUint16 {
			d.repeats++
		}
		k.down[key] = d
	case !r.release && r.repeat:
	case !r.release:
		if len(k.down) >= maxDown {
			k.dropped++
			return stroke{}, false
		}
		k.down[key] = downState{at: t}
	case isDown:
		delete(k.down, key)
		if t < d.at {
			t = d.at
		}
		return stroke{
			ev: keystroke.Event{
				Press:   d.at,
				Release: t,
				Class:   classOf(r.code),
				Repeats: d.repeats,
			},
			source: r.source,
		}, true
	}
	return stroke{}, false
}

// forget drops the keys held on a source device that went away.
func (k *keyTracker) forget(source uint16) {
	for key := range k.down {
		if key.source == source {
			delete(k.down, key)
		}
	}
}

// classOf maps an X key code to its class. On Linux, X servers number
// keys as the kernel's evdev codes plus 8 (the "evdev" XKB keycodes).
func classOf(code uint32) keystroke.Class {
	if code < 8 || code > 8+math.MaxUint16 {
		return keystroke.ClassOther
	}
	return keystroke.ClassOfLinux(uint16(code - 8))
}
