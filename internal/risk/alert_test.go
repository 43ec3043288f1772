package risk

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func risk(s Subject, lo float64, level string, signals int, dets ...string) Risk {
	r := Risk{Subject: s, LogOdds: lo, Level: level, Signals: signals, Probability: probability(lo)}
	for _, d := range dets {
		r.Contributions = append(r.Contributions, Contribution{Evidence: Evidence{Subject: s, Detector: d}, Bits: 3, Counted: true})
	}
	return r
}

func newAlerter(t *testing.T, rules ...Rule) *Alerter {
	t.Helper()
	cfg := DefaultConfig()
	if rules != nil {
		cfg.Rules = rules
	}
	a, err := NewAlerter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAlertRules(t *testing.T) {
	a := newAlerter(t)
	w := Worker("w-1")
	got := a.Evaluate([]Risk{risk(w, 2, LevelHigh, 3, "latency.too-slow", "input.injected")}, t0)
	var rules []string
	for _, al := range got {
		rules = append(rules, al.Rule)
		if len(al.Cites) != 2 || al.Summary == "" || al.ID == "" {
			t.Errorf("alert %+v: want 2 cites, a summary and an id", al)
		}
	}
	if !equal(rules, []string{"high-risk"}) {
		t.Errorf("rules fired = %v, want [high-risk]: the watch rule leaves high risks to it", rules)
	}
	// Two signals at level watch: the review queue's rule.
	if got := newAlerter(t).Evaluate([]Risk{risk(w, -4, LevelWatch, 2, "latency.too-slow", "input.injected")}, t0); len(got) != 1 || got[0].Rule != "watch" {
		t.Errorf("watch risk with 2 signals fired %+v, want the watch rule", got)
	}
	// One signal, high level: high-risk needs 2.
	if got := newAlerter(t).Evaluate([]Risk{risk(w, 1, LevelHigh, 1, "latency.impossible")}, t0); len(got) != 0 {
		t.Errorf("one signal fired %d alerts, want 0", len(got))
	}
	// The ip-kvm rule fires on its detector alone.
	got = newAlerter(t).Evaluate([]Risk{risk(w, -4, LevelWatch, 1, "endpoint.ip-kvm")}, t0)
	if len(got) != 1 || got[0].Rule != "ip-kvm" || !strings.Contains(got[0].Summary, "endpoint.ip-kvm") {
		t.Errorf("ip-kvm alerts = %+v", got)
	}
	lo := 5.0
	got = newAlerter(t, Rule{Name: "by-odds", MinLogOdds: &lo}).Evaluate([]Risk{risk(w, 4, LevelHigh, 3), risk(Worker("w-2"), 6, LevelHigh, 3)}, t0)
	if len(got) != 1 || got[0].Subject != Worker("w-2") {
		t.Errorf("min_log_odds 5 alerts = %+v, want only w-2", got)
	}
}

func TestAlertDedupRealertSuppress(t *testing.T) {
	a := newAlerter(t, Rule{Name: "r", MinLevel: LevelWatch})
	w := Worker("w-1")
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	n := func(lo float64, level string, h int) int {
		return len(a.Evaluate([]Risk{risk(w, lo, level, 1, "t.a")}, at(h)))
	}
	if n(-5, LevelWatch, 0) != 1 {
		t.Fatal("first match: want 1 alert")
	}
	if n(-4, LevelWatch, 1) != 0 {
		t.Error("rose 1 bit (< margin 2): want no alert")
	}
	if n(-2.5, LevelWatch, 2) != 1 {
		t.Error("rose 2.5 bits: want a new alert")
	}
	if n(-2.5, LevelWatch, 3) != 0 {
		t.Error("unchanged: want no alert")
	}
	if n(-2.5, LevelWatch, 3+7*24) != 1 {
		t.Error("after the re-alert interval: want a new alert")
	}
	if n(-9, LevelClear, 200) != 0 || n(-6, LevelWatch, 201) != 1 {
		t.Error("dropped below and came back: want a new alert")
	}
	if err := a.Suppress(w, "r", at(300), "known contractor VPN", "analyst@corp"); err != nil {
		t.Fatal(err)
	}
	if n(10, LevelHigh, 250) != 0 {
		t.Error("suppressed: want no alert")
	}
	if n(10, LevelHigh, 301) != 1 {
		t.Error("suppression over: want an alert")
	}
	if err := a.Suppress(w, "", at(400), "on leave", "analyst@corp"); err != nil {
		t.Fatal(err)
	}
	if n(-9, LevelClear, 350) != 0 || n(10, LevelHigh, 351) != 0 {
		t.Error("all rules suppressed: want no alert")
	}
	if err := a.Suppress(w, "r", at(1), "", "x"); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Errorf("Suppress without a reason = %v, want an error naming the reason", err)
	}
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	a := newAlerter(t)
	a.Evaluate([]Risk{risk(Worker("w-1"), 2, LevelHigh, 3, "x.y"), risk(Applicant("a-1"), -5, LevelWatch, 2, "screen.shared.phone")}, t0)
	must(t, a.Suppress(Worker("w-2"), "", t0.Add(week), "under investigation", "soc"))
	st := a.Snapshot()
	var buf bytes.Buffer
	must(t, json.NewEncoder(&buf).Encode(st))
	st2, err := ParseState(&buf)
	must(t, err)
	b := newAlerter(t)
	must(t, b.Restore(st2))
	if got := b.Snapshot(); !reflect.DeepEqual(got, st) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, st)
	}
	// The restored alerter remembers: the same risk raises nothing, and
	// new alert ids continue the sequence.
	if got := b.Evaluate([]Risk{risk(Worker("w-1"), 2, LevelHigh, 3, "x.y")}, t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("restored alerter re-alerted %d times, want 0", len(got))
	}
	got := b.Evaluate([]Risk{risk(Worker("w-3"), 2, LevelHigh, 3, "x.y")}, t0)
	// w-1 raised high-risk (risk-1), a-1 watch (risk-2).
	if len(got) == 0 || got[0].ID != "risk-3" {
		t.Errorf("next alert = %+v, want id risk-3", got)
	}
	for _, bad := range []string{
		`{"version":2}`,
		`{"version":1,"open":[{"subject":{"kind":"cat","id":"x"},"rule":"r","alert_id":"a"}]}`,
		`{"version":1,"suppressions":[{"subject":{"kind":"worker","id":"x"},"until":"2026-01-01T00:00:00Z","reason":"r"}]}`,
		`{"version":1,"open":[{"subject":{"kind":"worker","id":"x"},"rule":"r","alert_id":"a"},{"subject":{"kind":"worker","id":"x"},"rule":"r","alert_id":"b"}]}`,
	} {
		st, err := ParseState(strings.NewReader(bad))
		if err == nil {
			err = b.Restore(st)
		}
		if err == nil {
			t.Errorf("restore %s = nil, want an error", bad)
		}
	}
	if _, err := ParseState(strings.NewReader(`{"version":1,"extra":1}`)); err == nil {
		t.Error("ParseState with an unknown field = nil, want an error")
	}
}
