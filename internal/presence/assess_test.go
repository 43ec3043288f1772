package presence

import (
	"strings"
	"testing"
	"time"
)

func msList(vs ...int) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

// TestAssess checks decisions, exclusions and explanations on hand-made
// reaction lists against the population norms.
func TestAssess(t *testing.T) {
	pop := PopulationBaseline()
	for _, tc := range []struct {
		name     string
		rs       []time.Duration
		base     Baseline
		verdict  Verdict
		prompts  int
		excluded int
		text     string
	}{
		{"typical local", msList(250, 240, 265, 230, 255), pop, Consistent, 3, 0, "match population norms"},
		{"half a second slower", msList(750, 740, 765, 730, 755), pop, Delayed, 3, 0, "slower than population norms"},
		{"anticipations and lapses excluded", msList(50, 2500, 250, 240, 265), pop, Consistent, 5, 2, "match"},
		{"too few", msList(250, 240), pop, Insufficient, 2, 0, "No decision after 2 prompts"},
		{"nothing valid", msList(10, 20), pop, Insufficient, 2, 2, "No valid reactions"},
		{"no baseline", msList(250, 240, 265), Baseline{}, Insufficient, 0, 0, "no usable baseline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Assess(tc.rs, tc.base)
			if got.Verdict != tc.verdict || got.Prompts != tc.prompts || got.Excluded != tc.excluded || !strings.Contains(got.Explanation, tc.text) {
				t.Errorf("Assess(%v) = %s after %d prompts, %d excluded, %q; want %s after %d, %d excluded, containing %q",
					tc.rs, got.Verdict, got.Prompts, got.Excluded, got.Explanation, tc.verdict, tc.prompts, tc.excluded, tc.text)
			}
		})
	}
}

// TestWorkerBaseline checks the enrolment minimum and that the spread grows
// with fewer enrolment sessions.
func TestWorkerBaseline(t *testing.T) {
	if _, err := WorkerBaseline([][]time.Duration{msList(250, 260, 50, 5000)}); err == nil {
		t.Error("WorkerBaseline of 2 valid reactions: no error")
	}
	rs := msList(230, 250, 240, 300, 270, 260, 245, 280, 235, 330, 255, 265)
	one, err := WorkerBaseline([][]time.Duration{rs})
	if err != nil {
		t.Fatal(err)
	}
	two, err := WorkerBaseline([][]time.Duration{rs[:6], rs[6:]})
	if err != nil {
		t.Fatal(err)
	}
	if one.Source != "worker" || len(one.Reference) != len(rs) || one.Spread <= two.Spread {
		t.Errorf("one session: %s, %d refs, spread %v; two sessions: spread %v (want smaller)", one.Source, len(one.Reference), one.Spread, two.Spread)
	}
}
