package evdev

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Key capability bitmaps as real 64-bit kernels print them.
const (
	capsUSBKeyboard = "1000000000007 ff9f207ac14057ff febeffdfffefffff fffffffffffffffe" // Logitech K120
	capsATKeyboard  = "402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe"      // AT Translated Set 2
	capsMouse       = "1f0000 0 0 0 0"                                                   // BTN_LEFT..BTN_TASK
	capsMacroPad    = "3ff0000"                                                          // KEY_Q..KEY_P only
)

// fixture is one input device's sysfs entry, laid out as the kernel does:
// sys/class/input/eventN links to the event directory under
// sys/<input>/, whose device link points back to <input>.
type fixture struct {
	event, input         string
	name, phys           string
	bus, vendor, product uint16
	caps                 string
}

var (
	fxUSB = fixture{event: "event3", input: "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/0003:046D:C31C.0001/input/input5",
		name: "Logitech USB Keyboard", phys: "usb-0000:00:14.0-2/input0", bus: 0x03, vendor: 0x046d, product: 0xc31c, caps: capsUSBKeyboard}
	fxAT = fixture{event: "event2", input: "devices/platform/i8042/serio0/input/input3",
		name: "AT Translated Set 2 keyboard", phys: "isa0060/serio0/input0", bus: 0x11, vendor: 0x0001, product: 0x0001, caps: capsATKeyboard}
	fxUinput = fixture{event: "event7", input: "devices/virtual/input/input20",
		name: "remote desktop keyboard", bus: 0x06, vendor: 0x1234, product: 0x5678, caps: capsUSBKeyboard}
	// A uinput device posing as the Logitech keyboard, bus, IDs and phys.
	fxSpoof = fixture{event: "event8", input: "devices/virtual/input/input21",
		name: "Logitech USB Keyboard", phys: "usb-0000:00:14.0-2/input0", bus: 0x03, vendor: 0x046d, product: 0xc31c, caps: capsUSBKeyboard}
	fxMouse = fixture{event: "event4", input: "devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/0003:046D:C077.0002/input/input6",
		name: "Logitech USB Optical Mouse", phys: "usb-0000:00:14.0-3/input0", bus: 0x03, vendor: 0x046d, product: 0xc077, caps: capsMouse}
)

// build writes f's sysfs entry under root.
func (f fixture) build(t testing.TB, root string) {
	t.Helper()
	in := filepath.Join(root, "sys", f.input)
	files := map[string]string{
		"name": f.name, "phys": f.phys,
		"id/bustype": fmt.Sprintf("%04x", f.bus), "id/vendor": fmt.Sprintf("%04x", f.vendor),
		"id/product": fmt.Sprintf("%04x", f.product), "capabilities/key": f.caps,
	}
	for name, content := range files {
		p := filepath.Join(in, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(content+"\n"), 0o644))
	}
	ev := filepath.Join(in, f.event)
	must(t, os.MkdirAll(ev, 0o755))
	must(t, os.Symlink("../../"+filepath.Base(f.input), filepath.Join(ev, "device")))
	class := filepath.Join(root, "sys", "class", "input")
	must(t, os.MkdirAll(class, 0o755))
	must(t, os.Symlink(filepath.Join("../..", f.input, f.event), filepath.Join(class, f.event)))
	must(t, os.MkdirAll(filepath.Join(root, "dev", "input"), 0o755))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadInfo(t *testing.T) {
	root := t.TempDir()
	// A USB macro pad with ten letter keys is not a keyboard either.
	fxPad := fixture{event: "event9", input: "devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/0003:1209:0001.0003/input/input9",
		name: "macro pad", bus: 0x03, vendor: 0x1209, product: 0x0001, caps: capsMacroPad}
	for _, f := range []fixture{fxUSB, fxAT, fxUinput, fxSpoof, fxMouse, fxPad} {
		f.build(t, root)
	}
	tests := []struct {
		f        fixture
		keyboard bool
		sysPath  string
		prov     keystroke.Provenance
		bus      string
	}{
		{fxUSB, true, "/sys/" + fxUSB.input, keystroke.ProvPhysical, "usb"},
		{fxAT, true, "/sys/" + fxAT.input, keystroke.ProvPhysical, "i8042"},
		{fxUinput, true, "/sys/devices/virtual/input/input20", keystroke.ProvVirtual, "virtual"},
		{fxSpoof, true, "/sys/devices/virtual/input/input21", keystroke.ProvVirtual, "virtual"},
		{fxMouse, false, "/sys/" + fxMouse.input, keystroke.ProvPhysical, "usb"},
		{fxPad, false, "/sys/" + fxPad.input, keystroke.ProvPhysical, "usb"},
	}
	for _, tt := range tests {
		in, err := readInfo(root, tt.f.event)
		if err != nil {
			t.Fatalf("readInfo(%s): %v", tt.f.event, err)
		}
		if in.keyboard != tt.keyboard || in.sysPath != tt.sysPath || in.name != tt.f.name || in.phys != tt.f.phys ||
			in.bustype != tt.f.bus || in.vendor != tt.f.vendor || in.product != tt.f.product {
			t.Errorf("readInfo(%s) = %+v, want keyboard %v, path %s and the fixture's name, phys and IDs", tt.f.event, in, tt.keyboard, tt.sysPath)
		}
		if prov, bus := in.classify(); prov != tt.prov || bus != tt.bus {
			t.Errorf("classify(%s) = %v, %q; want %v, %q", tt.f.event, prov, bus, tt.prov, tt.bus)
		}
	}
	if _, err := readInfo(root, "event99"); err == nil || !strings.Contains(err.Error(), "event99") {
		t.Errorf("readInfo(missing) = %v, want an error naming the path", err)
	}
}

