package rfb

// Helpers that run a real X display (Xvfb), a real VNC server on it
// (x11vnc) and an independent observer of the input that reaches the
// display (xev, with xprop to tell when it is listening). On Debian and
// Ubuntu they come from the packages xvfb, x11vnc and x11-utils.

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/x11test"
)

// startupTimeout bounds each helper's wait for its process to be ready.
const startupTimeout = 20 * time.Second

// needX11 skips the test unless every binary the X tests run is installed.
func needX11(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping X11 test in -short mode")
	}
	for _, bin := range []string{"Xvfb", "x11vnc", "xev", "xprop"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (packages xvfb, x11vnc, x11-utils)", bin)
		}
	}
}

// startProcess and startXvfb are package x11test's, under the names this
// package's tests use.
func startProcess(t *testing.T, cmd *exec.Cmd) *x11test.Buffer { return x11test.Start(t, cmd) }

func startXvfb(t *testing.T) string { return x11test.Xvfb(t) }

// startX11vnc starts x11vnc on display, listening on 127.0.0.1 only, and
// returns its address. args are added to the command line (-passwd ...).
func startX11vnc(t *testing.T, display string, args ...string) string {
	t.Helper()
	start := time.Now()
	// -autoport probes upwards from a port that was free a moment ago, so
	// a race with another process only moves it to the next port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	argv := append([]string{
		"-display", display, "-autoport", strconv.Itoa(port),
		"-localhost", "-forever", "-shared", "-quiet", "-norc", "-noshm",
	}, args...)
	cmd := exec.Command("x11vnc", argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startProcess(t, cmd)

	// x11vnc prints PORT=n on stdout once it listens; the rest of its
	// stdout is drained until it exits.
	portc := make(chan string, 1)
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "PORT="); ok {
				portc <- p
				break
			}
		}
		close(portc)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p, ok := <-portc:
		if !ok {
			t.Fatalf("x11vnc exited without printing PORT=")
		}
		t.Logf("x11vnc ready on port %s after %v", p, time.Since(start).Round(time.Millisecond))
		return net.JoinHostPort("127.0.0.1", p)
	case <-time.After(startupTimeout):
		t.Fatalf("x11vnc did not print PORT= within %v", startupTimeout)
	}
	return ""
}

// xevent is one event as xev printed it.
type xevent struct {
	kind    string // "KeyPress", "MotionNotify", ...
	time    int64  // X server time, ms
	keycode int
	keysym  uint32
	button  int
	x, y    int    // root coordinates
	atom    string // PropertyNotify
}

var (
	xevHeader  = regexp.MustCompile(`^(\w+) event, serial`)
	xevTime    = regexp.MustCompile(`\btime (\d+)`)
	xevKey     = regexp.MustCompile(`keycode (\d+) \(keysym 0x([0-9a-f]+)`)
	xevButton  = regexp.MustCompile(`\bbutton (\d+)`)
	xevRoot    = regexp.MustCompile(`root:\((-?\d+),(-?\d+)\)`)
	xevAtom    = regexp.MustCompile(`atom 0x[0-9a-f]+ \(([^)]+)\)`)
	xevModKeys = func(k uint32) bool { return k >= 0xffe1 && k <= 0xffee } // Shift_L ... Hyper_R
)

// xev watches the root window of a display for key, pointer and property
// events.
type xev struct {
	display string
	mu      sync.Mutex
	events  []xevent
}

// watchX starts xev on the root window of display and returns once it is
// provably listening: it has reported a property change made after it
// started.
func watchX(t *testing.T, display string) *xev {
	t.Helper()
	start := time.Now()
	x := &xev{display: display}
	cmd := exec.Command("xev", "-display", display, "-root",
		"-event", "keyboard", "-event", "mouse", "-event", "property")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startProcess(t, cmd)
	done := make(chan struct{})
	go func() {
		defer close(done)
		x.parse(stdout)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done // stdout closes when xev dies; Wait (in startProcess's cleanup) runs after
	})

	deadline := time.Now().Add(startupTimeout)
	for i := 0; ; i++ {
		val := strconv.Itoa(i)
		out, err := exec.Command("xprop", "-display", display, "-root",
			"-f", "_LAGWATCH_READY", "8s", "-set", "_LAGWATCH_READY", val).CombinedOutput()
		if err != nil {
			t.Fatalf("xprop -set: %v: %s", err, out)
		}
		if x.waitFor(200*time.Millisecond, func(evs []xevent) bool {
			return slices.ContainsFunc(evs, func(e xevent) bool { return e.atom == "_LAGWATCH_READY" })
		}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("xev did not report a property change within %v", startupTimeout)
		}
	}
	t.Logf("xev listening after %v", time.Since(start).Round(time.Millisecond))
	return x
}

func (x *xev) parse(r io.Reader) {
	sc := bufio.NewScanner(r)
	var cur *xevent
	flush := func() {
		if cur != nil {
			x.mu.Lock()
			x.events = append(x.events, *cur)
			x.mu.Unlock()
			cur = nil
		}
	}
	for sc.Scan() {
		line := sc.Text()
		if m := xevHeader.FindStringSubmatch(line); m != nil {
			flush()
			cur = &xevent{kind: m[1]}
		}
		if cur == nil {
			continue
		}
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if m := xevTime.FindStringSubmatch(line); m != nil {
			cur.time, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if m := xevKey.FindStringSubmatch(line); m != nil {
			cur.keycode, _ = strconv.Atoi(m[1])
			k, _ := strconv.ParseUint(m[2], 16, 32)
			cur.keysym = uint32(k)
		}
		if m := xevButton.FindStringSubmatch(line); m != nil {
			cur.button, _ = strconv.Atoi(m[1])
		}
		if m := xevRoot.FindStringSubmatch(line); m != nil {
			cur.x, _ = strconv.Atoi(m[1])
			cur.y, _ = strconv.Atoi(m[2])
		}
		if m := xevAtom.FindStringSubmatch(line); m != nil {
			cur.atom = m[1]
		}
		// xev prints the blank line that ends an event only when the next
		// one starts, so an event is complete at the line with the last
		// field read: "state ..." for key and pointer events, the atom for
		// PropertyNotify.
		if strings.HasPrefix(strings.TrimSpace(line), "state ") || cur.atom != "" {
			flush()
		}
	}
	flush()
}

// reset forgets the events seen so far.
func (x *xev) reset() {
	x.mu.Lock()
	x.events = nil
	x.mu.Unlock()
}

// snapshot returns a copy of the events seen so far.
func (x *xev) snapshot() []xevent {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.events)
}

// waitFor polls until ok accepts the events seen so far or d passes.
func (x *xev) waitFor(d time.Duration, ok func([]xevent) bool) bool {
	deadline := time.Now().Add(d)
	for {
		if ok(x.snapshot()) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// keys returns the key events among evs, without the modifier presses
// and releases the VNC server adds to produce shifted keysyms.
func keys(evs []xevent) []xevent {
	var out []xevent
	for _, e := range evs {
		if (e.kind == "KeyPress" || e.kind == "KeyRelease") && !xevModKeys(e.keysym) {
			out = append(out, e)
		}
	}
	return out
}

// pressedKeysyms returns the keysyms of the KeyPress events among evs.
func pressedKeysyms(evs []xevent) []uint32 {
	var out []uint32
	for _, e := range evs {
		if e.kind == "KeyPress" {
			out = append(out, e.keysym)
		}
	}
	return out
}
