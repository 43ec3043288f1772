package risk

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// testConfig is DefaultConfig with a few known detectors.
func testConfig() Config {
	c := DefaultConfig()
	c.Detectors["t.a"] = Detector{LR: 16, HalfLife: 0, CapBits: 10}
	c.Detectors["t.b"] = Detector{LR: 4, HalfLife: 0, CapBits: 10}
	c.Detectors["t.capped"] = Detector{LR: 1 << 20, HalfLife: 0, CapBits: 5}
	c.Detectors["t.decay"] = Detector{LR: 16, HalfLife: 7 * day, CapBits: 10}
	c.Detectors["t.neg"] = Detector{LR: 1.0 / 8, HalfLife: 0, CapBits: 10}
	return c
}

func ev(s Subject, det, prov string, at time.Time, group string) Evidence {
	return Evidence{Subject: s, Detector: det, Provenance: prov, At: at, Independent: group, Explanation: det}
}

func TestFuseMaths(t *testing.T) {
	cfg := testConfig()
	prior := math.Log2(cfg.PriorOdds)
	w := Worker("w-1")
	tests := []struct {
		name    string
		ev      []Evidence
		wantSum float64 // bits above the prior
		signals int
	}{
		{"one item", []Evidence{ev(w, "t.a", ServerMeasured, t0, "")}, 4, 1},
		{"two groups multiply", []Evidence{ev(w, "t.a", ServerMeasured, t0, "g1"), ev(w, "t.b", ServerMeasured, t0, "g2")}, 6, 2},
		{"one group: strongest only", []Evidence{ev(w, "t.a", ServerMeasured, t0, "g"), ev(w, "t.b", ServerMeasured, t0, "g")}, 4, 1},
		{"one group: sign kept", []Evidence{ev(w, "t.neg", ServerMeasured, t0, "g"), ev(w, "t.b", ServerMeasured, t0, "g")}, -3, 0},
		{"default group: same detector once", []Evidence{ev(w, "t.a", ServerMeasured, t0, ""), ev(w, "t.a", ServerMeasured, t0.Add(-time.Hour), "")}, 4, 1},
		{"cap", []Evidence{ev(w, "t.capped", ServerMeasured, t0, "")}, 5, 1},
		{"own LR capped", []Evidence{{Subject: w, Detector: "t.a", LR: 1 << 15, Provenance: ServerMeasured, At: t0}}, 10, 1},
		{"agent halved", []Evidence{ev(w, "t.a", AgentReported, t0, "")}, 2, 1},
		{"imported", []Evidence{ev(w, "t.a", Imported, t0, "")}, 3, 1},
		{"unknown provenance gets the least", []Evidence{ev(w, "t.a", "rumour", t0, "")}, 2, 1},
		{"decay one half-life", []Evidence{ev(w, "t.decay", ServerMeasured, t0.Add(-7*day), "")}, 2, 1},
		{"decay two half-lives", []Evidence{ev(w, "t.decay", ServerMeasured, t0.Add(-14*day), "")}, 1, 1},
		{"decay under signal", []Evidence{ev(w, "t.decay", ServerMeasured, t0.Add(-21*day), "")}, 0.5, 0},
		{"decay picks fresher in group", []Evidence{ev(w, "t.decay", ServerMeasured, t0.Add(-14*day), "g"), ev(w, "t.b", ServerMeasured, t0, "g")}, 2, 1},
		{"future evidence left out", []Evidence{ev(w, "t.a", ServerMeasured, t0.Add(time.Hour), "")}, math.NaN(), 0},
		{"invalid left out", []Evidence{{Subject: w, Detector: "t.a", LR: -1, At: t0}}, math.NaN(), 0},
		{"unknown detector weighs nothing", []Evidence{ev(w, "nobody.knows", ServerMeasured, t0, "")}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := Fuse(tt.ev, nil, cfg, t0)
			if math.IsNaN(tt.wantSum) {
				if len(rs) != 0 {
					t.Fatalf("Fuse = %d risks, want none", len(rs))
				}
				return
			}
			if len(rs) != 1 {
				t.Fatalf("Fuse = %d risks, want 1", len(rs))
			}
			r := rs[0]
			if got := r.LogOdds - prior; !near(got, tt.wantSum) {
				t.Errorf("bits = %v, want %v", got, tt.wantSum)
			}
			if r.Signals != tt.signals {
				t.Errorf("signals = %d, want %d", r.Signals, tt.signals)
			}
			var sum float64
			for _, c := range r.Contributions {
				sum += c.Bits
			}
			if !near(sum, r.LogOdds-prior) {
				t.Errorf("contributions sum to %v, want %v", sum, r.LogOdds-prior)
			}
			if !near(r.Probability, 1/(1+math.Exp2(-r.LogOdds))) {
				t.Errorf("probability %v does not match log-odds %v", r.Probability, r.LogOdds)
			}
		})
	}
}

