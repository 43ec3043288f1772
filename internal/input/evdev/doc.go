// Package evdev reads the timing of key strokes from Linux keyboards
// through evdev (/dev/input/event*), and never which keys were struck.
//
// A [Reader] finds keyboards under its root (Config.Root, "/" in
// production, a fixture tree in tests): it lists dev/input/event* and
// reads each device's sysfs entry, sys/class/input/eventN/device/ (name,
// phys, id/bustype, id/vendor, id/product, capabilities/key and the path
// the entry resolves to). A device is a keyboard when its key capability
// bitmap has at least 20 of the 26 letter keys; mice, power buttons and
// media-key devices have none. [Keyboards] lists them for the agent's
// status command without opening them.
//
// # Provenance
//
// A device whose sysfs path lies under /sys/devices/virtual/ was created
// by software (uinput, or uhid) and is [keystroke.ProvVirtual] whatever bus
// type it claims, as is one with bus type BUS_VIRTUAL. The exception is a
// uhid device on the Bluetooth bus: BlueZ runs Bluetooth LE keyboards
// through uhid, so it is taken as physical. A device whose path runs
// through a USB controller, the i8042 (PS/2, laptop) controller or a
// Bluetooth adapter, or that sits on another hardware bus (i2c, spi, ...),
// is [keystroke.ProvPhysical]; anything else is [keystroke.ProvUnknown].
// The bus a device claims and its phys string are logged when it is
// opened, so a virtual device posing as a USB keyboard shows in the log.
//
// # What is kept and what is dropped
//
// Each device is opened read-only and non-blocking and is never grabbed
// (no EVIOCGRAB): the desktop keeps receiving every key. The reader sets
// the device's clock to CLOCK_MONOTONIC (EVIOCSCLOCKID), so timestamps are
// microseconds since boot on a clock that does not jump; a regular file
// or a pipe at the node's path (a recorded stream in tests) is read as it
// is. Records are struct input_event in the kernel's layout (24 bytes on
// 64-bit kernels, 16 on 32-bit ones, native byte order).
//
// Per device, a fixed table indexed by key code pairs each press (value 1)
// with its release (value 0) and counts autorepeats (value 2) in between.
// At the release the reader emits a [keystroke.Event]: press and release
// times, the coarse class of the key ([keystroke.ClassOfLinux]), the
// device's provenance and number, and the repeat count. The key code is
// dropped there: no exported name, returned value, log line or error of
// this package carries it. Also dropped: every non-key event (EV_SYN,
// EV_MSC including the hardware scan code MSC_SCAN, EV_LED, EV_REL, EV_ABS,
// ...), codes from 0x100 on (BTN_* mouse and joystick buttons and the
// extended remote-control and media keys), a release whose press was not
// seen, a key still down when the device goes away, and everything the
// kernel reports lost (SYN_DROPPED) up to the next SYN_REPORT.
//
// # Hot-plug and concurrency
//
// [Reader.Run] reads each keyboard in a goroutine it owns and lists
// dev/input again every Config.Rescan (5 s by default) for new ones. A
// keyboard it cannot open, usually for lack of permission, is logged once
// and skipped. Run returns when its context is done and all its goroutines
// have ended; calls to its emit function never overlap.
package evdev
