package xi2

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The client speaks little-endian ('l') X11, so every multi-byte field on
// the wire is little-endian, except in the Xauthority file (big-endian).
var le = binary.LittleEndian

// Limits on what the server may send. Anything longer is refused with an
// error naming the field and the limit rather than allocated.
const (
	// maxReplyBody bounds the bytes after a reply's 32-byte header. The
	// largest reply this client asks for is XIQueryDevice, a few hundred
	// bytes per device.
	maxReplyBody = 1 << 20
	// maxEventBody bounds the bytes after a generic event's first 32
	// bytes. Raw key events have a few dozen; hierarchy events 12 per
	// device.
	maxEventBody = 64 << 10
	// maxDevices bounds the devices in an XIQueryDevice reply and the
	// entries in a hierarchy event.
	maxDevices = 1024
	// maxNameLen bounds a device name; longer names are cut.
	maxNameLen = 256
)

// Core protocol numbers (X Window System Protocol, X11R7).
const (
	msgError   = 0
	msgReply   = 1
	msgGeneric = 35 // GenericEvent, used by XI2 for everything

	opInternAtom     = 16
	opQueryExtension = 98
)

// XInput 2 numbers (XI2proto.txt, XI2.h).
const (
	xiChangeHierarchy = 43
	xiSelectEvents    = 46
	xiQueryVersion    = 47
	xiQueryDevice     = 48
	xiGetProperty     = 59

	xiAllDevices       = 0
	xiAllMasterDevices = 1

	evHierarchyChanged = 11
	evRawKeyPress      = 13
	evRawKeyRelease    = 14

	xiKeyRepeat = 1 << 16 // raw and device event flag

	useMasterPointer  = 1
	useMasterKeyboard = 2
	useSlavePointer   = 3
	useSlaveKeyboard  = 4
	useFloatingSlave  = 5

	classKey = 0
)

// errTruncated is wrapped by decoders when the input ends early.
var errTruncated = errors.New("truncated")

func pad4(n int) int { return (n + 3) &^ 3 }

// setupInfo is what the client keeps from the connection setup reply.
type setupInfo struct {
	major, minor uint16
	idBase       uint32
	idMask       uint32
	vendor       string
	root         uint32 // root window of screen 0
	screens      int
}

// setupStatus values of the first byte of the setup reply.
const (
	setupFailed       = 0
	setupSuccess      = 1
	setupAuthenticate = 2
)

// setupBodyLen returns how many bytes follow the 8-byte setup reply
// header. The length field is 16 bits, so at most 262,140.
func setupBodyLen(hdr []byte) int { return int(le.Uint16(hdr[6:])) * 4 }

// decodeSetup decodes a whole connection setup reply: the 8-byte header
// and the body setupBodyLen announced. A refusal becomes an error carrying
// the server's reason.
func decodeSetup(b []byte) (setupInfo, error) {
	var s setupInfo
	if len(b) < 8 {
		return s, fmt.Errorf("setup reply: %d bytes, want at least 8: %w", len(b), errTruncated)
	}
	if n := setupBodyLen(b); len(b)-8 != n {
		return s, fmt.Errorf("setup reply: body of %d bytes, header says %d", len(b)-8, n)
	}
	switch b[0] {
	case setupFailed:
		n := int(b[1])
		if 8+n > len(b) {
			return s, fmt.Errorf("setup refused: reason length %d exceeds reply (%d bytes)", n, len(b))
		}
		return s, fmt.Errorf("setup refused by X server (protocol %d.%d): %s",
			le.Uint16(b[2:]), le.Uint16(b[4:]), printable(b[8:8+n]))
	case setupAuthenticate:
		return s, fmt.Errorf("setup refused by X server: further authentication required: %s", printable(b[8:]))
	case setupSuccess:
	default:
		return s, fmt.Errorf("setup reply: status %d, want 0, 1 or 2", b[0])
	}
	const fixed = 40 // header and fixed part of a successful reply
	if len(b) < fixed {
		return s, fmt.Errorf("setup reply: %d bytes, want at least %d: %w", len(b), fixed, errTruncated)
	}
	s.major, s.minor = le.Uint16(b[2:]), le.Uint16(b[4:])
	s.idBase, s.idMask = le.Uint32(b[12:]), le.Uint32(b[16:])
	vlen := int(le.Uint16(b[24:]))
	s.screens = int(b[28])
	nformats := int(b[29])
	if s.major != 11 {
		return s, fmt.Errorf("setup reply: protocol major version %d, want 11", s.major)
	}
	off := fixed + pad4(vlen)
	if off > len(b) {
		return s, fmt.Errorf("setup reply: vendor length %d exceeds reply (%d bytes)", vlen, len(b))
	}
	s.vendor = printable(b[fixed : fixed+vlen])
	off += 8 * nformats
	if s.screens == 0 {
		return s, errors.New("setup reply: no screens")
	}
	const screenFixed = 40
	if off+screenFixed > len(b) {
		return s, fmt.Errorf("setup reply: screen 0 at offset %d exceeds reply (%d bytes)", off, len(b))
	}
	s.root = le.Uint32(b[off:])
	if s.idMask == 0 {
		return s, errors.New("setup reply: resource ID mask is 0")
	}
	return s, nil
}

