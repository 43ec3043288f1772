package devicesim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// farm is a laptop-farm laptop: AnyDesk with a session to an operator
// 180 ms away, and a PiKVM's USB gadget.
var farm = Laptop{
	Tools: []Tool{{PID: 812, Process: "anydesk", Exe: "/usr/bin/anydesk", Sessions: []Session{{
		Local:  netip.MustParseAddrPort("10.0.0.5:7070"),
		Remote: netip.MustParseAddrPort("203.0.113.50:50123"),
		RTT:    180 * time.Millisecond,
	}}}},
	USB: []USB{{Path: "1-2", VendorID: "1d6b", ProductID: "0104", Manufacturer: "PiKVM", Product: "PiKVM Composite Device", Serial: "CAFEBABE", InterfaceClasses: []string{"03", "03", "08"}}},
}

// TestFarmLaptopThroughRealScanners writes the farm laptop and scans it
// with the agent's own endpoint snapshot; the report turns into the
// far-session and IP-KVM evidence, and a clean laptop into none.
func TestFarmLaptopThroughRealScanners(t *testing.T) {
	scan := func(l Laptop) (wire.EndpointReport, []risk.Evidence) {
		t.Helper()
		dir := t.TempDir()
		rtt, err := l.WriteRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := agent.EndpointSnapshot(agent.EndpointConfig{Root: dir, KernelRTT: rtt})(t.Context())
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		body, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return rep, risk.FromEndpoint("d1", store.EndpointReport{DeviceID: "d1", BatchID: "b1", At: rep.At, Body: body})
	}
	rep, ev := scan(farm)
	if len(rep.RemoteTools) != 1 || rep.RemoteTools[0].Name != "AnyDesk" || len(rep.RemoteTools[0].Sessions) != 1 {
		t.Fatalf("remote tools = %+v", rep.RemoteTools)
	}
	if s := rep.RemoteTools[0].Sessions[0]; s.MinRTTMicros != 180000 || s.Remote != "203.0.113.50:50123" {
		t.Errorf("session = %+v", s)
	}
	var dets []string
	for _, e := range ev {
		dets = append(dets, e.Detector)
	}
	slices.Sort(dets)
	if want := []string{"endpoint.ip-kvm", "endpoint.remote-session-far"}; !slices.Equal(dets, want) {
		t.Errorf("evidence = %v, want %v", dets, want)
	}
	if rep, ev := scan(Laptop{}); len(rep.RemoteTools) != 0 || len(ev) != 0 {
		t.Errorf("clean laptop: tools %+v, evidence %+v", rep.RemoteTools, ev)
	}
}

func TestWriteRootRefusesBadInput(t *testing.T) {
	for name, l := range map[string]Laptop{
		"pid":  {Tools: []Tool{{PID: 1, Process: "anydesk"}}},
		"name": {Tools: []Tool{{PID: 9, Process: "a/b"}}},
		"ipv6": {Tools: []Tool{{PID: 9, Process: "anydesk", Sessions: []Session{{Local: netip.MustParseAddrPort("[::1]:1"), Remote: netip.MustParseAddrPort("[::1]:2")}}}}},
		"usb":  {USB: []USB{{Path: "1-2", VendorID: "1d6", ProductID: "0104"}}},
	} {
		if _, err := l.WriteRoot(t.TempDir()); err == nil {
			t.Errorf("%s: WriteRoot accepted %+v", name, l)
		}
	}
	dir := t.TempDir()
	if _, err := farm.WriteRoot(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := farm.WriteRoot(dir); err == nil {
		t.Error("WriteRoot wrote over an existing tree")
	}
}

// TestTypistStrokes checks the strokes' shape: ordered presses, holds and
// intervals in the documented ranges, the device's provenance.
func TestTypistStrokes(t *testing.T) {
	ty := NewTypist(keystroke.Device{Number: 7, Source: "x11", Name: "Virtual core XTEST keyboard", Prov: keystroke.ProvInjected}, 1)
	next := ty.strokes()
	var gaps []time.Duration
	prev := next()
	for range 2000 {
		e := next()
		if e.Press <= prev.Press || e.Release <= e.Press || e.Prov != keystroke.ProvInjected || e.Device != 0 || e.Class >= keystroke.NumClasses {
			t.Fatalf("stroke %+v after %+v", e, prev)
		}
		gaps = append(gaps, e.Press-prev.Press)
		prev = e
	}
	slices.Sort(gaps)
	if med := gaps[len(gaps)/2]; med < 130*time.Millisecond || med > 200*time.Millisecond {
		t.Errorf("median press interval %v, want about 160 ms", med)
	}
	if long := gaps[len(gaps)-1]; long < 1500*time.Millisecond {
		t.Errorf("longest gap %v: no pause between bursts", long)
	}
	if d := ty.Devices(); len(d) != 1 || d[0].Number != 0 || ty.Name() != "x11" {
		t.Errorf("devices %+v, name %q", d, ty.Name())
	}
}

// TestTypistRun emits strokes in real time until cancelled.
func TestTypistRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []keystroke.Event
	err := NewTypist(keystroke.Device{Source: "evdev", Prov: keystroke.ProvPhysical}, 2).Run(ctx, func(e keystroke.Event) {
		got = append(got, e)
		if len(got) == 3 {
			cancel()
		}
	})
	if err != nil || len(got) != 3 || got[0].Prov != keystroke.ProvPhysical {
		t.Fatalf("Run = %v, strokes %+v", err, got)
	}
}

// TestTypistStopsBehindSchedule holds up the third stroke until the next
// ones are overdue, then cancels: a typist behind schedule must still
// emit nothing after its context is done. Each run has an even chance of
// catching an emit after cancel, so eight of them run at once.
func TestTypistStopsBehindSchedule(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			n := 0
			err := NewTypist(keystroke.Device{Source: "evdev", Prov: keystroke.ProvPhysical}, seed).Run(ctx, func(keystroke.Event) {
				n++
				if n == 3 {
					time.Sleep(time.Second)
					cancel()
				}
			})
			if err != nil || n != 3 {
				t.Fatalf("Run = %v after %d strokes, want nil after 3", err, n)
			}
		})
	}
}
