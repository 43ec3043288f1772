package risk

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func FuzzRestore(f *testing.F) {
	a, _ := NewAlerter(DefaultConfig())
	a.Evaluate([]Risk{risk(Worker("w-1"), 2, LevelHigh, 3, "x.y")}, t0)
	_ = a.Suppress(Device("d-1"), "", t0.Add(time.Hour), "why", "who")
	seed, _ := json.Marshal(a.Snapshot())
	f.Add(seed)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"open":[{"subject":{"kind":"worker","id":"x"},"rule":"r","alert_id":"a","log_odds":1e309}]}`))
	f.Add([]byte(`{"version":1,"suppressions":[{"subject":{"kind":"account","id":"x"},"until":"0001-01-01T00:00:00Z","reason":"r","by":"b"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseState(bytes.NewReader(data))
		if err != nil {
			return
		}
		b, _ := NewAlerter(DefaultConfig())
		if err := b.Restore(st); err != nil {
			return
		}
		snap := b.Snapshot()
		out, err := json.Marshal(snap)
		if err != nil {
			t.Fatalf("marshal restored state: %v", err)
		}
		st2, err := ParseState(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		c, _ := NewAlerter(DefaultConfig())
		if err := c.Restore(st2); err != nil {
			t.Fatalf("re-restore: %v", err)
		}
		if got := c.Snapshot(); !reflect.DeepEqual(normal(got), normal(snap)) {
			t.Fatalf("round trip differs:\n%+v\n%+v", got, snap)
		}
		b.Evaluate([]Risk{risk(Worker("x"), 1, LevelHigh, 3, "x.y")}, t0)
	})
}

// normal strips monotonic and location details that JSON does not keep.
func normal(s State) State {
	for i := range s.Open {
		s.Open[i].At = s.Open[i].At.UTC()
	}
	for i := range s.Suppressions {
		s.Suppressions[i].Until = s.Suppressions[i].Until.UTC()
	}
	return s
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"prior_odds":0.002,"detectors":{"latency.too-slow":{"lr":16,"half_life":"14d"}}}`))
	f.Add([]byte(`{"default":{"half_life":"never"},"rules":[{"name":"x","min_log_odds":-3,"detectors":["endpoint"]}]}`))
	f.Add([]byte(`{"realert_after":"1.5d","provenance":{"imported":0}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n\n") {
				t.Fatalf("malformed error %q", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseConfig accepted a config Validate refuses: %v", err)
		}
		// Whatever the config, Fuse gives finite numbers.
		ev := []Evidence{
			{Subject: Worker("w"), Detector: "latency.too-slow", Provenance: AgentReported, At: t0.Add(-time.Hour)},
			{Subject: Worker("w"), Detector: "screen.x", LR: 1e-300, Provenance: "?", At: t0.Add(-1000 * day)},
			{Subject: Worker("w"), Detector: "new", LR: math.MaxFloat64, At: t0},
		}
		for _, r := range Fuse(ev, nil, c, t0) {
			if math.IsNaN(r.LogOdds) || math.IsInf(r.LogOdds, 0) || math.IsNaN(r.Probability) {
				t.Fatalf("Fuse under %s: log-odds %v probability %v", data, r.LogOdds, r.Probability)
			}
		}
	})
}
