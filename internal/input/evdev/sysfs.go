package evdev

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Bus types from linux/input.h (struct input_id.bustype).
const (
	busUSB       = 0x03
	busBluetooth = 0x05
	busVirtual   = 0x06
	busI8042     = 0x11
)

// busNames names the bus types. All but "virtual" are hardware buses.
var busNames = map[uint16]string{
	0x01: "pci", 0x02: "isapnp", busUSB: "usb", 0x04: "hil", busBluetooth: "bluetooth",
	busVirtual: "virtual", 0x10: "isa", busI8042: "i8042", 0x12: "xtkbd", 0x13: "rs232",
	0x14: "gameport", 0x15: "parport", 0x16: "amiga", 0x17: "adb", 0x18: "i2c", 0x19: "host",
	0x1a: "gsc", 0x1b: "atari", 0x1c: "spi", 0x1d: "rmi", 0x1e: "cec", 0x1f: "intel-ishtp",
	0x20: "amd-sfh",
}

// minLetters is how many of the 26 letter keys (KEY_A..KEY_Z) a device
// must declare to count as a keyboard. Full keyboards declare all of
// them; mice, power buttons, lid switches and media-key devices none.
const minLetters = 20

// maxNameLen bounds device names taken from sysfs (uinput allows 80 bytes).
const maxNameLen = 128

// info is what sysfs says about one event device. Everything in it is
// device metadata; none of it depends on what is typed.
type info struct {
	name     string
	phys     string // what the driver or the uinput creator says, e.g. "usb-0000:00:14.0-2/input0"
	bustype  uint16
	vendor   uint16
	product  uint16
	sysPath  string // the device's resolved path, e.g. "/sys/devices/virtual/input/input20"; "" when unknown
	keyboard bool
}

// readInfo reads the sysfs metadata of the event device named event
// (e.g. "event3") under root. Missing id files read as 0; a missing or
// unparsable capabilities/key is an error, since it decides whether the
// device is a keyboard.
func readInfo(root, event string) (info, error) {
	dir := filepath.Join(root, "sys", "class", "input", event, "device")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	hex16 := func(name string) uint16 {
		v, err := strconv.ParseUint(read(name), 16, 16)
		if err != nil {
			return 0
		}
		return uint16(v)
	}
	capPath := filepath.Join(dir, "capabilities", "key")
	caps, err := os.ReadFile(capPath)
	if err != nil {
		return info{}, fmt.Errorf("read key capabilities: %w", err)
	}
	bm, err := parseBitmap(string(caps))
	if err != nil {
		return info{}, fmt.Errorf("parse %s: %w", capPath, err)
	}
	in := info{
		name:    cleanName(read("name")),
		phys:    cleanName(read("phys")),
		bustype: hex16("id/bustype"),
		vendor:  hex16("id/vendor"),
		product: hex16("id/product"),
		sysPath: resolveSys(root, dir),
	}
	letters := 0
	for code := range keyLimit {
		if keystroke.ClassOfLinux(uint16(code)) == keystroke.ClassLetter && bm.has(code) {
			letters++
		}
	}
	in.keyboard = letters >= minLetters
	return in, nil
}

// resolveSys returns the path below /sys that dir (a symlink in the sysfs
// tree under root) resolves to, written as on the real system, or "" when
// it cannot be resolved or leaves the sysfs tree.
func resolveSys(root, dir string) string {
	sys, err := filepath.EvalSymlinks(filepath.Join(root, "sys"))
	if err != nil {
		return ""
	}
	dev, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(sys, dev)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return ""
	}
	return "/sys/" + filepath.ToSlash(rel)
}

// cleanName makes a sysfs string safe to show: valid UTF-8, no control
// characters, bounded length.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > maxNameLen {
		s = strings.ToValidUTF8(s[:maxNameLen], "")
	}
	return s
}

