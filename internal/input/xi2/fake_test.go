package xi2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// A scripted fake X server on a unix socket, for the error paths a real
// server will not take.

const fakeXI = 131 // the fake server's XInputExtension opcode

type fakeOpts struct {
	refuse        string // refuse the setup with this reason
	wantCookie    []byte // the setup must carry this cookie
	noXI          bool   // no XInputExtension
	xi20          bool   // report XI 2.0 instead of 2.2
	hugeReply     bool   // answer QueryExtension with an absurd length
	selectErr     bool   // answer XISelectEvents with BadValue
	silent        bool   // never answer after the setup
	noAtoms       bool   // the device property atoms do not exist
	devs          []testDevice
	props         map[[2]uint32]string // (device, atom) -> value; atom 300 is the node, 301 the product ID
	beforeDevices [][]byte             // sent just before the XIQueryDevice reply
	after         func(f *fakeX)       // runs after the first XIQueryDevice reply
	sysfs         string               // Config.sysfs for the reader
}

const (
	atomNode    = 300
	atomProduct = 301
)

type fakeX struct {
	t    *testing.T
	c    net.Conn
	seq  uint16
	opts fakeOpts
}

// startFake listens on a socket for display :7 in a temp dir and serves
// one connection. It returns a Config that reaches it.
func startFake(t *testing.T, opts fakeOpts) Config {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "X7"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	conns := make(chan net.Conn, 1)
	wg.Go(func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		conns <- c
		defer c.Close()
		f := &fakeX{t: t, c: c, opts: opts}
		f.serve()
	})
	t.Cleanup(func() {
		ln.Close()
		select {
		case c := <-conns:
			c.Close()
		default:
		}
		wg.Wait()
	})
	return Config{Display: ":7", SocketDir: dir, Xauthority: filepath.Join(dir, "none"), Hostname: "fakehost"}
}

func (f *fakeX) send(bs ...[]byte) {
	for _, b := range bs {
		if _, err := f.c.Write(b); err != nil {
			return
		}
	}
}

// next reads one request and returns its opcodes and bytes.
func (f *fakeX) next() (major, minor uint8, req []byte, ok bool) {
	h := make([]byte, 4)
	if _, err := io.ReadFull(f.c, h); err != nil {
		return 0, 0, nil, false
	}
	req = append(h, make([]byte, int(le.Uint16(h[2:]))*4-4)...)
	if _, err := io.ReadFull(f.c, req[4:]); err != nil {
		return 0, 0, nil, false
	}
	f.seq++
	return h[0], h[1], req, true
}

func (f *fakeX) serve() {
	h := make([]byte, 12)
	if _, err := io.ReadFull(f.c, h); err != nil {
		return
	}
	if h[0] != 'l' || le.Uint16(h[2:]) != 11 {
		f.t.Errorf("setup request % x, want little-endian 11.0", h)
	}
	n, d := int(le.Uint16(h[6:])), int(le.Uint16(h[8:]))
	auth := make([]byte, pad4(n)+pad4(d))
	io.ReadFull(f.c, auth)
	if f.opts.wantCookie != nil && (string(auth[:n]) != cookieName || !bytes.Equal(auth[pad4(n):pad4(n)+d], f.opts.wantCookie)) {
		f.t.Errorf("setup auth % x, want %s % x", auth, cookieName, f.opts.wantCookie)
	}
	if f.opts.refuse != "" {
		f.send(setupRefusal(setupFailed, f.opts.refuse))
		return
	}
	f.send(setupReply("fake", 0x100))
	if f.opts.silent {
		io.Copy(io.Discard, f.c)
		return
	}
	for {
		if !f.answer() {
			return
		}
	}
}

