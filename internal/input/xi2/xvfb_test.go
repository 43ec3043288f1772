package xi2

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/x11test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := checkNoGoroutines(5 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// checkNoGoroutines waits up to d for every goroutine the package started
// to end.
func checkNoGoroutines(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		var leaked []string
		for g := range strings.SplitSeq(stacks, "\n\n") {
			if strings.Contains(g, "internal/input/xi2.(*Reader)") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("leaked %d xi2 goroutines:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startXvfb starts Xvfb (package x11test) and returns the display and
// the process.
func startXvfb(t *testing.T, args ...string) (string, *os.Process) {
	return x11test.StartXvfb(t, args...)
}

// xdotool runs xdotool against the display.
func xdotool(t *testing.T, disp string, args ...string) {
	t.Helper()
	path, err := exec.LookPath("xdotool")
	if err != nil {
		t.Skip("xdotool not installed")
	}
	cmd := exec.CommandContext(t.Context(), path, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+disp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
}

// running is a Reader running in the background for a test.
type running struct {
	r    *Reader
	mu   sync.Mutex
	evs  []keystroke.Event
	stop func() error // cancels Run and returns its result
	done chan struct{}
}

func runReader(t *testing.T, cfg Config) *running {
	t.Helper()
	r, err := Open(openCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	rr := &running{r: r, done: make(chan struct{})}
	var runErr error
	go func() {
		defer close(rr.done)
		runErr = r.Run(ctx, func(e keystroke.Event) {
			rr.mu.Lock()
			rr.evs = append(rr.evs, e)
			rr.mu.Unlock()
		})
	}()
	rr.stop = func() error {
		cancel()
		select {
		case <-rr.done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5 s of cancel")
			<-rr.done
		}
		return runErr
	}
	t.Cleanup(func() { rr.stop() })
	return rr
}

// wait waits until n events have arrived and returns them.
func (rr *running) wait(t *testing.T, n int) []keystroke.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rr.mu.Lock()
		evs := slices.Clone(rr.evs)
		rr.mu.Unlock()
		if len(evs) >= n || time.Now().After(deadline) {
			if len(evs) != n {
				t.Fatalf("got %d events, want %d: %+v", len(evs), n, evs)
			}
			return evs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (rr *running) device(t *testing.T, e keystroke.Event) keystroke.Device {
	t.Helper()
	devs := rr.r.Devices()
	if int(e.Device) >= len(devs) || devs[e.Device].Number != e.Device {
		t.Fatalf("event device %d not in Devices() %+v", e.Device, devs)
	}
	return devs[e.Device]
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestXvfbType types a known string with xdotool, which injects through
// XTEST, and checks what the reader makes of it, including that nothing
// it returns or logs holds the text.
func TestXvfbType(t *testing.T) {
	disp, _ := startXvfb(t)
	var logs bytes.Buffer
	rr := runReader(t, Config{Display: disp, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	const text = "hello world"
	xdotool(t, disp, "type", "--delay", "50", text)
	evs := rr.wait(t, len(text))

	classes := map[keystroke.Class]int{}
	var holds, flights []time.Duration
	for i, e := range evs {
		classes[e.Class]++
		holds = append(holds, e.Hold())
		if i > 0 {
			flights = append(flights, e.Press-evs[i-1].Press)
		}
		if e.Prov != keystroke.ProvInjected || e.Repeats != 0 {
			t.Errorf("event %d = %+v, want injected without repeats", i, e)
		}
		d := rr.device(t, e)
		if d.Name != "Virtual core XTEST keyboard" || d.Prov != keystroke.ProvInjected || d.Bus != "xtest" || d.Source != "x11" || !strings.HasPrefix(d.Path, "xi2:") {
			t.Errorf("event %d device = %+v, want the injected core XTEST keyboard", i, d)
		}
		if e.Hold() <= 0 || e.Hold() > 500*time.Millisecond {
			t.Errorf("event %d hold %v, want (0, 500ms]", i, e.Hold())
		}
		if i > 0 && e.Press < evs[i-1].Press {
			t.Errorf("event %d pressed at %v, before event %d at %v", i, e.Press, i-1, evs[i-1].Press)
		}
	}
	if want := map[keystroke.Class]int{keystroke.ClassLetter: 10, keystroke.ClassSpace: 1}; !maps(classes, want) {
		t.Errorf("classes %v, want %v", classes, want)
	}
	// xdotool 3.x spends about half its --delay per character (26 ms
	// flights and 13 ms holds here); TestXvfbTiming checks the clock
	// itself. Load can only stretch these.
	if m := median(flights); m < 10*time.Millisecond || m > 400*time.Millisecond {
		t.Errorf("median flight %v, want about 25 ms (10..400)", m)
	}
	if m := median(holds); m < 2*time.Millisecond || m > 200*time.Millisecond {
		t.Errorf("median hold %v, want about 13 ms (2..200)", m)
	}
	t.Logf("median flight %v, median hold %v", median(flights), median(holds))

	if err := rr.stop(); err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	checkPrivate(t, text, evs, rr.r.Devices(), logs.String())
}

func maps[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// checkPrivate asserts that nothing the reader returned or logged holds
// the typed text, and that an Event has no field that could hold a key.
func checkPrivate(t *testing.T, text string, evs []keystroke.Event, devs []keystroke.Device, logs string) {
	t.Helper()
	var out strings.Builder
	for _, v := range []any{evs, devs} {
		fmt.Fprintf(&out, "%+v %v %#v\n", v, v, v)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	out.WriteString(logs)
	all := strings.ToLower(out.String())
	for _, word := range append(strings.Fields(text), strings.ReplaceAll(text, " ", "")) {
		if strings.Contains(all, word) {
			t.Errorf("reader output contains %q", word)
		}
	}
	for _, word := range []string{"keycode", "detail", "keysym"} {
		if strings.Contains(all, word) {
			t.Errorf("reader output mentions %q", word)
		}
	}

	want := map[string]reflect.Type{
		"Press":   reflect.TypeFor[time.Duration](),
		"Release": reflect.TypeFor[time.Duration](),
		"Class":   reflect.TypeFor[keystroke.Class](),
		"Prov":    reflect.TypeFor[keystroke.Provenance](),
		"Device":  reflect.TypeFor[uint16](),
		"Repeats": reflect.TypeFor[uint16](),
	}
	et := reflect.TypeFor[keystroke.Event]()
	if et.NumField() != len(want) {
		t.Errorf("keystroke.Event has %d fields, want exactly %v", et.NumField(), want)
	}
	for i := range et.NumField() {
		f := et.Field(i)
		if want[f.Name] != f.Type {
			t.Errorf("keystroke.Event field %s %v is not one of %v", f.Name, f.Type, want)
		}
	}
	for i, e := range evs {
		// Class is a small enum and Device an index: neither may carry a
		// code in disguise.
		if e.Class >= keystroke.NumClasses || int(e.Device) >= len(devs) || e.Prov >= keystroke.NumProvenances {
			t.Errorf("event %d = %+v out of range", i, e)
		}
	}
}

// TestXvfbKeyClasses presses one key of each class with xdotool.
func TestXvfbKeyClasses(t *testing.T) {
	disp, _ := startXvfb(t)
	rr := runReader(t, Config{Display: disp})
	xdotool(t, disp, "key", "--delay", "30", "Return", "BackSpace", "Tab", "F5", "1", "comma", "Up", "space", "q")
	// ctrl+a: both keys down at once.
	xdotool(t, disp, "key", "ctrl+a")
	evs := rr.wait(t, 11)
	var got []string
	for _, e := range evs {
		got = append(got, e.Class.String())
	}
	want := []string{"enter", "backspace", "navigation", "function", "digit", "punctuation", "navigation", "space", "letter"}
	if !slices.Equal(got[:9], want) {
		t.Errorf("classes %v, want %v", got[:9], want)
	}
	// Strokes are emitted at release; xdotool lets go of ctrl first.
	chord := got[9:]
	slices.Sort(chord)
	if !slices.Equal(chord, []string{"letter", "modifier"}) {
		t.Errorf("ctrl+a classes %v, want a letter and a modifier", got[9:])
	}
	if a, b := evs[9], evs[10]; a.Press > b.Release || b.Press > a.Release {
		t.Errorf("ctrl+a: strokes %+v and %+v do not overlap", a, b)
	}
}

// TestXvfbRepeat holds a key down through a second press, which the X
// server treats as an auto-repeat.
func TestXvfbRepeat(t *testing.T) {
	disp, _ := startXvfb(t)
	rr := runReader(t, Config{Display: disp})
	xdotool(t, disp, "keydown", "a", "keydown", "a", "keydown", "a", "sleep", "0.3", "keyup", "a")
	evs := rr.wait(t, 1)
	if e := evs[0]; e.Repeats != 2 || e.Hold() < 250*time.Millisecond || e.Class != keystroke.ClassLetter {
		t.Errorf("held key = %+v, want a letter with 2 repeats held about 300 ms", e)
	}
}

// xtestClient is a second X client that injects keys with the XTEST
// extension, as xdotool does, but under the test's control.
type xtestClient struct {
	c     *conn
	xtest uint8
	root  uint32
}

func newXTEST(t *testing.T, disp string) *xtestClient {
	t.Helper()
	d, err := parseDisplay(disp)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := dial(t.Context(), d, DefaultSocketDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c, err := handshake(t.Context(), nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := &xtestClient{c: c, root: c.setup.root}
	x.xtest = x.extension(t, "XTEST")
	return x
}

func (x *xtestClient) extension(t *testing.T, name string) uint8 {
	t.Helper()
	h := x.roundTrip(t, queryExtensionReq(name))
	info := decodeQueryExtension(h)
	if !info.present {
		t.Skipf("X server lacks %s", name)
	}
	return info.opcode
}

// roundTrip sends a request with a reply and returns the reply header.
func (x *xtestClient) roundTrip(t *testing.T, req []byte) []byte {
	t.Helper()
	seq, err := x.c.send(req)
	if err != nil {
		t.Fatal(err)
	}
	for {
		m, err := x.c.read()
		if err != nil {
			t.Fatal(err)
		}
		if m.kind() == msgError {
			t.Fatalf("request %d: %v", req[0], decodeError(m.hdr[:]))
		}
		if m.kind() == msgReply && matches(m.seq16(), seq) {
			return m.hdr[:]
		}
	}
}

// sync waits until the server has processed every request sent so far.
func (x *xtestClient) sync(t *testing.T) {
	t.Helper()
	x.roundTrip(t, []byte{43, 0, 1, 0}) // GetInputFocus
}

// key injects a key press or release (X key code) now.
func (x *xtestClient) key(t *testing.T, code uint8, press bool) {
	t.Helper()
	req := make([]byte, 36)
	req[0], req[1] = x.xtest, 2 // XTestFakeInput
	le.PutUint16(req[2:], 9)
	req[4] = 3 // KeyRelease
	if press {
		req[4] = 2
	}
	req[5] = code
	le.PutUint32(req[12:], x.root)
	if _, err := x.c.send(req); err != nil {
		t.Fatal(err)
	}
}

func monotonic(t *testing.T) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// TestXvfbTiming injects keys with known holds and gaps through XTEST and
// checks that the reader's times follow the test's clock to within a few
// milliseconds, and that they are CLOCK_MONOTONIC modulo 2^32 ms.
//
// The server stamps an event when it processes the request, so a starved
// Xvfb (a loaded machine, -race) bunches them up; the test then tries
// again, up to three times in all.
func TestXvfbTiming(t *testing.T) {
	disp, _ := startXvfb(t)
	rr := runReader(t, Config{Display: disp})
	x := newXTEST(t, disp)
	const n = 6
	var problems []string
	for attempt := range 3 {
		problems = timeStrokes(t, rr, x, attempt*n, n)
		if len(problems) == 0 {
			return
		}
		t.Logf("attempt %d:\n%s", attempt+1, strings.Join(problems, "\n"))
	}
	t.Errorf("reader times do not follow the clock:\n%s", strings.Join(problems, "\n"))
}

// timeStrokes injects n strokes, waits for them as events seen+1..seen+n
// and returns how their times differ from the test's clock.
func timeStrokes(t *testing.T, rr *running, x *xtestClient, seen, n int) []string {
	const keyF = 33 + 8
	press, release := make([]time.Duration, n), make([]time.Duration, n)
	for i := range n {
		hold := time.Duration(40+20*i) * time.Millisecond
		press[i] = monotonic(t)
		x.key(t, keyF, true)
		time.Sleep(hold)
		release[i] = monotonic(t)
		x.key(t, keyF, false)
		time.Sleep(100 * time.Millisecond)
	}
	x.sync(t)
	evs := rr.wait(t, seen+n)[seen:]
	const tol = 15 * time.Millisecond
	var problems []string
	for i, e := range evs {
		if d := e.Hold() - (release[i] - press[i]); d < -tol || d > tol {
			problems = append(problems, fmt.Sprintf("stroke %d: hold %v, the test held it %v", i, e.Hold(), release[i]-press[i]))
		}
		if i > 0 {
			if d := (e.Press - evs[i-1].Press) - (press[i] - press[i-1]); d < -tol || d > tol {
				problems = append(problems, fmt.Sprintf("stroke %d: flight %v, the test waited %v", i, e.Press-evs[i-1].Press, press[i]-press[i-1]))
			}
		}
		// Server milliseconds are CLOCK_MONOTONIC modulo 2^32.
		wrap := int64(1) << 32
		diff := (e.Press.Milliseconds()-press[i].Milliseconds())%wrap + wrap
		diff = (diff+wrap/2)%wrap - wrap/2
		if diff < -5 || diff > int64(tol/time.Millisecond) {
			problems = append(problems, fmt.Sprintf("stroke %d: pressed at server time %v, CLOCK_MONOTONIC was %v", i, e.Press, press[i]))
		}
	}
	return problems
}

// TestXvfbHierarchy adds a master device pair while the reader runs; the
// server creates an XTEST keyboard for it, which the reader must list.
func TestXvfbHierarchy(t *testing.T) {
	disp, _ := startXvfb(t)
	rr := runReader(t, Config{Display: disp})
	x := newXTEST(t, disp)
	xi := x.extension(t, "XInputExtension")
	x.roundTrip(t, xiQueryVersionReq(xi, 2, 2)) // XI2 requests need the version first
	const name = "lwtest"
	req := []byte{xi, xiChangeHierarchy, 0, 0, 1, 0, 0, 0}
	add := make([]byte, 8, 8+pad4(len(name)))
	le.PutUint16(add, 1) // XIAddMaster
	le.PutUint16(add[2:], uint16((8+pad4(len(name)))/4))
	le.PutUint16(add[4:], uint16(len(name)))
	add[6], add[7] = 1, 1 // send_core, enable
	add = append(add, name...)
	add = append(add, make([]byte, pad4(len(name))-len(name))...)
	req = append(req, add...)
	le.PutUint16(req[2:], uint16(len(req)/4))
	if _, err := x.c.send(req); err != nil {
		t.Fatal(err)
	}
	x.sync(t)
	var found keystroke.Device
	for deadline := time.Now().Add(10 * time.Second); found.Name == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, d := range rr.r.Devices() {
			if d.Name == name+" XTEST keyboard" {
				found = d
			}
		}
	}
	if found.Prov != keystroke.ProvInjected || found.Bus != "xtest" {
		t.Fatalf("Devices() = %+v, want an injected %q", rr.r.Devices(), name+" XTEST keyboard")
	}
	// The reader still reads the core devices afterwards.
	xdotool(t, disp, "key", "z")
	if e := rr.wait(t, 1)[0]; e.Class != keystroke.ClassLetter || rr.device(t, e).Name != "Virtual core XTEST keyboard" {
		t.Errorf("after the change: %+v from %+v", e, rr.device(t, e))
	}
}

// TestXvfbCookie runs Xvfb with an authorization file: without the
// cookie the setup is refused with the server's reason, with it the
// reader connects.
func TestXvfbCookie(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	dir := t.TempDir()
	cookie := []byte("lagwatch-test-16")
	auth := filepath.Join(dir, "Xauthority")
	if err := os.WriteFile(auth, xauthRecord(familyLocal, host, "", cookieName, cookie), 0o600); err != nil {
		t.Fatal(err)
	}
	disp, _ := startXvfb(t, "-auth", auth)

	_, err = Open(openCtx(t), Config{Display: disp, Xauthority: filepath.Join(dir, "missing")})
	if err == nil || !strings.Contains(err.Error(), "setup refused by X server") || !strings.Contains(err.Error(), "uthorization") {
		t.Errorf("Open without cookie: %v, want the server's refusal", err)
	}
	r, err := Open(openCtx(t), Config{Display: disp, Xauthority: auth})
	if err != nil {
		t.Fatalf("Open with cookie: %v", err)
	}
	r.Close()
}

// TestXvfbServerExit checks that Run reports a server that goes away.
func TestXvfbServerExit(t *testing.T) {
	disp, proc := startXvfb(t)
	rr := runReader(t, Config{Display: disp})
	proc.Kill()
	select {
	case <-rr.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the X server died")
	}
	if err := rr.stop(); err == nil || !strings.Contains(err.Error(), "X display "+disp) {
		t.Errorf("Run = %v, want an error naming the display", err)
	}
}
