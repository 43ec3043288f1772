package operator

import (
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/latency"
)

func band(t *testing.T) *latency.Band {
	t.Helper()
	b, err := latency.DefaultBand()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFuseSessionFarAway(t *testing.T) {
	e, err := Fuse(band(t), Evidence{Session: &Session{Tool: "x11vnc", Remote: "203.0.113.9:51000", MinRTT: 250 * time.Millisecond}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if e.Source != "session" || e.LoopRTT != 250*time.Millisecond {
		t.Errorf("loop %v from %q, want 250 ms from the session", e.LoopRTT, e.Source)
	}
	// 250 ms is well beyond any honest path within a few hundred km; light
	// covers 25,000 km in it, more than the farthest point on Earth.
	if e.AtLeastKm < 1000 || e.AtLeastKm >= e.AtMostKm || e.AtMostKm < 20_000 {
		t.Errorf("at least %v km, at most %v km", e.AtLeastKm, e.AtMostKm)
	}
	for _, want := range []string{"x11vnc", "250 ms", "at least", "99 % confidence"} {
		if !strings.Contains(e.Explanation, want) {
			t.Errorf("explanation lacks %q: %s", want, e.Explanation)
		}
	}
}

func TestFuseMonotonic(t *testing.T) {
	b := band(t)
	prev := -1.0
	for _, rtt := range []time.Duration{5, 40, 80, 120, 160, 220, 300} {
		e, err := Fuse(b, Evidence{Session: &Session{Tool: "t", Remote: "r", MinRTT: rtt * time.Millisecond}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("loop %3d ms: at least %5.0f km (99 %%), at most %5.0f km", rtt, e.AtLeastKm, e.AtMostKm)
		if e.AtLeastKm < prev {
			t.Errorf("at %d ms: at least %v km, less than %v km at a shorter loop", rtt, e.AtLeastKm, prev)
		}
		prev = e.AtLeastKm
	}
}

func TestFuseLocalLoopClaimsNothing(t *testing.T) {
	e, err := Fuse(band(t), Evidence{Session: &Session{Tool: "x11vnc", Remote: "192.168.1.5:40000", MinRTT: 2 * time.Millisecond}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if e.AtLeastKm != 0 || !strings.Contains(e.Explanation, "near the device") {
		t.Errorf("a 2 ms loop gave at least %v km: %s", e.AtLeastKm, e.Explanation)
	}
}

func TestFusePicksLargestLowerBound(t *testing.T) {
	// A jump host next to the laptop: the session is 3 ms, but the typing
	// shows a 200 ms relay and the presence challenge 260 ms added.
	ev := Evidence{
		Session:  &Session{Tool: "x11vnc", Remote: "10.0.0.2:5900", MinRTT: 3 * time.Millisecond},
		Relay:    &Relay{RTT: 200 * time.Millisecond, Basis: "ack-clock"},
		Presence: &Presence{Added: 260 * time.Millisecond, Low: 230 * time.Millisecond, High: 290 * time.Millisecond, Prompts: 7},
	}
	e, err := Fuse(band(t), ev, 0)
	if err != nil {
		t.Fatal(err)
	}
	// relay: 200 × 0.75 = 150 ms; presence: 230 − 50 = 180 ms.
	if e.Source != "presence" || e.LoopRTT != 180*time.Millisecond {
		t.Errorf("loop %v from %q, want 180 ms from the presence challenge", e.LoopRTT, e.Source)
	}
	if !strings.Contains(e.Explanation, "ack-clock") || !strings.Contains(e.Explanation, "7 prompts") {
		t.Errorf("explanation does not list every measurement: %s", e.Explanation)
	}
}

func TestFuseNoEvidence(t *testing.T) {
	e, err := Fuse(band(t), Evidence{}, 0)
	if err != nil || e.LoopRTT != 0 || !strings.Contains(e.Explanation, "nothing says") {
		t.Errorf("Fuse(no evidence) = %+v, %v", e, err)
	}
	if _, err := Fuse(band(t), Evidence{}, 1.5); err == nil {
		t.Error("confidence 1.5 accepted")
	}
	if _, err := Fuse(nil, Evidence{}, 0); err == nil {
		t.Error("nil band accepted")
	}
}
