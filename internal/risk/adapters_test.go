package risk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/operator"
	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

func detectors(ev []Evidence) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.Detector+"/"+e.Provenance)
	}
	return out
}

func TestFromVerdict(t *testing.T) {
	f := func(lm, prov string, st latency.Status) latency.Finding {
		return latency.Finding{Observation: latency.Observation{Landmark: lm, Provenance: prov}, Status: st}
	}
	tests := []struct {
		name string
		v    latency.Verdict
		want string
	}{
		{"too slow by server", latency.Verdict{Status: latency.TooSlow, Findings: []latency.Finding{f("a", "server-tcp", latency.TooSlow)}}, "latency.too-slow/server-measured"},
		{"too slow by agent only", latency.Verdict{Status: latency.TooSlow, Findings: []latency.Finding{f("a", "agent", latency.TooSlow), f("b", "server-tcp", latency.Consistent)}}, "latency.too-slow/agent-reported"},
		{"impossible", latency.Verdict{Status: latency.Impossible, Findings: []latency.Finding{f("a", "server-app", latency.Impossible)}}, "latency.impossible/server-measured"},
		{"consistent all server", latency.Verdict{Status: latency.Consistent, Findings: []latency.Finding{f("a", "server-tcp", latency.Consistent)}}, "latency.consistent/server-measured"},
		{"consistent with agent", latency.Verdict{Status: latency.Consistent, Findings: []latency.Finding{f("a", "server-tcp", latency.Consistent), f("b", "agent", latency.Consistent)}}, "latency.consistent/agent-reported"},
		{"insufficient", latency.Verdict{Status: latency.Insufficient}, ""},
	}
	for _, tt := range tests {
		ev := FromVerdict(analyze.DeviceVerdict{Device: store.Device{ID: "d-1"}, Verdict: tt.v, ComputedAt: t0})
		got := ""
		if len(ev) == 1 {
			got = detectors(ev)[0]
			if ev[0].Independent != "rtt:d-1" || ev[0].Validate() != nil {
				t.Errorf("%s: evidence %+v: want group rtt:d-1 and valid", tt.name, ev[0])
			}
		} else if len(ev) > 1 {
			t.Errorf("%s: %d items, want at most 1", tt.name, len(ev))
		}
		if got != tt.want {
			t.Errorf("%s: FromVerdict = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFromEndpoint(t *testing.T) {
	report := func(r wire.EndpointReport) store.EndpointReport {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return store.EndpointReport{DeviceID: "d-1", BatchID: "b-1", At: t0, Body: b}
	}
	tool := func(sessions ...wire.RemoteSession) wire.RemoteTool {
		return wire.RemoteTool{Name: "RustDesk", Catalog: "lolrmm", PID: 10, Process: "rustdesk", Sessions: sessions}
	}
	tests := []struct {
		name string
		r    store.EndpointReport
		want []string
	}{
		{"far session", report(wire.EndpointReport{At: t0, RemoteTools: []wire.RemoteTool{tool(wire.RemoteSession{Remote: "198.51.100.1:21118", MinRTTMicros: 150_000, RTTMicros: 170_000})}}), []string{"endpoint.remote-session-far/agent-reported"}},
		{"near session", report(wire.EndpointReport{At: t0, RemoteTools: []wire.RemoteTool{tool(wire.RemoteSession{Remote: "198.51.100.1:21118", MinRTTMicros: 20_000})}}), []string{"endpoint.remote-session/agent-reported"}},
		{"smoothed RTT when no min", report(wire.EndpointReport{At: t0, RemoteTools: []wire.RemoteTool{tool(wire.RemoteSession{Remote: "x:1", RTTMicros: 120_000})}}), []string{"endpoint.remote-session-far/agent-reported"}},
		{"tool only", report(wire.EndpointReport{At: t0, RemoteTools: []wire.RemoteTool{tool()}}), []string{"endpoint.remote-tool/agent-reported"}},
		{"strong KVM", report(wire.EndpointReport{At: t0, USB: []wire.USBDevice{{Path: "1-1", VendorID: "1d6b", ProductID: "0104", Match: &wire.HardwareMatch{Device: "PiKVM v4", Rule: "product", Evidence: "x", Strength: wire.StrengthStrong}}}}), []string{"endpoint.ip-kvm/agent-reported"}},
		{"weak display", report(wire.EndpointReport{At: t0, Displays: []wire.Display{{Connector: "HDMI-1", Manufacturer: "MST", ProductCode: "0001", Match: &wire.HardwareMatch{Device: "capture card", Rule: "edid", Evidence: "x", Strength: wire.StrengthWeak}}}}), []string{"endpoint.ip-kvm-weak/agent-reported"}},
		{"counts only", store.EndpointReport{DeviceID: "d-1", At: t0, RemoteTools: 1, RemoteSessions: 2, MinSessionRTT: 130 * time.Millisecond, HardwareMatches: 1}, []string{"endpoint.remote-session-far/agent-reported", "endpoint.ip-kvm-weak/agent-reported"}},
		{"clean", report(wire.EndpointReport{At: t0}), nil},
	}
	for _, tt := range tests {
		ev := FromEndpoint("d-1", tt.r)
		if got := detectors(ev); !equal(got, tt.want) {
			t.Errorf("%s: FromEndpoint = %v, want %v", tt.name, got, tt.want)
		}
		for _, e := range ev {
			if err := e.Validate(); err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFromWindows(t *testing.T) {
	w := func(keys, phys, virt, inj int) store.InputWindow {
		return store.InputWindow{DeviceID: "d-1", WindowID: "w", End: t0, Keys: keys, Physical: phys, Virtual: virt, Injected: inj}
	}
	tests := []struct {
		name string
		ws   []store.InputWindow
		want []string
	}{
		{"injected", []store.InputWindow{w(150, 140, 0, 10), w(150, 140, 5, 0)}, []string{"input.injected/agent-reported"}},
		{"physical", []store.InputWindow{w(500, 499, 0, 0)}, []string{"input.physical/agent-reported"}},
		{"too few keys", []store.InputWindow{w(100, 0, 0, 100)}, nil},
		{"mixed unknown", []store.InputWindow{w(1000, 900, 20, 0)}, nil},
		{"other device ignored", []store.InputWindow{{DeviceID: "d-2", Keys: 1000, Injected: 1000, End: t0}}, nil},
	}
	for _, tt := range tests {
		if got := detectors(FromWindows("d-1", tt.ws)); !equal(got, tt.want) {
			t.Errorf("%s: FromWindows = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFromScreenKeepsWeakPolicy(t *testing.T) {
	weakOnly := screen.Result{ApplicantID: "a-1", Evidence: []screen.Evidence{{Check: "language.non-native", Weight: 0.5, Weak: true}}}
	if ev := FromScreen("", weakOnly, t0); len(ev) != 0 {
		t.Errorf("FromScreen(weak only) = %v, want nothing", detectors(ev))
	}
	withStrong := screen.Result{ApplicantID: "a-1", Evidence: []screen.Evidence{
		{Check: "phone.voip", Weight: 1.5, Field: "phones[0]"},
		{Check: "language.non-native", Weight: 0.5, Weak: true},
		{Check: "education.verified", Weight: -2},
	}}
	ev := FromScreen("", withStrong, t0)
	if len(ev) != 3 || ev[0].Detector != "screen.phone.voip" || !near(ev[0].LR, 2.8284271247461903) || ev[0].Subject != Applicant("a-1") {
		t.Fatalf("FromScreen = %+v", ev)
	}
	if !near(ev[2].LR, 0.25) {
		t.Errorf("negative weight -2: LR %v, want 0.25", ev[2].LR)
	}
	if ev[0].Refs[0] != "applicant:a-1/phones[0]" {
		t.Errorf("refs = %v", ev[0].Refs)
	}
}

func TestFromRelayPresenceOperator(t *testing.T) {
	if ev := FromRelay("d-1", relay.Verdict{Score: 5, Windows: 3}, 0, t0); ev != nil {
		t.Errorf("FromRelay(score 5) = %v, want nothing", detectors(ev))
	}
	if ev := FromRelay("d-1", relay.Verdict{Score: 40, Windows: 3}, 0, t0); len(ev) != 1 || ev[0].Detector != "relay.detected" || ev[0].Independent != "loop:d-1" {
		t.Errorf("FromRelay(score 40) = %+v", ev)
	}
	if ev := FromPresence(Device("d-1"), presence.Result{Verdict: presence.Delayed, AddedDelay: 140 * time.Millisecond}, t0); len(ev) != 1 || ev[0].Detector != "presence.delayed" || ev[0].Independent != "loop:d-1" {
		t.Errorf("FromPresence(delayed) = %+v", ev)
	}
	if ev := FromPresence(Device("d-1"), presence.Result{Verdict: presence.Insufficient}, t0); ev != nil {
		t.Errorf("FromPresence(insufficient) = %+v", ev)
	}
	ev := FromOperator("d-1", operator.Estimate{LoopRTT: 150 * time.Millisecond, Source: "session", AtLeastKm: 6000}, t0)
	if len(ev) != 1 || ev[0].Independent != "endpoint-remote:d-1" {
		t.Errorf("FromOperator(session) = %+v, want the endpoint-remote group", ev)
	}
	if ev := FromOperator("d-1", operator.Estimate{AtLeastKm: 200}, t0); ev != nil {
		t.Errorf("FromOperator(200 km) = %+v, want nothing", ev)
	}
	if e := New(Account("bob@corp"), "idp.shared-egress", Imported, "egress shared with 4 devices", t0, "idp:log-1"); e.Validate() != nil || e.LR != 0 {
		t.Errorf("New = %+v", e)
	}
}
