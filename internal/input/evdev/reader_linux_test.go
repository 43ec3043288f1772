package evdev

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// writeNode writes a recorded stream to root/dev/input/<event>, atomically
// so that a rescanning reader never sees half of it.
func writeNode(t *testing.T, root, event string, evs []ev) {
	t.Helper()
	dir := filepath.Join(root, "dev", "input")
	must(t, os.MkdirAll(dir, 0o755))
	tmp := filepath.Join(dir, ".tmp-"+event)
	must(t, os.WriteFile(tmp, native.encode(evs...), 0o600))
	must(t, os.Rename(tmp, filepath.Join(dir, event)))
}

// TestReaderFixtures runs the reader over a fixture tree with a USB
// keyboard, a laptop keyboard, a uinput keyboard, a uinput keyboard posing
// as the USB one, and a mouse, each with a recorded stream.
func TestReaderFixtures(t *testing.T) {
	root := t.TempDir()
	for _, f := range []fixture{fxUSB, fxAT, fxUinput, fxSpoof, fxMouse} {
		f.build(t, root)
		writeNode(t, root, f.event, sessionEvents())
	}
	var logs logBuffer
	rn := start(t, Config{Root: root, Logger: logs.logger(), Rescan: -1})
	per := len(sessionWant(0, 0))
	rn.wait(t, 4*per)
	got := rn.stop(t)

	wantDevs := []keystroke.Device{ // in node order: event2, event3, event7, event8; no mouse
		{Number: 0, Source: "evdev", Name: fxAT.name, Prov: keystroke.ProvPhysical, Bus: "i8042", VendorID: 1, ProductID: 1, Path: "/dev/input/event2"},
		{Number: 1, Source: "evdev", Name: fxUSB.name, Prov: keystroke.ProvPhysical, Bus: "usb", VendorID: 0x046d, ProductID: 0xc31c, Path: "/dev/input/event3"},
		{Number: 2, Source: "evdev", Name: fxUinput.name, Prov: keystroke.ProvVirtual, Bus: "virtual", VendorID: 0x1234, ProductID: 0x5678, Path: "/dev/input/event7"},
		{Number: 3, Source: "evdev", Name: fxSpoof.name, Prov: keystroke.ProvVirtual, Bus: "virtual", VendorID: 0x046d, ProductID: 0xc31c, Path: "/dev/input/event8"},
	}
	devs := rn.r.Devices()
	if len(devs) != len(wantDevs) {
		t.Fatalf("Devices() = %+v, want %+v", devs, wantDevs)
	}
	for i := range wantDevs {
		if devs[i] != wantDevs[i] {
			t.Errorf("Devices()[%d] = %+v, want %+v", i, devs[i], wantDevs[i])
		}
	}
	if len(got) != 4*per {
		t.Errorf("%d strokes, want %d (%d from each keyboard, none from the mouse)", len(got), 4*per, per)
	}
	split := byDevice(got)
	for _, d := range wantDevs {
		equalEvents(t, d.Path, split[d.Number], sessionWant(d.Number, d.Prov))
	}
	l := logs.String()
	if !strings.Contains(l, `"msg":"keyboard opened","path":"/dev/input/event8","number":3,"name":"Logitech USB Keyboard","provenance":"virtual","bus":"virtual","bus_claimed":"usb","phys":"usb-0000:00:14.0-2/input0"`) {
		t.Errorf("log does not show the spoofing uinput device's claimed bus:\n%s", l)
	}
	if strings.Contains(l, "event4") {
		t.Errorf("log mentions the mouse, which is not a keyboard:\n%s", l)
	}
}

// TestReaderHotplug: a keyboard whose node appears after Run started is
// found at the next rescan, read once, and not reopened at later rescans.
func TestReaderHotplug(t *testing.T) {
	root := t.TempDir()
	fxUSB.build(t, root)
	rn := start(t, Config{Root: root, Rescan: 10 * time.Millisecond})
	time.Sleep(50 * time.Millisecond)
	if d := rn.r.Devices(); len(d) != 0 {
		t.Fatalf("Devices() before the keyboard appeared = %+v, want none", d)
	}
	writeNode(t, root, fxUSB.event, sessionEvents())
	per := len(sessionWant(0, 0))
	rn.wait(t, per)
	time.Sleep(100 * time.Millisecond) // ten more rescans
	got := rn.stop(t)
	equalEvents(t, "hot-plugged keyboard", got, sessionWant(0, keystroke.ProvPhysical))
	if d := rn.r.Devices(); len(d) != 1 {
		t.Errorf("Devices() = %+v, want the one keyboard once", d)
	}
}

