package rfb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// dialX11vnc connects to x11vnc and logs how long the handshake took.
func dialX11vnc(t *testing.T, addr string, cfg Config) *Client {
	t.Helper()
	start := time.Now()
	c, err := Dial(t.Context(), addr, cfg)
	if err != nil {
		t.Fatalf("Dial(%s) = %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	si := c.ServerInit()
	t.Logf("RFB %s to %s: %dx%d, %d bpp, name %q, handshake took %v",
		c.Version(), addr, si.Width, si.Height, si.PixelFormat.BitsPerPixel, si.Name,
		time.Since(start).Round(time.Microsecond))
	return c
}

// typeAndObserve types text through c and returns the key events the X
// display reported for it, without modifiers, once all have arrived.
func typeAndObserve(t *testing.T, c *Client, x *xev, strokes []Stroke) []xevent {
	t.Helper()
	x.reset()
	start := time.Now()
	if err := c.Type(t.Context(), strokes); err != nil {
		t.Fatalf("Type: %v", err)
	}
	t.Logf("Type sent %d strokes in %v", len(strokes), time.Since(start).Round(time.Millisecond))
	x.waitFor(5*time.Second, func(evs []xevent) bool { return len(keys(evs)) >= 2*len(strokes) })
	evs := keys(x.snapshot())
	want := make([]uint32, len(strokes))
	for i, s := range strokes {
		want[i] = s.Keysym
	}
	if got := pressedKeysyms(evs); !slices.Equal(got, want) {
		t.Fatalf("X display saw key presses %#x, want %#x", got, want)
	}
	if len(evs) != 2*len(strokes) {
		t.Fatalf("X display saw %d key events, want %d presses and releases", len(evs), 2*len(strokes))
	}
	return evs
}

// holdsAndGaps pairs each KeyPress in evs with the next KeyRelease of the
// same keycode and returns the hold times and the gaps between a release
// and the next press, in X server milliseconds.
func holdsAndGaps(t *testing.T, evs []xevent) (holds, gaps []int64) {
	t.Helper()
	var lastRelease int64 = -1
	for i, e := range evs {
		if e.kind != "KeyPress" {
			continue
		}
		j := slices.IndexFunc(evs[i+1:], func(r xevent) bool { return r.kind == "KeyRelease" && r.keycode == e.keycode })
		if j < 0 {
			t.Fatalf("key press %d (keycode %d) was never released", i, e.keycode)
		}
		if lastRelease >= 0 {
			gaps = append(gaps, e.time-lastRelease)
		}
		lastRelease = evs[i+1+j].time
		holds = append(holds, lastRelease-e.time)
	}
	return holds, gaps
}

// near counts the values of ms within tol milliseconds of d.
func near(ms []int64, d time.Duration, tol int64) int {
	n := 0
	for _, v := range ms {
		if v >= d.Milliseconds()-tol && v <= d.Milliseconds()+tol {
			n++
		}
	}
	return n
}

// TestTypeThroughX11vnc types through a real x11vnc, with TCP_NODELAY on
// and off, and checks with xev that the X display receives exactly the
// keysyms typed, with the hold and gap times asked for.
func TestTypeThroughX11vnc(t *testing.T) {
	needX11(t)
	display := startXvfb(t)
	addr := startX11vnc(t, display, "-nopw")
	x := watchX(t, display)

	const text = "Hello, World 42!\n~`x\b"
	const hold, gap = 30 * time.Millisecond, 45 * time.Millisecond
	strokes, err := Strokes(text, hold, gap)
	if err != nil {
		t.Fatal(err)
	}
	for _, nagle := range []bool{false, true} {
		t.Run(fmt.Sprintf("Nagle=%t", nagle), func(t *testing.T) {
			c := dialX11vnc(t, addr, Config{Nagle: nagle})
			if got := noDelay(t, c.conn); got == nagle {
				t.Errorf("TCP_NODELAY = %t with Config.Nagle %t", got, nagle)
			}
			evs := typeAndObserve(t, c, x, strokes)

			holds, gaps := holdsAndGaps(t, evs)
			t.Logf("X display saw holds %v ms (%d of %d within 5 ms of %v) and gaps %v ms (%d of %d within 5 ms of %v)",
				holds, near(holds, hold, 5), len(holds), hold, gaps, near(gaps, gap, 5), len(gaps), gap)

			// x11vnc injects input from its main loop, which on a busy
			// machine runs late and then injects several events at once,
			// so single intervals shrink or grow by tens of ms. The span
			// from a press to the last release cannot shrink by more than
			// the lateness of that press, and would shrink to nothing if
			// Type did not hold and wait. The first stroke is left out: it
			// may wake x11vnc from a nap.
			var want time.Duration
			for i, s := range strokes[1:] {
				want += s.Hold
				if i < len(strokes)-2 {
					want += s.Gap
				}
			}
			second := evs[slices.IndexFunc(evs[1:], func(e xevent) bool { return e.kind == "KeyPress" })+1]
			span := time.Duration(evs[len(evs)-1].time-second.time) * time.Millisecond
			t.Logf("X display saw strokes 2 to %d span %v; the client's schedule spans %v", len(strokes), span, want)
			if span < want-100*time.Millisecond {
				t.Errorf("X display saw strokes 2 to %d span %v, want at least %v", len(strokes), span, want-100*time.Millisecond)
			}
			if err := c.Err(); err != nil {
				t.Errorf("Err() = %v", err)
			}
		})
	}
}

// TestPasswordThroughX11vnc checks VNC Authentication against x11vnc
// -passwd: the wrong password and none are refused, the right one lets
// keys through.
func TestPasswordThroughX11vnc(t *testing.T) {
	needX11(t)
	display := startXvfb(t)
	addr := startX11vnc(t, display, "-passwd", "s3cret!")
	x := watchX(t, display)

	for _, tc := range []struct {
		password string
		wantErr  string // "" for success
		wantIs   error
	}{
		{password: "", wantErr: "set Config.Password"},
		{password: "wrong", wantErr: "authentication failed", wantIs: ErrAuthFailed},
		{password: "s3cret!"},
	} {
		t.Run(fmt.Sprintf("password=%q", tc.password), func(t *testing.T) {
			c, err := Dial(t.Context(), addr, Config{Password: tc.password})
			if tc.wantErr != "" {
				if err == nil {
					c.Close()
					t.Fatalf("Dial with password %q succeeded, want error %q", tc.password, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) || tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
					t.Fatalf("Dial with password %q = %v, want %q", tc.password, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial with password %q = %v", tc.password, err)
			}
			defer c.Close()
			strokes, err := Strokes("ok\n", 20*time.Millisecond, 20*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			typeAndObserve(t, c, x, strokes)
		})
	}
}

// TestPointerAndUpdatesThroughX11vnc moves and clicks the pointer, checks
// with xev that the X display saw it, then has x11vnc send the whole
// screen (several MB of Raw pixels) and checks that the reader drained it
// and the connection still carries key events.
func TestPointerAndUpdatesThroughX11vnc(t *testing.T) {
	needX11(t)
	display := startXvfb(t)
	addr := startX11vnc(t, display, "-nopw")
	x := watchX(t, display)
	c := dialX11vnc(t, addr, Config{})

	for _, ev := range []struct{ mask uint8 }{{0}, {1}, {0}} {
		if err := c.PointerEvent(ev.mask, 123, 45); err != nil {
			t.Fatal(err)
		}
	}
	if !x.waitFor(5*time.Second, func(evs []xevent) bool {
		return slices.ContainsFunc(evs, func(e xevent) bool { return e.kind == "ButtonRelease" })
	}) {
		t.Fatalf("X display saw no button release; events %+v", x.snapshot())
	}
	var seen []string
	for _, e := range x.snapshot() {
		switch e.kind {
		case "MotionNotify", "ButtonPress", "ButtonRelease":
			seen = append(seen, fmt.Sprintf("%s %d (%d,%d)", e.kind, e.button, e.x, e.y))
		}
	}
	want := []string{"MotionNotify 0 (123,45)", "ButtonPress 1 (123,45)", "ButtonRelease 1 (123,45)"}
	if !slices.Equal(seen, want) {
		t.Errorf("X display saw pointer events %q, want %q", seen, want)
	}

	si := c.ServerInit()
	frame := uint64(si.Width) * uint64(si.Height) * uint64(si.PixelFormat.BytesPerPixel())
	start := time.Now()
	if err := c.FramebufferUpdateRequest(false, 0, 0, si.Width, si.Height); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Bytes < frame && c.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	st := c.Stats()
	t.Logf("full-screen update: %+v after %v", st, time.Since(start).Round(time.Millisecond))
	if st.FramebufferUpdates < 1 || st.Bytes < frame {
		t.Fatalf("after a full-screen request Stats() = %+v, want an update of at least %d bytes; Err() = %v", st, frame, c.Err())
	}
	strokes, err := Strokes("z", 10*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	typeAndObserve(t, c, x, strokes)
	if err := c.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}
