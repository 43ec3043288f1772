package xi2

import (
	"errors"
	"strings"
	"testing"
)

// Encoders of server messages, for the decoder tests, the fuzz seeds and
// the fake server.

// setupReply encodes a successful setup reply with one screen.
func setupReply(vendor string, root uint32) []byte {
	body := make([]byte, 32)
	le.PutUint32(body[4:], 0x00200000) // resource-id-base
	le.PutUint32(body[8:], 0x001fffff) // resource-id-mask
	le.PutUint16(body[16:], uint16(len(vendor)))
	le.PutUint16(body[18:], 0xffff) // maximum-request-length
	body[20], body[21] = 1, 1       // screens, formats
	body = append(body, vendor...)
	body = append(body, make([]byte, pad4(len(vendor))-len(vendor))...)
	body = append(body, 24, 32, 32, 0, 0, 0, 0, 0) // FORMAT
	screen := make([]byte, 40)
	le.PutUint32(screen, root)
	body = append(body, screen...)
	h := []byte{setupSuccess, 0, 11, 0, 0, 0, 0, 0}
	le.PutUint16(h[6:], uint16(len(body)/4))
	return append(h, body...)
}

// setupRefusal encodes a Failed (or Authenticate) setup reply.
func setupRefusal(status byte, reason string) []byte {
	body := []byte(reason)
	body = append(body, make([]byte, pad4(len(body))-len(body))...)
	h := []byte{status, byte(len(reason)), 11, 0, 0, 0, 0, 0}
	if status == setupAuthenticate {
		h[1] = 0
	}
	le.PutUint16(h[6:], uint16(len(body)/4))
	return append(h, body...)
}

// reply encodes a reply with the given sequence number: fixed holds the
// bytes from offset 8 of the header (up to 24), body what follows.
func reply(seq uint16, fixed []byte, body []byte) []byte {
	h := make([]byte, 32)
	h[0] = msgReply
	le.PutUint16(h[2:], seq)
	le.PutUint32(h[4:], uint32(len(body)/4))
	copy(h[8:], fixed)
	return append(h, body...)
}

func xerror(seq uint16, code uint8, major uint8, minor uint16) []byte {
	h := make([]byte, 32)
	h[1] = code
	le.PutUint16(h[2:], seq)
	le.PutUint16(h[8:], minor)
	h[10] = major
	return h
}

type testDevice struct {
	id, use, attachment uint16
	name                string
	keys                bool
}

// queryDeviceReply encodes an XIQueryDevice reply body and its device count.
func queryDeviceBody(devs []testDevice) (fixed, body []byte) {
	for _, d := range devs {
		rec := make([]byte, 12)
		le.PutUint16(rec, d.id)
		le.PutUint16(rec[2:], d.use)
		le.PutUint16(rec[4:], d.attachment)
		nclasses := 0
		if d.keys {
			nclasses = 1
		}
		le.PutUint16(rec[6:], uint16(nclasses))
		le.PutUint16(rec[8:], uint16(len(d.name)))
		rec[10] = 1
		rec = append(rec, d.name...)
		rec = append(rec, make([]byte, pad4(len(d.name))-len(d.name))...)
		if d.keys {
			// KeyClass: type, len, sourceid, num_keys=1, one keycode.
			rec = append(rec, 0, 0, 3, 0, byte(d.id), 0, 1, 0, 9, 0, 0, 0)
		}
		body = append(body, rec...)
	}
	fixed = make([]byte, 2)
	le.PutUint16(fixed, uint16(len(devs)))
	return fixed, body
}

// rawKeyEvent encodes an XI_RawKeyPress/Release generic event.
func rawKeyEvent(xi uint8, release bool, device, source uint16, ms, code uint32, repeat bool) []byte {
	h := make([]byte, 32)
	h[0], h[1] = msgGeneric, xi
	ev := uint16(evRawKeyPress)
	if release {
		ev = evRawKeyRelease
	}
	le.PutUint16(h[8:], ev)
	le.PutUint16(h[10:], device)
	le.PutUint32(h[12:], ms)
	le.PutUint32(h[16:], code)
	le.PutUint16(h[20:], source)
	if repeat {
		le.PutUint32(h[24:], xiKeyRepeat)
	}
	return h
}