// TestReaderPipe: a device that is still open keeps the reader waiting;
// strokes arrive as they are written, and cancelling interrupts the read.
func TestReaderPipe(t *testing.T) {
	root := t.TempDir()
	fxUSB.build(t, root)
	node := filepath.Join(root, "dev", "input", fxUSB.event)
	must(t, unix.Mkfifo(node, 0o600))
	w, err := os.OpenFile(node, os.O_RDWR, 0) // a writer that stays, so the reader sees no end
	must(t, err)
	defer w.Close()
	rn := start(t, Config{Root: root, Rescan: -1})
	write := func(evs ...ev) {
		if _, err := w.Write(native.encode(evs...)); err != nil {
			t.Fatal(err)
		}
	}
	write(cat(press(ms(0), keyT), release(ms(60), keyT))...)
	rn.wait(t, 1)
	// Half a record, then the rest: the reader must put them together.
	b := native.encode(cat(press(ms(100), keyH), release(ms(170), keyH))...)
	if _, err := w.Write(b[:native.size/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := w.Write(b[native.size/2:]); err != nil {
		t.Fatal(err)
	}
	rn.wait(t, 2)
	start := time.Now()
	got := rn.stop(t)
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %v to return after cancel with a read pending, want well under 1s", d)
	}
	equalEvents(t, "pipe", got, []keystroke.Event{
		{Press: ms(0), Release: ms(60), Class: keystroke.ClassLetter, Prov: keystroke.ProvPhysical},
		{Press: ms(100), Release: ms(170), Class: keystroke.ClassLetter, Prov: keystroke.ProvPhysical},
	})
}

// TestReaderCannotOpen: a keyboard node the reader cannot use (here a
// character device that is not evdev, so EVIOCSCLOCKID fails; without root,
// a node without permission) is reported once and skipped, and the other
// keyboards are still read.
func TestReaderCannotOpen(t *testing.T) {
	root := t.TempDir()
	fxUSB.build(t, root)
	fxAT.build(t, root)
	bad := filepath.Join(root, "dev", "input", fxUSB.event)
	want := "CLOCK_MONOTONIC"
	if os.Geteuid() == 0 {
		if err := unix.Mknod(bad, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3))); err != nil { // /dev/null's numbers
			t.Skipf("mknod: %v", err)
		}
	} else {
		must(t, os.WriteFile(bad, nil, 0))
		want = "permission denied"
	}
	writeNode(t, root, fxAT.event, sessionEvents())
	var logs logBuffer
	rn := start(t, Config{Root: root, Logger: logs.logger(), Rescan: 5 * time.Millisecond})
	rn.wait(t, len(sessionWant(0, 0)))
	time.Sleep(60 * time.Millisecond) // a dozen rescans
	rn.stop(t)
	l := logs.String()
	if n := strings.Count(l, `"msg":"cannot open keyboard"`); n != 1 {
		t.Errorf("%d 'cannot open keyboard' lines, want 1:\n%s", n, l)
	}
	if !strings.Contains(l, want) {
		t.Errorf("log does not say %q:\n%s", want, l)
	}
	if d := rn.r.Devices(); len(d) != 1 || d[0].Path != "/dev/input/event2" {
		t.Errorf("Devices() = %+v, want only the laptop keyboard", d)
	}
}

func TestReaderRunErrors(t *testing.T) {
	r, err := NewReader(Config{Root: t.TempDir()})
	must(t, err)
	if err := r.Run(t.Context(), func(keystroke.Event) {}); err == nil || !strings.Contains(err.Error(), "list input devices") {
		t.Errorf("Run without dev/input = %v, want a listing error", err)
	}
	if _, err := NewReader(Config{Root: "relative/root"}); err == nil {
		t.Error("NewReader(relative root) = nil error, want one")
	}
	root := t.TempDir()
	fxUSB.build(t, root)
	rn := start(t, Config{Root: root, Rescan: -1})
	time.Sleep(20 * time.Millisecond)
	if err := rn.r.Run(t.Context(), func(keystroke.Event) {}); err == nil {
		t.Error("second concurrent Run = nil error, want one")
	}
	rn.stop(t)
}
