package evdev

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// uinput ioctls from linux/uinput.h.
var (
	uiSetEvbit   = ioc(iocWrite, 'U', 100, 4)
	uiSetKeybit  = ioc(iocWrite, 'U', 101, 4)
	uiDevCreate  = ioc(iocNone, 'U', 1, 0)
	uiDevDestroy = ioc(iocNone, 'U', 2, 0)
)

// TestUinputKeyboard creates a real keyboard in the kernel with uinput,
// types on it, and checks that the reader sees the strokes as virtual,
// with hold times the typing had and timestamps on CLOCK_MONOTONIC. The
// reader runs on a root of its own holding only this device, so the
// machine's real keyboards are never read.
func TestUinputKeyboard(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating a uinput device needs root")
	}
	fd, err := unix.Open("/dev/uinput", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("/dev/uinput does not exist: kernel without uinput, or a container without the device")
	}
	if err != nil {
		t.Skipf("open /dev/uinput: %v", err)
	}
	defer unix.Close(fd)

	must(t, unix.IoctlSetInt(fd, uiSetEvbit, evKey))
	for code := 1; code <= 88; code++ { // KEY_ESC..KEY_F12, every letter among them
		must(t, unix.IoctlSetInt(fd, uiSetKeybit, code))
	}
	// The legacy setup, struct uinput_user_dev: name[80], struct input_id
	// {bustype, vendor, product, version}, ff_effects_max, 4×64 abs values.
	name := fmt.Sprintf("lagwatch test keyboard %d", os.Getpid())
	dev := make([]byte, 80+8+4+4*64*4)
	copy(dev, name)
	binary.NativeEndian.PutUint16(dev[80:], busVirtual)
	binary.NativeEndian.PutUint16(dev[82:], 0x1209)
	binary.NativeEndian.PutUint16(dev[84:], 0x0001)
	binary.NativeEndian.PutUint16(dev[86:], 1)
	if _, err := unix.Write(fd, dev); err != nil {
		t.Fatalf("write uinput_user_dev: %v", err)
	}
	must(t, unix.IoctlSetInt(fd, uiDevCreate, 0))
	defer unix.IoctlSetInt(fd, uiDevDestroy, 0)

	// Find its event node in sysfs and make it in a root of our own.
	var event string
	for deadline := time.Now().Add(3 * time.Second); event == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		names, _ := filepath.Glob("/sys/class/input/event*/device/name")
		for _, p := range names {
			if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == name {
				event = filepath.Base(filepath.Dir(filepath.Dir(p)))
			}
		}
	}
	if event == "" {
		t.Fatalf("uinput device %q did not appear in /sys/class/input", name)
	}
	numbers, err := os.ReadFile(filepath.Join("/sys/class/input", event, "dev"))
	must(t, err)
	major, minor, _ := strings.Cut(strings.TrimSpace(string(numbers)), ":")
	maj, err1 := strconv.ParseUint(major, 10, 32)
	mnr, err2 := strconv.ParseUint(minor, 10, 32)
	if err1 != nil || err2 != nil {
		t.Fatalf("parse %s/dev %q", event, numbers)
	}
	root := t.TempDir()
	must(t, os.Symlink("/sys", filepath.Join(root, "sys")))
	must(t, os.MkdirAll(filepath.Join(root, "dev", "input"), 0o755))
	node := filepath.Join(root, "dev", "input", event)
	must(t, unix.Mknod(node, unix.S_IFCHR|0o600, int(unix.Mkdev(uint32(maj), uint32(mnr)))))
	if f, err := os.Open(node); err != nil {
		t.Skipf("cannot open a device node made in %s (mounted nodev?): %v", root, err)
	} else {
		f.Close()
	}

	rn := start(t, Config{Root: root, Rescan: -1})
	for deadline := time.Now().Add(3 * time.Second); len(rn.r.Devices()) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reader did not open the uinput keyboard within 3s")
		}
	}
	const hold = 40 * time.Millisecond
	emit := func(evs ...ev) {
		if _, err := unix.Write(fd, native.encode(evs...)); err != nil {
			t.Fatalf("write to uinput: %v", err)
		}
	}
	for _, code := range []uint16{38, 30, 34} { // l, a, g
		emit(ev{typ: evKey, code: code, value: keyPress}, ev{typ: evSyn, code: synReport})
		time.Sleep(hold)
		emit(ev{typ: evKey, code: code, value: keyRelease}, ev{typ: evSyn, code: synReport})
		time.Sleep(20 * time.Millisecond)
	}
	rn.wait(t, 3)
	got := rn.stop(t)

	var now unix.Timespec
	must(t, unix.ClockGettime(unix.CLOCK_MONOTONIC, &now))
	mono := time.Duration(now.Nano())
	if d := rn.r.Devices(); len(d) != 1 || d[0].Name != name || d[0].Prov != keystroke.ProvVirtual || d[0].Bus != "virtual" || d[0].VendorID != 0x1209 {
		t.Errorf("Devices() = %+v, want the uinput keyboard, virtual", d)
	}
	if len(got) != 3 {
		t.Fatalf("strokes = %+v, want 3", got)
	}
	for i, e := range got {
		if e.Prov != keystroke.ProvVirtual || e.Class != keystroke.ClassLetter || e.Device != 0 {
			t.Errorf("stroke %d = %+v, want a virtual letter from device 0", i, e)
		}
		if h := e.Hold(); h < hold-time.Millisecond || h > 500*time.Millisecond {
			t.Errorf("stroke %d held %v, want about %v", i, h, hold)
		}
		if d := mono - e.Release; d < 0 || d > 30*time.Second {
			t.Errorf("stroke %d released at %v, CLOCK_MONOTONIC is now %v: not on the monotonic clock", i, e.Release, mono)
		}
		if i > 0 && e.Press-got[i-1].Press < hold {
			t.Errorf("strokes %d and %d pressed %v apart, want at least %v", i-1, i, e.Press-got[i-1].Press, hold)
		}
	}
}
