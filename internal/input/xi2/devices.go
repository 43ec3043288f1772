package xi2

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Device properties the Xorg input drivers (libinput, evdev) set on
// devices they read from the kernel. Servers without such drivers (Xvfb,
// Xvnc, xrdp) have no such atoms, or leave them unset.
const (
	propDeviceNode = "Device Node"       // STRING, e.g. "/dev/input/event3"
	propProductID  = "Device Product ID" // INTEGER[2]: vendor, product
)

// maxKnownDevices bounds the reader's device list, which only grows
// (Event.Device indexes it). A server that churns devices past it gets
// its further devices folded into one "overflow" entry.
const maxKnownDevices = 1024

// isKeyboard reports whether a device can be the source of raw key
// events: a slave keyboard, or any non-master device with keys.
func isKeyboard(d deviceInfo) bool {
	switch d.use {
	case useMasterPointer, useMasterKeyboard:
		return false
	case useSlaveKeyboard:
		return true
	}
	return d.hasKeys
}

// isXTEST reports whether a device is one of the X server's XTEST devices,
// through which the XTEST extension (xdotool, x11vnc, x0vncserver, most
// X11 remote-control tools) injects input. The server names them
// "<master> XTEST keyboard", e.g. "Virtual core XTEST keyboard".
func isXTEST(name string) bool { return strings.Contains(name, "XTEST") }

// newDevice returns the keystroke.Device for an XI2 device as far as its
// name tells: XTEST devices are injected, everything else unknown until
// its properties say more (see applyNode).
func newDevice(number int, id uint16, name string) keystroke.Device {
	d := keystroke.Device{
		Number: uint16(number),
		Source: "x11",
		Name:   name,
		Prov:   keystroke.ProvUnknown,
		Path:   "xi2:" + strconv.Itoa(int(id)),
	}
	if isXTEST(name) {
		d.Prov, d.Bus = keystroke.ProvInjected, "xtest"
	}
	return d
}

// applyNode refines a device the X server reads from a kernel input node.
// Only when the X server runs on this machine (local) does sysfs describe
// the same node: a node under /sys/devices/virtual is a uinput device
// (ProvVirtual); any other is hardware on the bus sysfs names
// (ProvPhysical). Otherwise a kernel node says the device is not XTEST
// and not made up inside the server, which is all: it may still be
// uinput, so it stays unknown.
func applyNode(d *keystroke.Device, node string, local bool, sysfs string) {
	base := filepath.Base(node)
	num, ok := strings.CutPrefix(base, "event")
	if !ok || node != "/dev/input/"+base || num == "" || strings.Trim(num, "0123456789") != "" {
		return
	}
	if !local {
		return
	}
	dir := filepath.Join(sysfs, "class", "input", base, "device")
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return
	}
	if strings.HasPrefix(real, filepath.Join(sysfs, "devices", "virtual")+"/") {
		d.Prov, d.Bus = keystroke.ProvVirtual, "virtual"
		return
	}
	d.Prov = keystroke.ProvPhysical
	if b, err := os.ReadFile(filepath.Join(dir, "id", "bustype")); err == nil {
		d.Bus = busName(strings.TrimSpace(string(b)))
	}
}

// busName names a Linux input bus type (linux/input.h BUS_*), given in
// hex as sysfs shows it.
func busName(hex string) string {
	v, err := strconv.ParseUint(hex, 16, 16)
	if err != nil {
		return ""
	}
	switch v {
	case 0x03:
		return "usb"
	case 0x05:
		return "bluetooth"
	case 0x06:
		return "virtual"
	case 0x11:
		return "i8042"
	case 0x18:
		return "i2c"
	case 0x19:
		return "host"
	}
	return fmt.Sprintf("bus-%#02x", v)
}
