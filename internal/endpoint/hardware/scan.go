package hardware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Limits of what Scan reads from sysfs.
const (
	maxAttrLen = 4096 // a sysfs attribute is at most a page
	maxNameLen = 256  // of a string reported, as package wire allows
)

// Config configures [Scan].
type Config struct {
	// Root is the file-system root under which sys/ is read: "/" (or
	// empty) on a live system, a fixture tree in tests.
	Root string
	// ExtraIdentifiers is an optional identifiers file (see
	// [ReadIdentifiers]) whose rules are matched after the defaults.
	ExtraIdentifiers string
	// Logger receives warnings about devices that cannot be read; nil
	// discards them.
	Logger *slog.Logger
}

// Report is what [Scan] found.
type Report struct {
	USB      []USBDevice
	Displays []Display
}

// USBDevice is a device on the USB bus, from
// /sys/bus/usb/devices/<Path>. Strings are as the device reports them, at
// most 256 bytes, with invalid UTF-8 replaced.
type USBDevice struct {
	Path         string // sysfs bus path such as "1-1.2"
	VendorID     string // idVendor, 4 lower-case hex digits
	ProductID    string // idProduct, 4 lower-case hex digits
	Manufacturer string
	Product      string
	Serial       string
	HID          bool   // has a HID interface (keyboard, mouse): bInterfaceClass 03
	Match        *Match // set when it matches a known IP-KVM
}

// Display is a display attached to a DRM connector, from
// /sys/class/drm/<Connector>/edid.
type Display struct {
	Connector    string // DRM connector such as "card0-HDMI-A-1"
	Manufacturer string // three-letter PNP ID
	ProductCode  string // 4 lower-case hex digits
	Name         string // monitor name descriptor
	Serial       string // monitor serial descriptor, else the serial number in decimal
	Match        *Match // set when it matches a known IP-KVM or capture device
}

// Scan lists the USB devices and the displays attached to the machine and
// matches them against the default identifiers and those of
// Config.ExtraIdentifiers. A machine without a USB bus or DRM in sysfs
// (a container) yields an empty Report. A device or display that cannot be
// read, such as one unplugged during the scan or with a corrupt EDID, is
// logged and left out. Scan fails when the identifiers file is bad, sysfs
// cannot be listed, or ctx ends.
func Scan(ctx context.Context, cfg Config) (Report, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	root := cfg.Root
	if root == "" {
		root = "/"
	}
	ids := DefaultIdentifiers()
	if cfg.ExtraIdentifiers != "" {
		extra, err := LoadIdentifiers(cfg.ExtraIdentifiers)
		if err != nil {
			return Report{}, err
		}
		ids = append(ids, extra...)
	}
	usb, err := scanUSB(ctx, filepath.Join(root, "sys/bus/usb/devices"), log)
	if err != nil {
		return Report{}, err
	}
	displays, err := scanDisplays(ctx, filepath.Join(root, "sys/class/drm"), log)
	if err != nil {
		return Report{}, err
	}
	for i := range usb {
		usb[i].Match = matchUSB(ids, usb[i])
	}
	for i := range displays {
		displays[i].Match = matchDisplay(ids, displays[i])
	}
	return Report{USB: usb, Displays: displays}, nil
}

// listDir lists dir; a missing dir is empty.
func listDir(dir string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return ents, nil
}

// isUSBDevice reports whether a /sys/bus/usb/devices entry is a device
// such as "1-1" or "3-2.4.1", not a root hub ("usb1") or an interface
// ("1-1:1.0").
func isUSBDevice(name string) bool {
	bus, ports, ok := strings.Cut(name, "-")
	if !ok || !isDigits(bus) {
		return false
	}
	for p := range strings.SplitSeq(ports, ".") {
		if !isDigits(p) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func scanUSB(ctx context.Context, dir string, log *slog.Logger) ([]USBDevice, error) {
	ents, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	hid := map[string]bool{}
	var devices []USBDevice
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if dev, _, ok := strings.Cut(name, ":"); ok {
			class, err := readAttr(filepath.Join(dir, name, "bInterfaceClass"))
			if err == nil && class == "03" {
				hid[dev] = true
			}
			continue
		}
		if !isUSBDevice(name) {
			continue
		}
		d, err := readUSBDevice(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // unplugged during the scan
		}
		if err != nil {
			log.Warn("unreadable usb device", "path", name, "err", err)
			continue
		}
		d.Path = name
		devices = append(devices, d)
	}
	for i := range devices {
		devices[i].HID = hid[devices[i].Path]
	}
	return devices, nil
}

func readUSBDevice(dir string) (USBDevice, error) {
	var d USBDevice
	var err error
	if d.VendorID, err = readHexAttr(dir, "idVendor"); err != nil {
		return d, err
	}
	if d.ProductID, err = readHexAttr(dir, "idProduct"); err != nil {
		return d, err
	}
	for _, a := range []struct {
		name string
		v    *string
	}{{"manufacturer", &d.Manufacturer}, {"product", &d.Product}, {"serial", &d.Serial}} {
		s, err := readAttr(filepath.Join(dir, a.name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // devices without the string lack the file
			return d, err
		}
		*a.v = clip(strings.ToValidUTF8(s, "\uFFFD"), maxNameLen)
	}
	return d, nil
}

// readHexAttr reads an attribute of 4 hex digits, such as idVendor.
func readHexAttr(dir, name string) (string, error) {
	s, err := readAttr(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	s = strings.ToLower(s)
	if err := checkHex(s); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Join(dir, name), err)
	}
	return s, nil
}

// readAttr reads a sysfs attribute without its trailing newline.
func readAttr(path string) (string, error) {
	b, err := readLimited(path, maxAttrLen)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// readLimited reads at most limit+1 bytes of path, so that a caller can
// tell a file longer than limit.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

func scanDisplays(ctx context.Context, dir string, log *slog.Logger) ([]Display, error) {
	ents, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	var displays []Display
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		conn := e.Name()
		b, err := readLimited(filepath.Join(dir, conn, "edid"), maxEDIDLen)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue // not a connector: card0, renderD128, version
		}
		if err != nil {
			log.Warn("unreadable edid", "connector", conn, "err", err)
			continue
		}
		if len(b) == 0 {
			continue // nothing attached
		}
		if status, err := readAttr(filepath.Join(dir, conn, "status")); err == nil && status == "disconnected" {
			continue
		}
		edid, err := ParseEDID(b)
		if err != nil {
			log.Warn("bad edid", "connector", conn, "err", err)
			continue
		}
		d := Display{
			Connector:    conn,
			Manufacturer: edid.Manufacturer,
			ProductCode:  fmt.Sprintf("%04x", edid.ProductCode),
			Name:         edid.Name,
			Serial:       edid.Serial,
		}
		if d.Serial == "" && edid.SerialNumber != 0 {
			d.Serial = strconv.FormatUint(uint64(edid.SerialNumber), 10)
		}
		displays = append(displays, d)
	}
	return displays, nil
}
