package keystroke

import (
	"fmt"
	"time"
)

// Class is a coarse key class. The set is fixed and small on purpose:
// all letters are one class, all digits another, so a sequence of classes
// cannot spell anything.
type Class uint8

// The key classes. NumClasses is their count.
const (
	ClassOther       Class = iota // anything not below (media keys, unknown codes)
	ClassLetter                   // A–Z and letters of other layouts
	ClassDigit                    // 0–9 on the main row and the keypad
	ClassSpace                    // space bar
	ClassEnter                    // Enter, keypad Enter
	ClassBackspace                // Backspace, Delete
	ClassModifier                 // Shift, Ctrl, Alt, Meta, AltGr, Caps Lock
	ClassNavigation               // arrows, Home, End, Page Up/Down, Tab, Escape, Insert
	ClassPunctuation              // punctuation and symbol keys
	ClassFunction                 // F1–F24
	NumClasses
)

var classNames = [NumClasses]string{
	"other", "letter", "digit", "space", "enter", "backspace",
	"modifier", "navigation", "punctuation", "function",
}

// String returns the class's name as it appears on the wire.
func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// ParseClass returns the class with the given wire name.
func ParseClass(s string) (Class, error) {
	for i, n := range classNames {
		if n == s {
			return Class(i), nil
		}
	}
	return 0, fmt.Errorf("unknown key class %q", s)
}

// Provenance says where input came from, as far as the operating system
// can tell.
type Provenance uint8

// The provenances, from least to most telling. NumProvenances is their count.
const (
	// ProvUnknown: the reader could not tell.
	ProvUnknown Provenance = iota
	// ProvPhysical: a hardware device on a physical bus (USB, i8042/PS/2,
	// Bluetooth). An IP-KVM's USB HID gadget is physical from the laptop's
	// side; only its identifiers (package endpoint) can give it away.
	ProvPhysical
	// ProvVirtual: a software device such as uinput (remote-desktop servers
	// and input tools create these).
	ProvVirtual
	// ProvInjected: synthesised by software inside the display server,
	// such as X11's XTEST, which VNC servers and xdotool use.
	ProvInjected
	NumProvenances
)

var provenanceNames = [NumProvenances]string{"unknown", "physical", "virtual", "injected"}

// String returns the provenance's name as it appears on the wire.
func (p Provenance) String() string {
	if p < NumProvenances {
		return provenanceNames[p]
	}
	return fmt.Sprintf("provenance(%d)", uint8(p))
}

// ParseProvenance returns the provenance with the given wire name.
func ParseProvenance(s string) (Provenance, error) {
	for i, n := range provenanceNames {
		if n == s {
			return Provenance(i), nil
		}
	}
	return 0, fmt.Errorf("unknown input provenance %q", s)
}

// Event is one key stroke: when the key went down and when it came up, on
// the reader's monotonic clock, its coarse class and where it came from.
// Repeats counts auto-repeat events while the key was held. There is, by
// design, no key code.
type Event struct {
	Press   time.Duration // monotonic time of the press (offset from an arbitrary origin)
	Release time.Duration // monotonic time of the release, >= Press
	Class   Class
	Prov    Provenance
	Device  uint16 // reader-local device number, an index into the reader's device list
	Repeats uint16
}

// Hold returns how long the key was held down.
func (e Event) Hold() time.Duration { return e.Release - e.Press }

// Device describes an input device a reader sees, without anything typed
// on it.
type Device struct {
	Number    uint16     // reader-local number used in Event.Device
	Source    string     // the reader: "evdev" or "x11"
	Name      string     // as the kernel or X server names it
	Prov      Provenance // physical, virtual, injected or unknown
	Bus       string     // "usb", "i8042", "bluetooth", "virtual", "xtest", ...
	VendorID  uint16     // USB/Bluetooth vendor ID, 0 when none
	ProductID uint16     // product ID, 0 when none
	Path      string     // device node or X device ID, e.g. "/dev/input/event3" or "xi2:12"
}
