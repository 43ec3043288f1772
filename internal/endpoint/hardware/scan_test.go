package hardware

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sysfs builds a fixture sysfs tree under a temporary root.
type sysfs struct {
	t    *testing.T
	root string
}

func newSysfs(t *testing.T) sysfs {
	return sysfs{t: t, root: t.TempDir()}
}

func (s sysfs) write(path, content string) {
	s.t.Helper()
	p := filepath.Join(s.root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// usbDevice adds /sys/bus/usb/devices/<path> with the attributes (a
// missing string is a missing file, as in sysfs) and one interface
// <path>:1.N per class.
func (s sysfs) usbDevice(path, vid, pid, manufacturer, product, serial string, classes ...string) {
	dir := "sys/bus/usb/devices/" + path
	s.write(dir+"/idVendor", vid+"\n")
	s.write(dir+"/idProduct", pid+"\n")
	for name, v := range map[string]string{"manufacturer": manufacturer, "product": product, "serial": serial} {
		if v != "" {
			s.write(dir+"/"+name, v+"\n")
		}
	}
	for i, c := range classes {
		s.write(dir+":1."+string(rune('0'+i))+"/bInterfaceClass", c+"\n")
	}
}

// connector adds /sys/class/drm/<conn> with its status and EDID.
func (s sysfs) connector(conn, status string, edid []byte) {
	s.write("sys/class/drm/"+conn+"/status", status+"\n")
	s.write("sys/class/drm/"+conn+"/edid", string(edid))
}

// base adds what every laptop has: a root hub, a DRM card with its
// internal panel and an empty DisplayPort, and the DRM version file.
func (s sysfs) base() {
	s.usbDevice("usb1", "1d6b", "0002", "Linux 6.8.0 xhci-hcd", "xHCI Host Controller", "0000:00:14.0", "09")
	s.write("sys/bus/usb/devices/1-0:1.0/bInterfaceClass", "09\n")
	s.write("sys/class/drm/card0/dev", "226:0\n")
	s.write("sys/class/drm/version", "drm 1.1.0 20060810\n")
	s.connector("card0-eDP-1", "connected", buildEDID(laptopPanelEDID))
	s.connector("card0-DP-1", "disconnected", nil)
}

func scan(t *testing.T, cfg Config) Report {
	t.Helper()
	r, err := Scan(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Scan(%+v) = %v", cfg, err)
	}
	for _, d := range r.USB {
		checkMatch(t, d.Path, d.Match)
	}
	for _, d := range r.Displays {
		checkMatch(t, d.Connector, d.Match)
	}
	return r
}

// checkMatch checks the invariants of every match: the evidence ends by
// saying a miss proves nothing, and all fields fit package wire.
func checkMatch(t *testing.T, what string, m *Match) {
	t.Helper()
	if m == nil {
		return
	}
	if !strings.HasSuffix(m.Evidence, " Owners can change these identifiers, so their absence proves nothing.") {
		t.Errorf("%s: evidence %q does not say that a miss proves nothing", what, m.Evidence)
	}
	if m.Device == "" || len(m.Device) > 256 || m.Rule == "" || len(m.Rule) > 256 || len(m.Evidence) > 1024 {
		t.Errorf("%s: match %+v out of bounds", what, m)
	}
	if m.Strength != StrengthStrong && m.Strength != StrengthWeak {
		t.Errorf("%s: strength %q", what, m.Strength)
	}
}

func usbByPath(t *testing.T, r Report, path string) USBDevice {
	t.Helper()
	for _, d := range r.USB {
		if d.Path == path {
			return d
		}
	}
	t.Fatalf("Scan found no USB device %s in %+v", path, r.USB)
	return USBDevice{}
}

func displayByConnector(t *testing.T, r Report, conn string) Display {
	t.Helper()
	for _, d := range r.Displays {
		if d.Connector == conn {
			return d
		}
	}
	t.Fatalf("Scan found no display %s in %+v", conn, r.Displays)
	return Display{}
}

func TestScanPiKVM(t *testing.T) {
	s := newSysfs(t)
	s.base()
	// kvmd's OTG gadget: keyboard, mouse and mass storage.
	s.usbDevice("1-2", "1d6b", "0104", "PiKVM", "PiKVM Composite Device", "CAFEBABE", "03", "03", "08")
	s.connector("card0-HDMI-A-1", "connected", buildEDID(pikvmV4PlusEDID))
	r := scan(t, Config{Root: s.root})

	if len(r.USB) != 1 || len(r.Displays) != 2 {
		t.Fatalf("Scan = %d USB devices, %d displays; want 1 (root hubs skipped), 2 (eDP-1, HDMI-A-1)", len(r.USB), len(r.Displays))
	}
	d := usbByPath(t, r, "1-2")
	want := USBDevice{Path: "1-2", VendorID: "1d6b", ProductID: "0104", Manufacturer: "PiKVM", Product: "PiKVM Composite Device", Serial: "CAFEBABE", HID: true}
	m := d.Match
	d.Match = nil
	if d != want {
		t.Errorf("USB 1-2 = %+v, want %+v", d, want)
	}
	wantMatch := Match{
		Device:   "PiKVM (kvmd OTG gadget)",
		Rule:     `usb vendor_id=1d6b product_id=0104 manufacturer="PiKVM" product="PiKVM Composite Device" serial="CAFEBABE"`,
		Strength: StrengthStrong,
		Evidence: `USB device 1d6b:0104 with manufacturer "PiKVM", product string "PiKVM Composite Device" and serial "CAFEBABE" matches the default identifiers of PiKVM (kvmd OTG gadget); an IP-KVM lets someone elsewhere type on this laptop. Owners can change these identifiers, so their absence proves nothing.`,
	}
	if m == nil || *m != wantMatch {
		t.Errorf("USB 1-2 match = %+v, want %+v", m, wantMatch)
	}

	hd := displayByConnector(t, r, "card0-HDMI-A-1")
	wantDisplay := Display{Connector: "card0-HDMI-A-1", Manufacturer: "LNX", ProductCode: "7773", Name: "PiKVM V4 Plus", Serial: "CAFEBABE"}
	dm := hd.Match
	hd.Match = nil
	if hd != wantDisplay {
		t.Errorf("display = %+v, want %+v", hd, wantDisplay)
	}
	wantDM := Match{
		Device:   "PiKVM V4 Plus",
		Rule:     `edid manufacturer=LNX product_code=7773 name="PiKVM V4 Plus" serial="CAFEBABE"`,
		Strength: StrengthStrong,
		Evidence: `Display card0-HDMI-A-1 with EDID manufacturer LNX, product code 7773, name "PiKVM V4 Plus" and serial "CAFEBABE" matches the default identifiers of PiKVM V4 Plus; an IP-KVM's HDMI capture shows this laptop's screen to someone elsewhere. Owners can change these identifiers, so their absence proves nothing.`,
	}
	if dm == nil || *dm != wantDM {
		t.Errorf("display match = %+v, want %+v", dm, wantDM)
	}
	if p := displayByConnector(t, r, "card0-eDP-1"); p.Match != nil || p.Manufacturer != "BOE" || p.ProductCode != "0a3e" {
		t.Errorf("laptop panel = %+v, want BOE 0a3e without a match", p)
	}
}

func TestScanNanoKVM(t *testing.T) {
	s := newSysfs(t)
	s.base()
	s.usbDevice("3-1", "3346", "1009", "sipeed", "NanoKVM", "0123456789ABCDEF", "03", "03", "03")
	s.connector("card1-HDMI-A-2", "connected", buildEDID(nanoKVMEDID))
	r := scan(t, Config{Root: s.root})

	d := usbByPath(t, r, "3-1")
	if m := d.Match; !d.HID || m == nil || m.Device != "Sipeed NanoKVM" || m.Strength != StrengthStrong ||
		m.Rule != `usb vendor_id=3346 product_id=1009 manufacturer="sipeed" product="NanoKVM" serial="0123456789ABCDEF"` {
		t.Errorf("NanoKVM USB = %+v, match %+v; want HID and a strong match of all its defaults", d, d.Match)
	}
	hd := displayByConnector(t, r, "card1-HDMI-A-2")
	if m := hd.Match; m == nil || m.Device != "Sipeed NanoKVM" || m.Strength != StrengthStrong ||
		m.Rule != `edid manufacturer=SPD product_code=3301 name="NanoKVM" serial="NanoKVM"` {
		t.Errorf("NanoKVM display match = %+v", hd.Match)
	}
}

func TestScanOrdinaryHardware(t *testing.T) {
	s := newSysfs(t)
	s.base()
	s.usbDevice("1-1", "046d", "c31c", "Logitech", "USB Keyboard", "", "03", "03")
	s.usbDevice("1-4.2", "0bda", "8153", "Realtek", "USB 10/100/1000 LAN", "001000001", "ff")
	s.connector("card0-HDMI-A-1", "connected", buildEDID(dellEDID))
	r := scan(t, Config{Root: s.root})

	if len(r.USB) != 2 {
		t.Fatalf("Scan found %d USB devices, want 2: %+v", len(r.USB), r.USB)
	}
	if d := usbByPath(t, r, "1-1"); d.Match != nil || !d.HID || d.VendorID != "046d" || d.ProductID != "c31c" || d.Serial != "" {
		t.Errorf("Logitech keyboard = %+v, match %+v; want HID without a match", d, d.Match)
	}
	if d := usbByPath(t, r, "1-4.2"); d.Match != nil || d.HID {
		t.Errorf("network adapter = %+v, match %+v; want no HID, no match", d, d.Match)
	}
	want := Display{Connector: "card0-HDMI-A-1", Manufacturer: "DEL", ProductCode: "a0a4", Name: "DELL U2415", Serial: "7MT0186B0ABC"}
	if d := displayByConnector(t, r, "card0-HDMI-A-1"); d != want {
		t.Errorf("Dell monitor = %+v, match %+v; want %+v", d, d.Match, want)
	}
}

func TestScanMatchStrength(t *testing.T) {
	s := newSysfs(t)
	// A hobby gadget on the shared Linux Foundation ID.
	s.usbDevice("1-1", "1d6b", "0104", "Raspberry Pi", "My Gadget", "", "03")
	// A PiKVM posing as a Logitech receiver, but for its product string.
	s.usbDevice("1-2", "046d", "c52b", "Logitech", "PiKVM Composite Device", "", "03")
	// A PiKVM posing fully as a Logitech receiver: nothing to see.
	s.usbDevice("1-3", "046d", "c52b", "Logitech", "USB Receiver", "", "03")
	// TinyPilot's defaults, whose product string is generic.
	s.usbDevice("1-4", "1d6b", "0104", "tinypilot", "Multifunction USB Device", "6b65796d696d6570690", "03", "03")
	// PiKVM's Pico HID bridge, by its pid.codes ID only.
	s.usbDevice("1-5", "1209", "eda3", "", "", "", "03")
	// A JetKVM's TC358743 reference EDID.
	s.connector("card0-HDMI-A-1", "connected", buildEDID(testEDID{mfg: "TSB", code: 0x8801, name: "T749-fHD720"}))
	r := scan(t, Config{Root: s.root})

	tests := []struct {
		path, device, strength, rule string
	}{
		{"1-1", "PiKVM (kvmd OTG gadget), TinyPilot or JetKVM", StrengthWeak, `usb vendor_id=1d6b product_id=0104`},
		{"1-2", "PiKVM (kvmd OTG gadget)", StrengthStrong, `usb product="PiKVM Composite Device"`},
		{"1-3", "", "", ""},
		{"1-4", "TinyPilot", StrengthStrong, `usb vendor_id=1d6b product_id=0104 manufacturer="tinypilot" product="Multifunction USB Device" serial="6b65796d696d6570690"`},
		{"1-5", "PiKVM Pico HID", StrengthStrong, `usb vendor_id=1209 product_id=eda3`},
	}
	for _, tt := range tests {
		d := usbByPath(t, r, tt.path)
		var got Match
		if d.Match != nil {
			got = *d.Match
		}
		if got.Device != tt.device || got.Strength != tt.strength || got.Rule != tt.rule {
			t.Errorf("USB %s (%s:%s %q) matched %q %q by %s; want %q %q by %s",
				tt.path, d.VendorID, d.ProductID, d.Product, got.Device, got.Strength, got.Rule, tt.device, tt.strength, tt.rule)
		}
	}
	weak := usbByPath(t, r, "1-1").Match
	const wantWeak = "USB device 1d6b:0104 matches the default identifiers of PiKVM (kvmd OTG gadget), TinyPilot or JetKVM, but only weakly: other devices share these identifiers. An IP-KVM lets someone elsewhere type on this laptop. Owners can change these identifiers, so their absence proves nothing."
	if weak.Evidence != wantWeak {
		t.Errorf("weak evidence = %q, want %q", weak.Evidence, wantWeak)
	}
	if m := displayByConnector(t, r, "card0-HDMI-A-1").Match; m == nil || m.Device != "JetKVM" || m.Strength != StrengthStrong {
		t.Errorf("TC358743 EDID match = %+v, want strong JetKVM", m)
	}
}

// TestDefaultRulesFire builds, for every default rule, a device that has
// exactly the rule's identifiers and checks that it matches.
func TestDefaultRulesFire(t *testing.T) {
	ids := DefaultIdentifiers()
	for _, id := range ids {
		var m *Match
		if id.Kind == KindUSB {
			d := USBDevice{Path: "1-1", VendorID: id.VendorID, ProductID: id.ProductID, Manufacturer: id.Manufacturer, Product: id.Product, Serial: id.Serial}
			if d.VendorID == "" {
				d.VendorID = "ffff"
			}
			if d.ProductID == "" {
				d.ProductID = "ffff"
			}
			m = matchUSB(ids, d)
		} else {
			mfg := id.Manufacturer
			if mfg == "" {
				mfg = "ZZZ"
			}
			m = matchDisplay(ids, Display{Connector: "card0-HDMI-A-1", Manufacturer: mfg, ProductCode: id.ProductID, Name: id.Product, Serial: id.Serial})
		}
		if m == nil || !strings.Contains(m.Device, id.Device) {
			t.Errorf("a device with exactly %s matched %+v, want %s", id.Rule(), m, id.Device)
			continue
		}
		if id.Strength == StrengthStrong && m.Strength != StrengthStrong {
			t.Errorf("a device with exactly %s matched only weakly: %+v", id.Rule(), m)
		}
		checkMatch(t, id.Rule(), m)
	}
}

func TestScanExtraIdentifiers(t *testing.T) {
	s := newSysfs(t)
	s.usbDevice("2-1", "abcd", "0001", "Acme", "Remote Hands", "", "03")
	s.usbDevice("2-2", "1d6b", "0104", "PiKVM", "PiKVM Composite Device", "", "03")
	path := filepath.Join(t.TempDir(), "kvm.csv")
	if err := os.WriteFile(path, []byte(header+"\nAcme KVM,usb,abcd,0001,,,,strong,inventory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := scan(t, Config{Root: s.root, ExtraIdentifiers: path})
	m := usbByPath(t, r, "2-1").Match
	if m == nil || m.Device != "Acme KVM" || !strings.Contains(m.Evidence, `identifiers listed in "`+path+`" for Acme KVM`) {
		t.Errorf("Acme match = %+v, want Acme KVM from %s", m, path)
	}
	if m := usbByPath(t, r, "2-2").Match; m == nil || m.Device != "PiKVM (kvmd OTG gadget)" {
		t.Errorf("defaults still apply: PiKVM match = %+v", m)
	}

	if err := os.WriteFile(path, []byte(header+"\nAcme KVM,usb,abcd,0001,,,,very,inventory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Scan(t.Context(), Config{Root: s.root, ExtraIdentifiers: path})
	if err == nil || !strings.Contains(err.Error(), path+": line 2 column strength") {
		t.Errorf("Scan with a bad identifiers file = %v, want the path, line and column", err)
	}
}

func TestScanBadSysfs(t *testing.T) {
	s := newSysfs(t)
	s.usbDevice("1-1", "046d", "c31c", "Logitech", "USB Keyboard", "", "03")
	s.usbDevice("1-2", "zz", "0104", "", "", "")                   // bad idVendor
	s.write("sys/bus/usb/devices/1-3/idVendor", "1d6b\n")          // no idProduct: unplugged mid-scan
	s.write("sys/bus/usb/devices/1-4:1.0/bInterfaceClass", "03\n") // interface of a device that is gone
	bad := buildEDID(dellEDID)
	bad[100]++
	s.connector("card0-HDMI-A-1", "connected", bad)
	s.connector("card0-HDMI-A-2", "disconnected", buildEDID(dellEDID)) // stale EDID
	s.connector("card0-DP-1", "connected", buildEDID(nanoKVMEDID))

	var logs bytes.Buffer
	r := scan(t, Config{Root: s.root, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if len(r.USB) != 1 || r.USB[0].Path != "1-1" {
		t.Errorf("USB = %+v, want only 1-1", r.USB)
	}
	if len(r.Displays) != 1 || r.Displays[0].Connector != "card0-DP-1" {
		t.Errorf("displays = %+v, want only card0-DP-1", r.Displays)
	}
	for _, want := range []string{
		`msg="unreadable usb device" path=1-2`,
		`msg="bad edid" connector=card0-HDMI-A-1 err="EDID checksum at byte 127`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestScanCanceled(t *testing.T) {
	s := newSysfs(t)
	s.base()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Scan(ctx, Config{Root: s.root}); err != context.Canceled {
		t.Errorf("Scan(canceled) = %v, want context.Canceled", err)
	}
}

// TestScanLive scans this machine's sysfs. A container may have no USB bus
// or DRM; Scan must still succeed.
func TestScanLive(t *testing.T) {
	r, err := Scan(t.Context(), Config{Root: "/"})
	if err != nil {
		t.Fatalf("Scan(/) = %v", err)
	}
	for _, d := range r.USB {
		checkMatch(t, d.Path, d.Match)
		t.Logf("USB %s %s:%s %q %q HID=%v match=%+v", d.Path, d.VendorID, d.ProductID, d.Manufacturer, d.Product, d.HID, d.Match)
	}
	for _, d := range r.Displays {
		checkMatch(t, d.Connector, d.Match)
		t.Logf("display %s %s %s %q match=%+v", d.Connector, d.Manufacturer, d.ProductCode, d.Name, d.Match)
	}
	t.Logf("%d USB devices, %d displays", len(r.USB), len(r.Displays))
}

// TestScanLiveLsusb compares the USB devices Scan finds on this machine
// with lsusb's list, less the root hubs Scan leaves out.
func TestScanLiveLsusb(t *testing.T) {
	if _, err := os.Stat("/sys/bus/usb/devices"); err != nil {
		t.Skip("no USB bus in sysfs here: ", err)
	}
	lsusb, err := exec.LookPath("lsusb")
	if err != nil {
		t.Skip("lsusb not installed")
	}
	out, err := exec.CommandContext(t.Context(), lsusb).Output()
	if err != nil {
		t.Skipf("lsusb: %v", err)
	}
	r, err := Scan(t.Context(), Config{Root: "/"})
	if err != nil {
		t.Fatalf("Scan(/) = %v", err)
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		if !strings.Contains(line, "ID 1d6b:000") { // root hubs 1d6b:0001 to 0003
			n++
		}
	}
	if n != len(r.USB) {
		t.Errorf("Scan found %d USB devices, lsusb %d besides root hubs:\n%s", len(r.USB), n, out)
	}
}