// printable returns b as a string with anything but printable ASCII
// replaced, cut at maxNameLen bytes: server-supplied text goes into errors
// and logs.
func printable(b []byte) string {
	if len(b) > maxNameLen {
		b = b[:maxNameLen]
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c == 0:
			// Names and reasons are often NUL-padded.
		case c < 0x20 || c > 0x7e:
			out = append(out, '?')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// setupRequest encodes the connection setup request, little-endian,
// protocol 11.0, with the given authorization (both empty for none).
func setupRequest(authName string, authData []byte) []byte {
	b := make([]byte, 12, 12+pad4(len(authName))+pad4(len(authData)))
	b[0] = 'l'
	le.PutUint16(b[2:], 11)
	le.PutUint16(b[4:], 0)
	le.PutUint16(b[6:], uint16(len(authName)))
	le.PutUint16(b[8:], uint16(len(authData)))
	b = append(b, authName...)
	b = append(b, make([]byte, pad4(len(authName))-len(authName))...)
	b = append(b, authData...)
	b = append(b, make([]byte, pad4(len(authData))-len(authData))...)
	return b
}

// xError is a decoded X error.
type xError struct {
	code  uint8
	seq   uint16
	value uint32
	major uint8
	minor uint16
}

var errorNames = [...]string{
	1: "BadRequest", 2: "BadValue", 3: "BadWindow", 4: "BadPixmap", 5: "BadAtom",
	6: "BadCursor", 7: "BadFont", 8: "BadMatch", 9: "BadDrawable", 10: "BadAccess",
	11: "BadAlloc", 12: "BadColormap", 13: "BadGContext", 14: "BadIDChoice",
	15: "BadName", 16: "BadLength", 17: "BadImplementation",
}

// Error names the X error, the request that caused it and its value.
func (e xError) Error() string {
	name := fmt.Sprintf("error %d", e.code)
	if int(e.code) < len(errorNames) && errorNames[e.code] != "" {
		name = errorNames[e.code]
	}
	return fmt.Sprintf("X %s (request %d.%d, value %d)", name, e.major, e.minor, e.value)
}

func decodeError(h []byte) xError {
	return xError{code: h[1], seq: le.Uint16(h[2:]), value: le.Uint32(h[4:]), minor: le.Uint16(h[8:]), major: h[10]}
}

// request encoders. Each returns one complete request.

func queryExtensionReq(name string) []byte {
	b := make([]byte, 8+pad4(len(name)))
	b[0] = opQueryExtension
	le.PutUint16(b[2:], uint16(len(b)/4))
	le.PutUint16(b[4:], uint16(len(name)))
	copy(b[8:], name)
	return b
}

func internAtomReq(name string, onlyIfExists bool) []byte {
	b := make([]byte, 8+pad4(len(name)))
	b[0] = opInternAtom
	if onlyIfExists {
		b[1] = 1
	}
	le.PutUint16(b[2:], uint16(len(b)/4))
	le.PutUint16(b[4:], uint16(len(name)))
	copy(b[8:], name)
	return b
}

func xiQueryVersionReq(op uint8, major, minor uint16) []byte {
	b := make([]byte, 8)
	b[0], b[1] = op, xiQueryVersion
	le.PutUint16(b[2:], 2)
	le.PutUint16(b[4:], major)
	le.PutUint16(b[6:], minor)
	return b
}

// evMask is one device's event mask for XISelectEvents.
type evMask struct {
	device uint16
	events []int // XI2 event types
}

func xiSelectEventsReq(op uint8, win uint32, masks []evMask) []byte {
	b := make([]byte, 12)
	b[0], b[1] = op, xiSelectEvents
	le.PutUint32(b[4:], win)
	le.PutUint16(b[8:], uint16(len(masks)))
	for _, m := range masks {
		var bits [4]byte // one 4-byte unit covers event types 0..31
		for _, ev := range m.events {
			bits[ev/8] |= 1 << (ev % 8)
		}
		b = le.AppendUint16(b, m.device)
		b = le.AppendUint16(b, 1)
		b = append(b, bits[:]...)
	}
	le.PutUint16(b[2:], uint16(len(b)/4))
	return b
}

func xiQueryDeviceReq(op uint8, device uint16) []byte {
	b := make([]byte, 8)
	b[0], b[1] = op, xiQueryDevice
	le.PutUint16(b[2:], 2)
	le.PutUint16(b[4:], device)
	return b
}

// xiGetPropertyReq asks for up to words 4-byte units of a device property
// of any type.
func xiGetPropertyReq(op uint8, device uint16, prop uint32, words uint32) []byte {
	b := make([]byte, 24)
	b[0], b[1] = op, xiGetProperty
	le.PutUint16(b[2:], 6)
	le.PutUint16(b[4:], device)
	le.PutUint32(b[8:], prop)
	le.PutUint32(b[12:], 0) // AnyPropertyType
	le.PutUint32(b[16:], 0)
	le.PutUint32(b[20:], words)
	return b
}

// Reply decoders. h is the 32-byte header, body what followed it.

type extensionInfo struct {
	present bool
	opcode  uint8
}

func decodeQueryExtension(h []byte) extensionInfo {
	return extensionInfo{present: h[8] != 0, opcode: h[9]}
}

func decodeQueryVersion(h []byte) (major, minor uint16) {
	return le.Uint16(h[8:]), le.Uint16(h[10:])
}

func decodeInternAtom(h []byte) uint32 { return le.Uint32(h[8:]) }

// deviceInfo is one device from an XIQueryDevice reply.
type deviceInfo struct {
	id         uint16
	use        uint16
	attachment uint16
	enabled    bool
	hasKeys    bool // has a key class
	name       string
}

// decodeQueryDevice decodes an XIQueryDevice reply.
func decodeQueryDevice(h, body []byte) ([]deviceInfo, error) {
	n := int(le.Uint16(h[8:]))
	if n > maxDevices {
		return nil, fmt.Errorf("XIQueryDevice reply: num_devices %d exceeds limit %d", n, maxDevices)
	}
	devs := make([]deviceInfo, 0, n)
	off := 0
	for i := range n {
		if off+12 > len(body) {
			return nil, fmt.Errorf("XIQueryDevice reply: device %d at offset %d: %w", i, off, errTruncated)
		}
		d := deviceInfo{
			id:         le.Uint16(body[off:]),
			use:        le.Uint16(body[off+2:]),
			attachment: le.Uint16(body[off+4:]),
			enabled:    body[off+10] != 0,
		}
		nclasses := int(le.Uint16(body[off+6:]))
		nameLen := int(le.Uint16(body[off+8:]))
		off += 12
		if off+pad4(nameLen) > len(body) {
			return nil, fmt.Errorf("XIQueryDevice reply: device %d name length %d exceeds reply: %w", i, nameLen, errTruncated)
		}
		d.name = printable(body[off : off+nameLen])
		off += pad4(nameLen)
		for j := range nclasses {
			if off+4 > len(body) {
				return nil, fmt.Errorf("XIQueryDevice reply: device %d class %d at offset %d: %w", i, j, off, errTruncated)
			}
			typ, units := le.Uint16(body[off:]), int(le.Uint16(body[off+2:]))
			if units == 0 {
				return nil, fmt.Errorf("XIQueryDevice reply: device %d class %d has length 0", i, j)
			}
			if off+units*4 > len(body) {
				return nil, fmt.Errorf("XIQueryDevice reply: device %d class %d length %d exceeds reply: %w", i, j, units*4, errTruncated)
			}
			if typ == classKey {
				d.hasKeys = true
			}
			off += units * 4
		}
		devs = append(devs, d)
	}
	return devs, nil
}

// property is a decoded XIGetProperty reply.
type property struct {
	typ    uint32 // 0 when the device has no such property
	format uint8  // 8, 16 or 32
	data   []byte // num_items * format/8 bytes
}

func decodeGetProperty(h, body []byte) (property, error) {
	p := property{typ: le.Uint32(h[8:]), format: h[20]}
	items := le.Uint32(h[16:])
	if p.typ == 0 {
		return p, nil
	}
	switch p.format {
	case 8, 16, 32:
	default:
		return p, fmt.Errorf("XIGetProperty reply: format %d, want 8, 16 or 32", p.format)
	}
	n := uint64(items) * uint64(p.format/8)
	if n > uint64(len(body)) {
		return p, fmt.Errorf("XIGetProperty reply: %d items of format %d exceed reply (%d bytes): %w", items, p.format, len(body), errTruncated)
	}
	p.data = body[:n]
	return p, nil
}

// rawKey is a decoded XI_RawKeyPress or XI_RawKeyRelease. It holds the
// key code, which must not leave the package; see keys.go.
type rawKey struct {
	release bool
	device  uint16 // the master device it was delivered for
	source  uint16 // the slave device that produced it
	time    uint32 // server time, milliseconds, wraps every 49.7 days
	code    uint32 // X key code; never exported, logged or put in an error
	repeat  bool
}

// genericEvent is the common head of every XI2 event.
type genericEvent struct {
	extension uint8
	evtype    uint16
}

func decodeGeneric(h []byte) genericEvent {
	return genericEvent{extension: h[1], evtype: le.Uint16(h[8:])}
}

// decodeRawKey decodes a raw key event: h is its first 32 bytes, body the
// rest (valuator mask and values, empty for keys). Errors say nothing
// about the key code.
func decodeRawKey(h, body []byte) (rawKey, error) {
	ev := le.Uint16(h[8:])
	if ev != evRawKeyPress && ev != evRawKeyRelease {
		return rawKey{}, fmt.Errorf("raw key event: evtype %d, want %d or %d", ev, evRawKeyPress, evRawKeyRelease)
	}
	if vl := int(le.Uint16(h[22:])) * 4; vl > len(body) {
		return rawKey{}, fmt.Errorf("raw key event: valuator mask of %d bytes exceeds event body (%d bytes): %w", vl, len(body), errTruncated)
	}
	return rawKey{
		release: ev == evRawKeyRelease,
		device:  le.Uint16(h[10:]),
		time:    le.Uint32(h[12:]),
		code:    le.Uint32(h[16:]),
		source:  le.Uint16(h[20:]),
		repeat:  le.Uint32(h[24:])&xiKeyRepeat != 0,
	}, nil
}

// decodeHierarchy returns the number of device changes in a hierarchy
// event, checking that they fit in the event.
func decodeHierarchy(h, body []byte) (int, error) {
	n := int(le.Uint16(h[20:]))
	if n > maxDevices {
		return 0, fmt.Errorf("hierarchy event: num_info %d exceeds limit %d", n, maxDevices)
	}
	if n*12 > len(body) {
		return 0, fmt.Errorf("hierarchy event: %d entries exceed event body (%d bytes): %w", n, len(body), errTruncated)
	}
	return n, nil
}