// classify decides the device's provenance and names its bus.
//
//   - A device under /sys/devices/virtual/ was made by software: uinput
//     (/devices/virtual/input/) or uhid (/devices/virtual/misc/uhid/).
//     It is virtual whatever bus type it claims, with one exception:
//     BlueZ runs Bluetooth LE keyboards (HID over GATT) through uhid, so a
//     uhid device on the Bluetooth bus is taken as a physical Bluetooth
//     keyboard.
//   - Bus type BUS_VIRTUAL is virtual too.
//   - Otherwise the device path tells the bus when it runs through a USB
//     controller (/usbN/), the i8042 controller (/serioN/, /i8042/) or a
//     Bluetooth adapter (/bluetooth/), and the device is physical.
//   - Otherwise a device with a real sysfs path and a hardware bus type
//     (i2c and spi laptop keyboards, ...) is physical.
//   - Without a sysfs path the bus type is only a claim: unknown.
func (in info) classify() (keystroke.Provenance, string) {
	claimed := in.claimedBus()
	elems := strings.Split(in.sysPath, "/")
	switch {
	case strings.HasPrefix(in.sysPath, "/sys/devices/virtual/misc/uhid/"):
		if in.bustype == busBluetooth {
			return keystroke.ProvPhysical, "bluetooth"
		}
		return keystroke.ProvVirtual, "uhid"
	case strings.HasPrefix(in.sysPath, "/sys/devices/virtual/"), in.bustype == busVirtual:
		return keystroke.ProvVirtual, "virtual"
	case in.sysPath == "":
		return keystroke.ProvUnknown, claimed
	case slices.Contains(elems, "bluetooth"):
		return keystroke.ProvPhysical, "bluetooth"
	case slices.Contains(elems, "i8042") || slices.ContainsFunc(elems, numbered("serio")):
		return keystroke.ProvPhysical, "i8042"
	case slices.ContainsFunc(elems, numbered("usb")):
		return keystroke.ProvPhysical, "usb"
	case busNames[in.bustype] != "":
		return keystroke.ProvPhysical, claimed
	}
	return keystroke.ProvUnknown, claimed
}

// numbered returns a test for path elements that are prefix followed by
// a decimal number, such as "usb1" or "serio0".
func numbered(prefix string) func(string) bool {
	return func(s string) bool {
		n, ok := strings.CutPrefix(s, prefix)
		if !ok || n == "" {
			return false
		}
		_, err := strconv.ParseUint(n, 10, 32)
		return err == nil
	}
}

// claimedBus names the bus type the device itself reports.
func (in info) claimedBus() string {
	if n := busNames[in.bustype]; n != "" || in.bustype == 0 {
		return n
	}
	return fmt.Sprintf("bus-0x%02x", in.bustype)
}

// device describes the device for keystroke consumers; path is the node
// as it appears on the real system, e.g. "/dev/input/event3".
func (in info) device(path string) keystroke.Device {
	prov, bus := in.classify()
	return keystroke.Device{
		Source:    Source,
		Name:      in.name,
		Prov:      prov,
		Bus:       bus,
		VendorID:  in.vendor,
		ProductID: in.product,
		Path:      path,
	}
}

// maxBitmapWords bounds a capability bitmap: KEY_MAX+1 bits are 12 words
// of 64 bits or 24 of 32.
const maxBitmapWords = 32

// bitmap is a capability bitmap as sysfs prints it.
type bitmap struct {
	words    []uint64 // least significant word first
	wordBits int
}

// parseBitmap parses a sysfs capability bitmap: hexadecimal words of the
// kernel's C long, most significant first, separated by spaces. Words are
// 64 bits wide when any has more than 8 digits or this is a 64-bit
// process, else 32.
func parseBitmap(s string) (bitmap, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return bitmap{}, fmt.Errorf("empty capability bitmap")
	}
	if len(fields) > maxBitmapWords {
		return bitmap{}, fmt.Errorf("capability bitmap has %d words (limit %d)", len(fields), maxBitmapWords)
	}
	b := bitmap{wordBits: strconv.IntSize}
	for _, f := range fields {
		if len(f) > 8 {
			b.wordBits = 64
		}
	}
	b.words = make([]uint64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseUint(f, 16, b.wordBits)
		if err != nil {
			return bitmap{}, fmt.Errorf("capability bitmap word %d of %d: %w", i+1, len(fields), err)
		}
		b.words[len(fields)-1-i] = v
	}
	return b, nil
}

// has reports whether bit n is set.
func (b bitmap) has(n int) bool {
	if n < 0 || b.wordBits == 0 {
		return false
	}
	i := n / b.wordBits
	return i < len(b.words) && b.words[i]>>(n%b.wordBits)&1 == 1
}