// answer reads one request and answers it the way the options say.
func (f *fakeX) answer() bool {
	major, minor, req, ok := f.next()
	if !ok {
		return false
	}
	switch {
	case major == opQueryExtension:
		if f.opts.hugeReply {
			r := reply(f.seq, nil, nil)
			le.PutUint32(r[4:], 0xffffffff)
			f.send(r)
			return true
		}
		present := byte(1)
		if f.opts.noXI {
			present = 0
		}
		f.send(reply(f.seq, []byte{present, fakeXI}, nil))
	case major == opInternAtom:
		name := string(req[8 : 8+le.Uint16(req[4:])])
		atom := make([]byte, 4)
		if !f.opts.noAtoms {
			switch name {
			case propDeviceNode:
				le.PutUint32(atom, atomNode)
			case propProductID:
				le.PutUint32(atom, atomProduct)
			}
		}
		f.send(reply(f.seq, atom, nil))
	case major == fakeXI && minor == xiQueryVersion:
		v := make([]byte, 4)
		le.PutUint16(v, 2)
		if !f.opts.xi20 {
			le.PutUint16(v[2:], 2)
		}
		f.send(reply(f.seq, v, nil))
	case major == fakeXI && minor == xiSelectEvents:
		if want := xiSelectEventsReq(fakeXI, 0x100, []evMask{{0, []int{11}}, {1, []int{13, 14}}}); !bytes.Equal(req, want) {
			f.t.Errorf("XISelectEvents = % x, want % x", req, want)
		}
		if f.opts.selectErr {
			f.send(xerror(f.seq, 2, fakeXI, xiSelectEvents))
		}
	case major == fakeXI && minor == xiQueryDevice:
		f.send(f.opts.beforeDevices...)
		f.opts.beforeDevices = nil
		fixed, body := queryDeviceBody(f.opts.devs)
		f.send(reply(f.seq, fixed, body))
		if f.opts.after != nil {
			after := f.opts.after
			f.opts.after = nil
			after(f)
		}
	case major == fakeXI && minor == xiGetProperty:
		f.property(req)
	default:
		f.t.Errorf("fake X server: unexpected request %d.%d", major, minor)
		f.send(xerror(f.seq, 1, major, uint16(minor)))
	}
	return true
}

func (f *fakeX) property(req []byte) {
	dev, atom := uint32(le.Uint16(req[4:])), le.Uint32(req[8:])
	v, ok := f.opts.props[[2]uint32{dev, atom}]
	if v == "!error" {
		f.send(xerror(f.seq, 2, fakeXI, xiGetProperty))
		return
	}
	if !ok {
		f.send(reply(f.seq, nil, nil)) // type None: no such property
		return
	}
	fixed := make([]byte, 16)
	le.PutUint32(fixed, 19) // some type
	format := 8
	if atom == atomProduct {
		format = 32
	}
	le.PutUint32(fixed[8:], uint32(len(v)*8/format))
	fixed[12] = byte(format)
	body := []byte(v)
	body = append(body, make([]byte, pad4(len(body))-len(body))...)
	f.send(reply(f.seq, fixed, body))
}

var xvfbLikeDevices = []testDevice{
	{id: 2, use: useMasterPointer, attachment: 3, name: "Virtual core pointer"},
	{id: 3, use: useMasterKeyboard, attachment: 2, name: "Virtual core keyboard", keys: true},
	{id: 4, use: useSlavePointer, attachment: 2, name: "Virtual core XTEST pointer"},
	{id: 5, use: useSlaveKeyboard, attachment: 3, name: "Virtual core XTEST keyboard", keys: true},
}

func openCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		opts fakeOpts
		want string
		is   error
	}{
		{"setup refused", fakeOpts{refuse: "Authorization required, but no authorization protocol specified\n"},
			"setup refused by X server (protocol 11.0): Authorization required, but no authorization protocol specified", nil},
		{"no extension", fakeOpts{noXI: true}, "no XInputExtension", ErrUnsupported},
		{"XI 2.0", fakeOpts{xi20: true}, "XInput version 2.0, want 2.1", ErrUnsupported},
		{"huge reply", fakeOpts{hugeReply: true}, "reply to request 1: length 17179869180 bytes exceeds limit 1048576", nil},
		{"select refused", fakeOpts{selectErr: true, devs: xvfbLikeDevices}, "XISelectEvents: X BadValue (request 131.46", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := startFake(t, tt.opts)
			r, err := Open(openCtx(t), cfg)
			if err == nil {
				r.Close()
				t.Fatalf("Open succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), ":7") {
				t.Errorf("Open error = %q, want it to name the display and contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Open error = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

func TestOpenSendsCookie(t *testing.T) {
	cookie := []byte("0123456789abcdef")
	cfg := startFake(t, fakeOpts{wantCookie: cookie, devs: xvfbLikeDevices})
	var file []byte
	file = append(file, xauthRecord(familyLocal, "otherhost", "7", cookieName, []byte("wrong cookie...."))...)
	file = append(file, xauthRecord(familyLocal, "fakehost", "7", cookieName, cookie)...)
	if err := os.WriteFile(cfg.Xauthority, file, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(openCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

func TestOpenHonoursContext(t *testing.T) {
	cfg := startFake(t, fakeOpts{silent: true})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	r, err := Open(ctx, cfg)
	if err == nil {
		r.Close()
		t.Fatal("Open succeeded against a silent server")
	}
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("Open error = %v after %v, want deadline exceeded soon", err, time.Since(start))
	}
}

// fakeRun is a reader running against a fake server.
type fakeRun struct {
	r      *Reader
	events chan keystroke.Event // every emitted event, also
	done   chan struct{}        // closed when Run has returned
	// stop cancels Run, waits for it and returns all events and its error.
	stop func() ([]keystroke.Event, error)
}

// runFake opens a reader on a fake server and runs it in the background
// until the test ends or stop is called.
func runFake(t *testing.T, opts fakeOpts) *fakeRun {
	t.Helper()
	cfg := startFake(t, opts)
	cfg.sysfs = opts.sysfs
	r, err := Open(openCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	fr := &fakeRun{r: r, events: make(chan keystroke.Event, 100), done: make(chan struct{})}
	var (
		got    []keystroke.Event
		runErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		defer close(fr.done)
		runErr = r.Run(ctx, func(e keystroke.Event) {
			got = append(got, e)
			fr.events <- e
		})
	})
	fr.stop = func() ([]keystroke.Event, error) {
		cancel()
		wg.Wait()
		return got, runErr
	}
	t.Cleanup(func() { fr.stop() })
	return fr
}

// fakeSysfs builds a sysfs tree with an i8042 keyboard at event4 and a
// uinput keyboard at event5.
func fakeSysfs(t *testing.T) string {
	root := t.TempDir()
	mk := func(event, dev, bustype string) {
		real := filepath.Join(root, dev)
		os.MkdirAll(filepath.Join(real, "id"), 0o755)
		os.WriteFile(filepath.Join(real, "id", "bustype"), []byte(bustype+"\n"), 0o644)
		link := filepath.Join(root, "class", "input", event)
		os.MkdirAll(link, 0o755)
		if err := os.Symlink(real, filepath.Join(link, "device")); err != nil {
			t.Fatal(err)
		}
	}
	mk("event4", "devices/platform/i8042/serio0/input/input4", "0011")
	mk("event5", "devices/virtual/input/input9", "0003")
	return root
}

func productID(vendor, product uint32) string {
	b := le.AppendUint32(nil, vendor)
	return string(le.AppendUint32(b, product))
}

func TestRunFake(t *testing.T) {
	const (
		keyA  = 30 + 8
		space = 57 + 8
		enter = 28 + 8
	)
	devs := append(append([]testDevice(nil), xvfbLikeDevices...),
		testDevice{id: 9, use: useSlaveKeyboard, attachment: 3, name: "AT Translated Set 2 keyboard", keys: true},
		testDevice{id: 10, use: useSlaveKeyboard, attachment: 3, name: "ydotoold virtual device", keys: true},
		testDevice{id: 11, use: useSlaveKeyboard, attachment: 3, name: "TigerVNC keyboard", keys: true},
	)
	ev := func(release bool, source uint16, ms, code uint32) []byte {
		return rawKeyEvent(fakeXI, release, 3, source, ms, code, false)
	}
	mappingNotify := make([]byte, 32)
	mappingNotify[0] = 34
	fr := runFake(t, fakeOpts{
		devs: devs,
		props: map[[2]uint32]string{
			{9, atomNode}:     "/dev/input/event4",
			{9, atomProduct}:  productID(1, 1),
			{10, atomNode}:    "/dev/input/event5",
			{10, atomProduct}: productID(0x2333, 0x6666),
			{11, atomNode}:    "!error", // answered with an X error, which is not fatal
		},
		sysfs: fakeSysfs(t),
		// A stroke that arrives while the reader still waits for devices.
		beforeDevices: [][]byte{ev(false, 5, 1000, keyA), ev(true, 5, 1040, keyA)},
		after: func(f *fakeX) {
			f.send(mappingNotify,
				ev(false, 9, 2000, space), ev(true, 9, 2100, space),
				ev(false, 10, 2200, enter), ev(true, 10, 2210, enter),
				ev(false, 11, 2300, keyA), ev(true, 11, 2350, keyA),
				// A new device: its strokes wait for the device list.
				hierarchyEvent(fakeXI, 2),
				ev(false, 12, 2400, keyA), ev(true, 12, 2460, keyA),
				// A source the server never lists.
				ev(false, 40, 2500, keyA), ev(true, 40, 2501, keyA),
				// A press, a repeat, the release.
				rawKeyEvent(fakeXI, false, 3, 5, 2600, keyA, false), rawKeyEvent(fakeXI, false, 3, 5, 2650, keyA, true), rawKeyEvent(fakeXI, true, 3, 5, 2700, keyA, false))
			f.opts.devs = append(f.opts.devs, testDevice{id: 12, use: useSlaveKeyboard, attachment: 3, name: "remote XTEST keyboard", keys: true})
		},
	})
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	want := []keystroke.Event{
		{Press: ms(1000), Release: ms(1040), Class: keystroke.ClassLetter, Prov: keystroke.ProvInjected, Device: 0},
		{Press: ms(2000), Release: ms(2100), Class: keystroke.ClassSpace, Prov: keystroke.ProvPhysical, Device: 1},
		{Press: ms(2200), Release: ms(2210), Class: keystroke.ClassEnter, Prov: keystroke.ProvVirtual, Device: 2},
		{Press: ms(2300), Release: ms(2350), Class: keystroke.ClassLetter, Prov: keystroke.ProvUnknown, Device: 3},
		{Press: ms(2400), Release: ms(2460), Class: keystroke.ClassLetter, Prov: keystroke.ProvInjected, Device: 4},
		{Press: ms(2500), Release: ms(2501), Class: keystroke.ClassLetter, Prov: keystroke.ProvUnknown, Device: 5},
		{Press: ms(2600), Release: ms(2700), Class: keystroke.ClassLetter, Prov: keystroke.ProvInjected, Device: 0, Repeats: 1},
	}
	for i := range want {
		select {
		case <-fr.events:
		case <-time.After(10 * time.Second):
			got, err := fr.stop()
			t.Fatalf("timed out waiting for event %d; got %+v, Run = %v", i, got, err)
		}
	}
	got, err := fr.stop()
	if err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	wantDevs := []keystroke.Device{
		{Number: 0, Source: "x11", Name: "Virtual core XTEST keyboard", Prov: keystroke.ProvInjected, Bus: "xtest", Path: "xi2:5"},
		{Number: 1, Source: "x11", Name: "AT Translated Set 2 keyboard", Prov: keystroke.ProvPhysical, Bus: "i8042", VendorID: 1, ProductID: 1, Path: "xi2:9"},
		{Number: 2, Source: "x11", Name: "ydotoold virtual device", Prov: keystroke.ProvVirtual, Bus: "virtual", VendorID: 0x2333, ProductID: 0x6666, Path: "xi2:10"},
		{Number: 3, Source: "x11", Name: "TigerVNC keyboard", Prov: keystroke.ProvUnknown, Path: "xi2:11"},
		{Number: 4, Source: "x11", Name: "remote XTEST keyboard", Prov: keystroke.ProvInjected, Bus: "xtest", Path: "xi2:12"},
		{Number: 5, Source: "x11", Prov: keystroke.ProvUnknown, Path: "xi2:40"},
	}
	gotDevs := fr.r.Devices()
	if len(gotDevs) != len(wantDevs) {
		t.Fatalf("Devices() = %+v, want %+v", gotDevs, wantDevs)
	}
	for i := range wantDevs {
		if gotDevs[i] != wantDevs[i] {
			t.Errorf("Devices()[%d] = %+v, want %+v", i, gotDevs[i], wantDevs[i])
		}
	}
}

func TestRunProtocolErrors(t *testing.T) {
	tooLong := rawKeyEvent(fakeXI, false, 3, 5, 1, 38, false)
	le.PutUint32(tooLong[4:], 1<<20)
	tests := []struct {
		name string
		send []byte
		want string
	}{
		{"event length", tooLong, "generic event 13: length 4194304 bytes exceeds limit 65536"},
		{"unasked reply", reply(999, nil, nil), "answer to request 999, which is not outstanding"},
		{"hierarchy entries", hierarchyEvent(fakeXI, maxDevices+1), "hierarchy event: num_info 1025 exceeds limit 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := runFake(t, fakeOpts{devs: xvfbLikeDevices, after: func(f *fakeX) { f.send(tt.send) }})
			select {
			case <-fr.done: // Run ends by itself on a protocol error
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not end on a protocol error")
			}
			_, err := fr.stop()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "X display :7") {
				t.Errorf("Run = %v, want an error naming the display and containing %q", err, tt.want)
			}
		})
	}
}
