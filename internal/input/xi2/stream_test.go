package xi2

import (
	"log/slog"
	"net"
	"testing"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// discardConn swallows the reader's requests.
type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error) { return len(b), nil }

// FuzzReaderStream feeds a stream of server messages, as the reader's
// read loop frames them, to a reader that has just asked for the device
// list, and checks the invariants of what it emits and keeps.
func FuzzReaderStream(f *testing.F) {
	fixed, body := queryDeviceBody(xvfbLikeDevices)
	var seed []byte
	seed = append(seed, reply(1, fixed, body)...)
	seed = append(seed, rawKeyEvent(fakeXI, false, 3, 5, 10, 38, false)...)
	seed = append(seed, hierarchyEvent(fakeXI, 1)...)
	seed = append(seed, rawKeyEvent(fakeXI, false, 3, 5, 12, 38, true)...)
	seed = append(seed, rawKeyEvent(fakeXI, true, 3, 5, 30, 38, false)...)
	seed = append(seed, reply(2, fixed, body)...)
	seed = append(seed, rawKeyEvent(fakeXI, false, 3, 77, 40, 65, false)...)
	seed = append(seed, rawKeyEvent(fakeXI, true, 3, 77, 50, 65, false)...)
	f.Add(seed)
	f.Add(append(xerror(1, 2, fakeXI, xiQueryDevice), rawKeyEvent(fakeXI, true, 3, 5, 30, 38, false)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &Reader{
			log:      slog.New(slog.DiscardHandler),
			c:        &conn{nc: discardConn{}},
			xi:       fakeXI,
			byID:     make(map[uint16]int),
			overflow: -1,
		}
		// placeholder[i] says whether evs[i] went out while its device was
		// a placeholder for a source the server had not listed yet; such a
		// device's provenance is filled in when the list names it.
		var evs []keystroke.Event
		var placeholder []bool
		r.emit = func(e keystroke.Event) {
			evs = append(evs, e)
			placeholder = append(placeholder, int(e.Device) < len(r.devs) && r.devs[e.Device].Name == "")
		}
		if err := r.queryDevices(); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 32 {
			var m msg
			copy(m.hdr[:], data)
			data = data[32:]
			if k := m.kind(); k == msgReply || k == msgGeneric {
				n := int(le.Uint32(m.hdr[4:])) * 4
				if n > len(data) {
					break
				}
				m.body, data = data[:n], data[n:]
			}
			if err := r.handle(m); err != nil {
				break
			}
		}
		devs := r.Devices()
		if len(devs) > maxKnownDevices+1 || len(r.held) > maxHeld || len(r.keys.down) > maxDown {
			t.Fatalf("%d devices, %d held, %d down", len(devs), len(r.held), len(r.keys.down))
		}
		for i, d := range devs {
			if int(d.Number) != i || d.Source != "x11" {
				t.Fatalf("device %d = %+v", i, d)
			}
		}
		for i, e := range evs {
			if e.Class >= keystroke.NumClasses || e.Prov >= keystroke.NumProvenances || int(e.Device) >= len(devs) || e.Release < e.Press {
				t.Fatalf("event %+v with %d devices", e, len(devs))
			}
			if e.Prov != devs[e.Device].Prov && !placeholder[i] {
				// Provenance can otherwise only be refined later for kernel
				// devices, which this stream cannot produce (no atoms).
				t.Fatalf("event %+v, device %+v", e, devs[e.Device])
			}
		}
	})
}