func TestFuseOrdersContributionsAndTimeline(t *testing.T) {
	cfg := testConfig()
	w := Worker("w-1")
	rs := Fuse([]Evidence{
		ev(w, "t.b", ServerMeasured, t0.Add(-2*time.Hour), "g1"),
		ev(w, "t.a", ServerMeasured, t0.Add(-time.Hour), "g2"),
		ev(w, "t.b", ServerMeasured, t0.Add(-time.Hour), "g2"),
	}, nil, cfg, t0)
	r := rs[0]
	if d := r.Contributions[0].Evidence.Detector; d != "t.a" || !r.Contributions[0].Counted {
		t.Errorf("first contribution = %s, want counted t.a", d)
	}
	if c := r.Contributions[2]; c.Counted || c.Bits != 0 {
		t.Errorf("last contribution = %+v, want uncounted with 0 bits", c)
	}
	prior := math.Log2(cfg.PriorOdds)
	if len(r.Timeline) != 2 || !near(r.Timeline[0].LogOdds, prior+2) || !near(r.Timeline[1].LogOdds, prior+6) {
		t.Errorf("timeline = %+v, want 2 points at prior+2 and prior+6", r.Timeline)
	}
}

func TestLinksEvidenceFollowsThePerson(t *testing.T) {
	var l Links
	must(t, l.Link(Applicant("a-7"), Worker("w-1")))
	must(t, l.Link(Device("d-1"), Worker("w-1")))
	must(t, l.Link(Account("alice@corp"), Device("d-1")))
	must(t, l.Link(Device("d-2"), Worker("w-2")))
	if err := l.Link(Worker("w-1"), Worker("w-2")); err == nil {
		t.Error("Link(worker, worker) = nil, want an error")
	}
	for _, tt := range []struct{ in, want Subject }{
		{Applicant("a-7"), Worker("w-1")},
		{Device("d-1"), Worker("w-1")},
		{Account("alice@corp"), Worker("w-1")},
		{Device("d-2"), Worker("w-2")},
		{Worker("w-1"), Worker("w-1")},
		{Applicant("a-9"), Applicant("a-9")},
	} {
		if got := l.Resolve(tt.in); got != tt.want {
			t.Errorf("Resolve(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// An applicant linked to two workers' devices resolves to the nearest
	// worker; a shared device does not merge two people.
	must(t, l.Link(Device("d-shared"), Worker("w-2")))
	must(t, l.Link(Device("d-shared"), Applicant("a-7")))
	if got := l.Resolve(Applicant("a-7")); got != Worker("w-1") {
		t.Errorf("Resolve(a-7) = %s, want worker:w-1 (one link away)", got)
	}

	cfg := DefaultConfig()
	scr := FromScreen("a-7", screen.Result{ApplicantID: "a-7", Evidence: []screen.Evidence{{Check: "shared.phone", Weight: 3, Sentence: "phone shared with a-3"}}}, t0.Add(-90*day))
	rs := Fuse(scr, &l, cfg, t0)
	if len(rs) != 1 || rs[0].Subject != Worker("w-1") {
		t.Fatalf("Fuse = %+v, want one risk for worker:w-1", rs)
	}
	if got := rs[0].LogOdds - math.Log2(cfg.PriorOdds); !near(got, 3) {
		t.Errorf("screening bits on the worker = %v, want 3 (no decay)", got)
	}
	if rs := Fuse(scr, nil, cfg, t0); rs[0].Subject != Applicant("a-7") {
		t.Errorf("without links the risk is on %s, want applicant:a-7", rs[0].Subject)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// farmEvidence is a laptop farm: the device answers too slowly for its
// claimed place, a remote-control session runs at 150 ms, most keys are
// injected, and the application shared a phone and an address cluster.
func farmEvidence(t testing.TB, links *Links, worker, device, applicant string) []Evidence {
	if err := links.Link(Device(device), Worker(worker)); err != nil {
		t.Fatal(err)
	}
	if err := links.Link(Applicant(applicant), Worker(worker)); err != nil {
		t.Fatal(err)
	}
	var out []Evidence
	out = append(out, FromVerdict(analyze.DeviceVerdict{
		Worker: store.Worker{ID: worker}, Device: store.Device{ID: device, WorkerID: worker},
		Verdict: latency.Verdict{Status: latency.TooSlow, Summary: "us-west answers in 142 ms; Phoenix allows at most 61 ms",
			Findings: []latency.Finding{
				{Observation: latency.Observation{Landmark: "us-west", Provenance: "server-tcp", MinMs: 142, Count: 400}, Status: latency.TooSlow},
				{Observation: latency.Observation{Landmark: "us-east", Provenance: "agent", MinMs: 190, Count: 50}, Status: latency.Consistent},
			}},
		ComputedAt: t0.Add(-2 * day),
	})...)
	body, _ := json.Marshal(wire.EndpointReport{At: t0.Add(-day), RemoteTools: []wire.RemoteTool{{
		Name: "AnyDesk", Catalog: "lolrmm", PID: 4242, Process: "anydesk",
		Sessions: []wire.RemoteSession{{Local: "10.0.0.5:7070", Remote: "203.0.113.9:443", RTTMicros: 160000, MinRTTMicros: 150000}},
	}}})
	out = append(out, FromEndpoint(device, store.EndpointReport{DeviceID: device, BatchID: "b-1", At: t0.Add(-day), RemoteTools: 1, RemoteSessions: 1, MinSessionRTT: 150 * time.Millisecond, Body: body})...)
	out = append(out, FromWindows(device, []store.InputWindow{
		{DeviceID: device, WindowID: "win-1", Start: t0.Add(-day), End: t0.Add(-day + time.Minute), Keys: 300, Injected: 280, Physical: 20},
		{DeviceID: device, WindowID: "win-2", Start: t0.Add(-day + time.Minute), End: t0.Add(-day + 2*time.Minute), Keys: 250, Injected: 240, Physical: 10},
	})...)
	out = append(out, FromScreen(applicant, screen.Result{ApplicantID: applicant, Score: 7.5, Level: screen.LevelHigh, Evidence: []screen.Evidence{
		{Check: "shared.address-cluster", Weight: 3, Sentence: "shipping address shared with 6 applicants"},
		{Check: "shared.phone", Weight: 3, Sentence: "phone shared with applicant a-19"},
		{Check: "language.non-native", Weight: 0.5, Weak: true, Sentence: "articles dropped in 4 of 9 sentences"},
		{Check: "phone.voip", Weight: 1.5, Sentence: "phone is VoIP"},
		{Check: "phone.voip", Weight: 1.5, Sentence: "second phone is VoIP"},
	}}, t0.Add(-120*day))...)
	return out
}

func honestEvidence(t testing.TB, links *Links, worker, device string) []Evidence {
	if err := links.Link(Device(device), Worker(worker)); err != nil {
		t.Fatal(err)
	}
	var out []Evidence
	out = append(out, FromVerdict(analyze.DeviceVerdict{
		Device: store.Device{ID: device, WorkerID: worker},
		Verdict: latency.Verdict{Status: latency.Consistent, Summary: "us-west answers in 31 ms, consistent with Phoenix",
			Findings: []latency.Finding{{Observation: latency.Observation{Landmark: "us-west", Provenance: "server-tcp", MinMs: 31, Count: 500}, Status: latency.Consistent}}},
		ComputedAt: t0.Add(-day),
	})...)
	out = append(out, FromEndpoint(device, store.EndpointReport{DeviceID: device, BatchID: "b-2", At: t0.Add(-day), Body: json.RawMessage(`{"at":"2026-03-01T09:00:00Z","remote_tools":[],"usb":[],"displays":[]}`)})...)
	out = append(out, FromWindows(device, []store.InputWindow{{DeviceID: device, WindowID: "win-9", End: t0.Add(-day), Keys: 900, Physical: 890}})...)
	return out
}

func TestLaptopFarmVersusHonest(t *testing.T) {
	var l Links
	ev := farmEvidence(t, &l, "w-farm", "d-farm", "a-farm")
	ev = append(ev, honestEvidence(t, &l, "w-ok", "d-ok")...)
	rs := Fuse(ev, &l, DefaultConfig(), t0)
	if len(rs) != 2 {
		t.Fatalf("Fuse = %d risks, want 2", len(rs))
	}
	farm, ok := rs[0], rs[1]
	if farm.Subject != Worker("w-farm") || farm.Level != LevelHigh || farm.Signals < 3 {
		t.Errorf("farm = %s level %s with %d signals (log-odds %.2f), want worker:w-farm high with >= 3", farm.Subject, farm.Level, farm.Signals, farm.LogOdds)
	}
	for _, c := range farm.Contributions {
		t.Logf("farm %-32s %-16s counted=%v bits=%+.2f", c.Evidence.Detector, c.Evidence.Provenance, c.Counted, c.Bits)
	}
	if ok.Subject != Worker("w-ok") || ok.Level != LevelClear || ok.Signals != 0 {
		t.Errorf("honest = %s level %s with %d signals (log-odds %.2f), want worker:w-ok clear with 0", ok.Subject, ok.Level, ok.Signals, ok.LogOdds)
	}
	if ok.LogOdds >= math.Log2(DefaultConfig().PriorOdds) {
		t.Errorf("honest log-odds %.2f, want below the prior", ok.LogOdds)
	}
	// Without the hiring evidence the farm is still watched, not high:
	// device evidence alone does not reach even odds.
	var devOnly []Evidence
	for _, e := range ev {
		if e.Subject.Kind == KindDevice {
			devOnly = append(devOnly, e)
		}
	}
	r := Fuse(devOnly, &l, DefaultConfig(), t0)[0]
	if r.Level != LevelWatch {
		t.Errorf("farm without screening: level %s (log-odds %.2f), want watch", r.Level, r.LogOdds)
	}
}
