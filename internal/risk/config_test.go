package risk

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigValid(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"latency.too-slow", "endpoint.remote-session", "endpoint.ip-kvm", "input.injected", "relay.detected", "presence.delayed", "idp.shared-egress", "screen"} {
		if d, ok := DefaultWeights()[id]; !ok || d.Reason == "" {
			t.Errorf("DefaultWeights()[%q] = %+v, want an entry with a reason", id, d)
		}
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(strings.NewReader(`{
		"prior_odds": 0.002,
		"provenance": {"agent-reported": 0.4},
		"detectors": {"latency.too-slow": {"lr": 16, "half_life": "14d"}, "screen.phone.voip": {"cap_bits": 1}, "new.thing": {"lr": 4}},
		"default": {"half_life": "never"},
		"realert_after": "36h"
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.PriorOdds != 0.002 || c.Provenance[AgentReported] != 0.4 || c.Provenance[ServerMeasured] != 1 {
		t.Errorf("prior/provenance = %v %v", c.PriorOdds, c.Provenance)
	}
	if d := c.detector("latency.too-slow"); d.LR != 16 || d.HalfLife != 14*day || d.CapBits != 10 {
		t.Errorf("latency.too-slow = %+v, want lr 16, 14 days, cap kept at 10", d)
	}
	if d := c.detector("screen.phone.voip"); d.CapBits != 1 || d.HalfLife != 0 {
		t.Errorf("screen.phone.voip = %+v, want the screen class with cap 1", d)
	}
	if d := c.detector("new.thing"); d.LR != 4 || d.CapBits != 6 {
		t.Errorf("new.thing = %+v, want lr 4 on the default", d)
	}
	if c.Default.HalfLife != 0 || c.RealertAfter != 36*time.Hour || len(c.Rules) != 3 {
		t.Errorf("default half-life %v, realert %v, %d rules", c.Default.HalfLife, c.RealertAfter, len(c.Rules))
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"prior_odds": 0}`, "prior_odds: must be between"},
		{`{"provenance": {"agent-reported": 2}}`, "provenance.agent-reported: must be between 0 and 1"},
		{`{"detectors": {"latency.too-slow": {"lr": -1}}}`, "detectors.latency.too-slow.lr"},
		{`{"detectors": {"x.y": {"cap_bits": 99}}}`, "detectors.x.y.cap_bits: must be above 0 and at most 30"},
		{`{"detectors": {"x.y": {"half_life": "soon"}}}`, "detectors.x.y.half_life"},
		{`{"detectors": {"x.y": {"half_life": "99999d"}}}`, "detectors.x.y.half_life"},
		{`{"watch_at": 1, "high_at": 0}`, "watch_at <= high_at"},
		{`{"rules": [{"name": "a", "min_level": "panic"}]}`, "rules[0].min_level"},
		{`{"rules": [{"name": "a", "max_level": "panic"}]}`, "rules[0].max_level"},
		{`{"rules": [{"name": "a", "min_level": "high", "max_level": "watch"}]}`, "rules[0].max_level: \"watch\" is below min_level"},
		{`{"rules": [{"name": "a"}, {"name": "a"}]}`, "rules[1].name"},
		{`{"rules": [{"name": ""}]}`, "rules[0].name"},
		{`{"alert_margin": -1}`, "alert_margin"},
		{`{"bogus": 1}`, "unknown field"},
		{`{} {}`, "more than one"},
	}
	for _, tt := range tests {
		_, err := ParseConfig(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%s) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}
