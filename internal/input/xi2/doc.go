// Package xi2 reads key-stroke timing from an X11 display through the
// XInput 2 extension's raw events, which report input from every device,
// including input injected with XTEST: what x11vnc, x0vncserver, xdotool
// and most X11 remote-control tools use. It is a small X11 client of its
// own, in pure Go, because XInput 2 events do not fit the 32-byte events
// that general X11 libraries for Go decode.
//
// Typical use:
//
//	r, err := xi2.Open(ctx, xi2.Config{Logger: log}) // $DISPLAY, $XAUTHORITY
//	...
//	err = r.Run(ctx, func(e keystroke.Event) { ... })
//	devs := r.Devices() // e.Device indexes this list
//
// # What it keeps and drops
//
// The reader selects XI_RawKeyPress and XI_RawKeyRelease on the master
// devices (each stroke arrives once, with the slave device it came from)
// and XI_HierarchyChanged. It pairs presses and releases per source
// device and key code and emits one [keystroke.Event] at the release:
// press and release time, the key's coarse class (X key codes on Linux
// are evdev codes plus 8, see [keystroke.ClassOfLinux]), the number of
// repeats while the key was held, and the source device. The key code
// lives only in the pairing table until the release and appears in no
// exported value, log line or error. Pointer input is not selected.
//
// Times are the X server's timestamps: milliseconds, so holds and flights
// have 1 ms resolution, 32 bits wide and wrapping every 49.7 days, which
// the reader unwraps across consecutive events. On a Linux X server they
// are CLOCK_MONOTONIC in milliseconds, so a server on the same machine
// shares its origin with the kernel's input timestamps, modulo 2^32 ms.
// Events are timed when the server generates them, not when the reader
// gets them, so a slow reader does not distort them.
//
// # Provenance and what the X server cannot tell
//
//   - A source device whose name contains "XTEST" (the server makes one
//     per master, "Virtual core XTEST keyboard") is [keystroke.ProvInjected],
//     bus "xtest". This is certain: only XTEST requests drive it. It does
//     not say which program sent them.
//   - A device the server reads from a kernel input node (its "Device
//     Node" property, set by the libinput and evdev drivers of Xorg) is
//     looked up in sysfs when the display is on this machine: a node under
//     /sys/devices/virtual (uinput, used by remote-desktop servers and
//     tools such as ydotool) is [keystroke.ProvVirtual], any other
//     [keystroke.ProvPhysical] with the kernel's bus ("usb", "i8042",
//     "bluetooth", ...), and the "Device Product ID" property gives the
//     vendor and product IDs. An IP-KVM's USB keyboard is physical here.
//   - Every other device is [keystroke.ProvUnknown]: devices a server makes
//     up itself (Xvfb's "Xvfb keyboard", the keyboards of Xvnc, xrdp or
//     Xwayland, whose input comes from a remote client or a compositor)
//     and kernel devices of a remote display.
//
// Floating slave devices (detached from every master) are listed but not
// read: their raw events are not delivered through the masters, and what
// is typed on them reaches no ordinary window. Keys already down when the
// reader starts, and strokes from a server that has not finished
// reporting a new device, are handled conservatively: the first are
// dropped, the second held briefly and then emitted with what is known.
//
// # Connection
//
// [Open] connects to the display ("[host]:N[.S]": the unix socket
// /tmp/.X11-unix/XN, or TCP port 6000+N), authenticating with the
// MIT-MAGIC-COOKIE-1 cookie for it from the Xauthority file if there is
// one. Every length the server sends is bounded (1 MiB per reply, 64 KiB
// per event, 1,024 devices) and checked before use; a server that breaks
// the limits gets an error naming the field, and the reader stops.
//
// # Concurrency
//
// [Reader.Run] calls emit from its own goroutine and returns when its
// context is done, closing the connection to unblock its read; no
// goroutine outlives it. [Reader.Devices] and [Reader.Name] may be called
// from any goroutine at any time.
package xi2