func TestKeyboards(t *testing.T) {
	root := t.TempDir()
	for _, f := range []fixture{fxUSB, fxAT, fxUinput, fxMouse} {
		f.build(t, root)
		must(t, os.WriteFile(filepath.Join(root, "dev", "input", f.event), nil, 0o600))
	}
	// Nodes that are not event devices, and one without sysfs metadata.
	for _, n := range []string{"mice", "mouse0", "event", "eventX", "event9"} {
		must(t, os.WriteFile(filepath.Join(root, "dev", "input", n), nil, 0o600))
	}
	got, err := Keyboards(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []keystroke.Device{
		{Number: 0, Source: "evdev", Name: "AT Translated Set 2 keyboard", Prov: keystroke.ProvPhysical, Bus: "i8042", VendorID: 1, ProductID: 1, Path: "/dev/input/event2"},
		{Number: 1, Source: "evdev", Name: "Logitech USB Keyboard", Prov: keystroke.ProvPhysical, Bus: "usb", VendorID: 0x046d, ProductID: 0xc31c, Path: "/dev/input/event3"},
		{Number: 2, Source: "evdev", Name: "remote desktop keyboard", Prov: keystroke.ProvVirtual, Bus: "virtual", VendorID: 0x1234, ProductID: 0x5678, Path: "/dev/input/event7"},
	}
	if len(got) != len(want) {
		t.Fatalf("Keyboards = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Keyboards()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := Keyboards(filepath.Join(root, "nonexistent")); err == nil {
		t.Error("Keyboards(root without dev/input) = nil error, want one")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   info
		prov keystroke.Provenance
		bus  string
	}{
		{info{sysPath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-7/1-7:1.0/bluetooth/hci0/hci0:256/0005:046D:B342.0005/input/input25", bustype: 0x05},
			keystroke.ProvPhysical, "bluetooth"},
		{info{sysPath: "/sys/devices/virtual/misc/uhid/0005:046D:B023.0003/input/input30", bustype: 0x05}, keystroke.ProvPhysical, "bluetooth"},
		{info{sysPath: "/sys/devices/virtual/misc/uhid/0003:046D:C31C.0009/input/input31", bustype: 0x03}, keystroke.ProvVirtual, "uhid"},
		{info{sysPath: "/sys/devices/platform/AMDI0010:03/i2c-1/i2c-ELAN0001:00/0018:04F3:3140.0001/input/input9", bustype: 0x18},
			keystroke.ProvPhysical, "i2c"},
		{info{sysPath: "/sys/devices/pci0000:00/0000:00:1f.0/unknown/input/input4", bustype: 0x99}, keystroke.ProvUnknown, "bus-0x99"},
		{info{sysPath: "/sys/devices/pci0000:00/0000:00:1f.0/input/input4"}, keystroke.ProvUnknown, ""},
		{info{sysPath: "/sys/devices/platform/usbfake/input/input4", bustype: 0x00}, keystroke.ProvUnknown, ""},
		{info{bustype: 0x03}, keystroke.ProvUnknown, "usb"}, // no sysfs path: the bus is only a claim
		{info{bustype: 0x06}, keystroke.ProvVirtual, "virtual"},
	}
	for _, tt := range tests {
		if prov, bus := tt.in.classify(); prov != tt.prov || bus != tt.bus {
			t.Errorf("classify(%+v) = %v, %q; want %v, %q", tt.in, prov, bus, tt.prov, tt.bus)
		}
	}
}

func TestParseBitmap(t *testing.T) {
	tests := []struct {
		s       string
		set     []int
		unset   []int
		letters int
	}{
		{capsUSBKeyboard, []int{1, 16, 30, 44, 63, 64, 83}, []int{0, 84, 300}, 26},
		{capsATKeyboard, []int{1, 30}, []int{0}, 26},
		{capsMouse, []int{0x110, 0x114}, []int{0x10f, 0x115, 30}, 0},
		{capsMacroPad, []int{16, 25}, []int{26, 30}, 10},
		{"ffffffff fffffffe", []int{1, 31, 64, 95}, []int{0, 32, 63, 96}, 12}, // 64-bit words that fit in 8 digits
	}
	for _, tt := range tests {
		b, err := parseBitmap(tt.s)
		if err != nil {
			t.Fatalf("parseBitmap(%q): %v", tt.s, err)
		}
		for _, n := range tt.set {
			if !b.has(n) {
				t.Errorf("parseBitmap(%q).has(%d) = false, want true", tt.s, n)
			}
		}
		for _, n := range tt.unset {
			if b.has(n) {
				t.Errorf("parseBitmap(%q).has(%d) = true, want false", tt.s, n)
			}
		}
		letters := 0
		for c := range keyLimit {
			if keystroke.ClassOfLinux(uint16(c)) == keystroke.ClassLetter && b.has(c) {
				letters++
			}
		}
		if letters != tt.letters {
			t.Errorf("parseBitmap(%q): %d letter keys, want %d", tt.s, letters, tt.letters)
		}
	}
	for _, bad := range []string{"", "  ", "xyz", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33", "10000000000000000"} {
		if _, err := parseBitmap(bad); err == nil {
			t.Errorf("parseBitmap(%q) = nil error, want one", bad)
		}
	}
}

// FuzzParseBitmap: arbitrary sysfs text must not panic, and a parsed
// bitmap answers has() for any bit.
func FuzzParseBitmap(f *testing.F) {
	for _, s := range []string{capsUSBKeyboard, capsATKeyboard, capsMouse, capsMacroPad, "", "0", "g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBitmap(s)
		if err != nil {
			return
		}
		if len(b.words) == 0 || len(b.words) > maxBitmapWords || (b.wordBits != 32 && b.wordBits != 64) {
			t.Fatalf("parseBitmap(%q) = %+v", s, b)
		}
		for _, n := range []int{-1, 0, 1, 63, 64, 255, 767, 1 << 20} {
			b.has(n)
		}
	})
}

func TestCleanName(t *testing.T) {
	tests := map[string]string{
		"Logitech USB Keyboard":  "Logitech USB Keyboard",
		"bad\x00name\n\x7f":      "bad?name??",
		"\xff\xfeok":             "?ok",
		strings.Repeat("é", 100): strings.Repeat("é", 64),
	}
	for in, want := range tests {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