func hierarchyEvent(xi uint8, n int) []byte {
	h := make([]byte, 32)
	h[0], h[1] = msgGeneric, xi
	le.PutUint32(h[4:], uint32(n*3))
	le.PutUint16(h[8:], evHierarchyChanged)
	le.PutUint16(h[20:], uint16(n))
	return append(h, make([]byte, n*12)...)
}

func TestDecodeSetup(t *testing.T) {
	s, err := decodeSetup(setupReply("The X.Org Foundation", 0x1d3))
	if err != nil {
		t.Fatal(err)
	}
	if s.root != 0x1d3 || s.vendor != "The X.Org Foundation" || s.screens != 1 || s.idBase != 0x00200000 {
		t.Errorf("decodeSetup = %+v, want root 0x1d3, X.Org vendor, 1 screen", s)
	}

	noScreens := setupReply("v", 1)
	noScreens[8+20] = 0
	hugeVendor := setupReply("v", 1)
	le.PutUint16(hugeVendor[8+16:], 60000)
	manyFormats := setupReply("v", 1)
	manyFormats[8+21] = 255
	badStatus := setupReply("v", 1)
	badStatus[0] = 7
	shortBody := setupReply("v", 1)
	le.PutUint16(shortBody[6:], 100)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"refused", setupRefusal(setupFailed, "No protocol specified\n"), "setup refused by X server (protocol 11.0): No protocol specified?"},
		{"authenticate", setupRefusal(setupAuthenticate, "need more"), "further authentication required: need more"},
		{"no screens", noScreens, "no screens"},
		{"vendor length", hugeVendor, "vendor length 60000 exceeds reply"},
		{"formats", manyFormats, "screen 0 at offset"},
		{"status", badStatus, "status 7"},
		{"length mismatch", shortBody, "header says 400"},
		{"short", []byte{1, 0, 11}, "want at least 8"},
	}
	for _, tt := range tests {
		_, err := decodeSetup(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: decodeSetup error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestDecodeQueryDevice(t *testing.T) {
	devs := []testDevice{
		{id: 3, use: useMasterKeyboard, attachment: 2, name: "Virtual core keyboard", keys: true},
		{id: 5, use: useSlaveKeyboard, attachment: 3, name: "Virtual core XTEST keyboard", keys: true},
		{id: 9, use: useSlavePointer, attachment: 2, name: "mouse"},
	}
	fixed, body := queryDeviceBody(devs)
	h := reply(1, fixed, body)
	got, err := decodeQueryDevice(h[:32], h[32:])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].id != 5 || got[1].name != "Virtual core XTEST keyboard" || !got[1].hasKeys || got[2].hasKeys || got[0].use != useMasterKeyboard {
		t.Errorf("decodeQueryDevice = %+v", got)
	}
	for i := range len(body) {
		if _, err := decodeQueryDevice(h[:32], body[:i]); !errors.Is(err, errTruncated) {
			t.Errorf("decodeQueryDevice(body cut at %d) error = %v, want truncated", i, err)
		}
	}
	le.PutUint16(h[8:], maxDevices+1)
	if _, err := decodeQueryDevice(h[:32], body); err == nil || !strings.Contains(err.Error(), "num_devices 1025 exceeds limit 1024") {
		t.Errorf("decodeQueryDevice(1025 devices) error = %v, want limit error", err)
	}
}

func TestDecodeRawKey(t *testing.T) {
	e := rawKeyEvent(131, true, 3, 5, 123456, 38, true)
	k, err := decodeRawKey(e[:32], nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (rawKey{release: true, device: 3, source: 5, time: 123456, code: 38, repeat: true}); k != want {
		t.Errorf("decodeRawKey = %+v, want %+v", k, want)
	}
	le.PutUint16(e[22:], 2) // valuator mask of 8 bytes that is not there
	if _, err := decodeRawKey(e[:32], nil); !errors.Is(err, errTruncated) {
		t.Errorf("decodeRawKey(missing valuators) error = %v, want truncated", err)
	} else if strings.Contains(err.Error(), "38") {
		t.Errorf("decodeRawKey error %q names the key code", err)
	}
}

func TestRequestsAreWholeUnits(t *testing.T) {
	reqs := map[string][]byte{
		"QueryExtension": queryExtensionReq("XInputExtension"),
		"InternAtom":     internAtomReq(propProductID, true),
		"XIQueryVersion": xiQueryVersionReq(131, 2, 2),
		"XISelectEvents": xiSelectEventsReq(131, 0x1d3, []evMask{{0, []int{11}}, {1, []int{13, 14}}}),
		"XIQueryDevice":  xiQueryDeviceReq(131, 0),
		"XIGetProperty":  xiGetPropertyReq(131, 7, 250, 64),
	}
	for name, b := range reqs {
		if len(b)%4 != 0 || int(le.Uint16(b[2:]))*4 != len(b) {
			t.Errorf("%s: %d bytes, length field %d units", name, len(b), le.Uint16(b[2:]))
		}
	}
	sel := reqs["XISelectEvents"]
	if got := sel[12:]; string(got) != "\x00\x00\x01\x00\x00\x08\x00\x00\x01\x00\x01\x00\x00\x60\x00\x00" {
		t.Errorf("XISelectEvents masks = % x", got)
	}
	if s := setupRequest(cookieName, make([]byte, 16)); len(s) != 12+20+16 || s[0] != 'l' {
		t.Errorf("setupRequest = % x", s)
	}
}

func FuzzSetupReply(f *testing.F) {
	f.Add(setupReply("The X.Org Foundation", 0x1d3))
	f.Add(setupRefusal(setupFailed, "Authorization required, but no authorization protocol specified\n"))
	f.Add(setupRefusal(setupAuthenticate, "x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 8+262140 {
			return
		}
		s, err := decodeSetup(b)
		if err == nil && (s.screens == 0 || len(s.vendor) > maxNameLen) {
			t.Fatalf("decodeSetup accepted %+v", s)
		}
	})
}

// FuzzDecodeEvent feeds one message to the decoders the reader uses for
// what a server sends after setup: errors, replies and events.
func FuzzDecodeEvent(f *testing.F) {
	fixed, body := queryDeviceBody([]testDevice{{id: 5, use: useSlaveKeyboard, name: "Virtual core XTEST keyboard", keys: true}})
	f.Add(reply(7, fixed, body))
	f.Add(rawKeyEvent(131, false, 3, 5, 1, 38, false))
	f.Add(rawKeyEvent(131, true, 3, 5, 1, 38, true))
	f.Add(hierarchyEvent(131, 4))
	f.Add(xerror(3, 2, 131, 46))
	prop := make([]byte, 16)
	le.PutUint32(prop, 31)
	le.PutUint32(prop[8:], 17)
	prop[12] = 8
	f.Add(reply(9, prop, []byte("/dev/input/event3\x00\x00\x00")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 32 || len(b) > 32+maxEventBody {
			return
		}
		h, body := b[:32], b[32:]
		decodeError(h)
		decodeGeneric(h)
		if k, err := decodeRawKey(h, body); err != nil && k != (rawKey{}) {
			t.Fatalf("decodeRawKey returned %+v with error", k)
		}
		if n, err := decodeHierarchy(h, body); err == nil && n*12 > len(body) {
			t.Fatalf("decodeHierarchy: %d entries in %d bytes", n, len(body))
		}
		if devs, err := decodeQueryDevice(h, body); err == nil {
			if len(devs) > maxDevices {
				t.Fatalf("decodeQueryDevice: %d devices", len(devs))
			}
			for _, d := range devs {
				if len(d.name) > maxNameLen {
					t.Fatalf("decodeQueryDevice: name of %d bytes", len(d.name))
				}
			}
		}
		if p, err := decodeGetProperty(h, body); err == nil && len(p.data) > len(body) {
			t.Fatalf("decodeGetProperty: %d bytes from %d", len(p.data), len(body))
		}
	})
}
