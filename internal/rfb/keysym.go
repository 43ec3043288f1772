package rfb

import (
	"context"
	"fmt"
	"time"
)

// X keysyms for the non-printing keys [Keysym] maps (X11 keysymdef.h).
const (
	KeyBackSpace uint32 = 0xff08
	KeyTab       uint32 = 0xff09
	KeyReturn    uint32 = 0xff0d
	KeyEscape    uint32 = 0xff1b
	KeyDelete    uint32 = 0xffff
)

// Keysym returns the X keysym of r: printable ASCII (space to '~') maps to
// the keysym of the same value, '\n' and '\r' to Return, '\b' to
// BackSpace, '\t' to Tab, ESC to Escape and DEL to Delete. Other runes
// have none.
//
// An upper-case letter or shifted symbol is sent as its own keysym, as
// VNC clients do; the server presses Shift as needed to produce it.
func Keysym(r rune) (uint32, bool) {
	switch {
	case r >= ' ' && r <= '~':
		return uint32(r), true
	case r == '\n' || r == '\r':
		return KeyReturn, true
	case r == '\b':
		return KeyBackSpace, true
	case r == '\t':
		return KeyTab, true
	case r == 0x1b:
		return KeyEscape, true
	case r == 0x7f:
		return KeyDelete, true
	}
	return 0, false
}

// Stroke is one key stroke for [Client.Type]: Keysym is pressed, held for
// Hold and released; Gap then passes before the next stroke is pressed.
type Stroke struct {
	Keysym    uint32
	Hold, Gap time.Duration
}

// Strokes returns the strokes that type s, one per rune, each with the
// given hold and gap times; callers replaying human timing then set each
// stroke's own. It fails on the first rune [Keysym] cannot map, naming
// its byte offset.
func Strokes(s string, hold, gap time.Duration) ([]Stroke, error) {
	strokes := make([]Stroke, 0, len(s))
	for i, r := range s {
		k, ok := Keysym(r)
		if !ok {
			return nil, fmt.Errorf("rfb: rune %q at byte %d of the text has no keysym; only ASCII is supported", r, i)
		}
		strokes = append(strokes, Stroke{Keysym: k, Hold: hold, Gap: gap})
	}
	return strokes, nil
}

// Type sends the strokes one after the other: a key-down event, the
// stroke's Hold, a key-up event, then its Gap (none after the last
// stroke). Each wait starts when the previous event has been written, so
// a slow write delays what follows but never shortens a hold or gap.
// Strokes do not overlap; use [Client.KeyEvent] for rollover.
//
// If ctx ends during a hold, Type still releases the key, so none is left
// pressed on the server, and returns ctx's error.
func (c *Client) Type(ctx context.Context, strokes []Stroke) error {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for i, s := range strokes {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("rfb: type stroke %d of %d: %w", i, len(strokes), context.Cause(ctx))
		}
		if err := c.KeyEvent(true, s.Keysym); err != nil {
			return fmt.Errorf("rfb: type stroke %d of %d: %w", i, len(strokes), err)
		}
		waitErr := wait(ctx, t, s.Hold)
		if err := c.KeyEvent(false, s.Keysym); err != nil {
			return fmt.Errorf("rfb: type stroke %d of %d: %w", i, len(strokes), err)
		}
		if waitErr == nil && i < len(strokes)-1 {
			waitErr = wait(ctx, t, s.Gap)
		}
		if waitErr != nil {
			return fmt.Errorf("rfb: type stroke %d of %d: %w", i, len(strokes), waitErr)
		}
	}
	return nil
}

// wait blocks for d or until ctx ends, reusing t.
func wait(ctx context.Context, t *time.Timer, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t.Reset(d)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop()
		return context.Cause(ctx)
	}
}
