// Package hardware finds IP-KVM and video-capture hardware attached to a
// Linux machine. An IP-KVM (PiKVM, TinyPilot, JetKVM, Sipeed NanoKVM,
// GL.iNet Comet...) plugs into the laptop twice: as a USB keyboard and mouse,
// usually a Linux USB gadget, through which someone elsewhere types; and as
// a display on an HDMI port, whose capture shows them the screen. Neither
// needs software on the laptop, but both leave identifiers the kernel
// exposes in sysfs.
//
// [Scan] lists the USB devices of /sys/bus/usb/devices (vendor and product
// IDs, manufacturer, product and serial strings, whether a HID interface is
// present) and the displays of /sys/class/drm/*/edid, decoded by
// [ParseEDID], and matches each against rules of known identifiers.
//
// # Identifiers
//
// The rules ([Identifier]) are the vendors' defaults, embedded from
// identifiers.csv, which gen/ generates from lagwatch's compiled table of
// values read in the vendors' public sources (pikvm/kvmd, sipeed/NanoKVM,
// gl-inet/glkvm: GPL-3.0; tiny-pilot/tinypilot: MIT; jetkvm/kvm: GPL-2.0;
// facts only, no code). Config.ExtraIdentifiers adds an owner's rules in the
// same CSV format. A rule matches when all its fields match, and is strong
// or weak: a VID:PID alone such as 1d6b:0104, the Linux Foundation's
// Multifunction Composite Gadget that PiKVM, TinyPilot and JetKVM default to
// and any hobby gadget may use, is weak; the same VID:PID with the product
// string "PiKVM Composite Device" is strong. The best rule that fires is
// reported as a [Match] with a sentence of evidence.
//
// Every identifier is a default the owner can change (PiKVM and JetKVM
// document how to pose as a Logitech keyboard or a real monitor), so a match
// is strong evidence and a miss proves nothing; each evidence sentence says
// so. A KVM built on a USB capture dongle shows the dongle's EDID, not the
// ones here.
//
// # Concurrency
//
// Every function is safe for concurrent use. Scan reads sysfs once per call
// and keeps no state.
package hardware
