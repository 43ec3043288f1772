package dossier

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
)

func TestThin(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	mk := func(rtts ...int) []report.RTTSample {
		var xs []report.RTTSample
		for i, r := range rtts {
			xs = append(xs, report.RTTSample{At: t0.Add(time.Duration(i) * time.Minute), RTT: time.Duration(r) * time.Millisecond})
		}
		return xs
	}
	ms := func(xs []report.RTTSample) []int {
		var out []int
		for _, x := range xs {
			out = append(out, int(x.RTT/time.Millisecond))
		}
		return out
	}
	for _, tc := range []struct {
		in   []int
		n    int
		want []int
	}{
		{[]int{5, 4, 3}, 3, []int{5, 4, 3}},                               // short: unchanged
		{[]int{10, 11, 12, 13, 14, 15, 16, 17, 18}, 3, []int{10, 14, 18}}, // first, middle, last
		{[]int{10, 11, 12, 13, 14, 15, 16, 1, 18}, 3, []int{10, 14, 1}},   // the minimum replaces the nearest pick
		{[]int{10, 11, 1, 13, 14, 15, 16, 17, 18}, 3, []int{1, 14, 18}},
		{[]int{10, 11, 12, 13, 1, 15, 16, 17, 18}, 3, []int{10, 1, 18}},
		{[]int{10, 11, 12, 1}, 1, []int{1}},
	} {
		got := thin(mk(tc.in...), tc.n)
		if !slices.Equal(ms(got), tc.want) {
			t.Errorf("thin(%v, %d) = %v, want %v", tc.in, tc.n, ms(got), tc.want)
		}
		if !slices.IsSortedFunc(got, func(a, b report.RTTSample) int { return a.At.Compare(b.At) }) {
			t.Errorf("thin(%v, %d) is not oldest first", tc.in, tc.n)
		}
	}
}

func TestClosestSession(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      store.EndpointReport
		want   time.Duration
		remote string
	}{
		{"min rtt", store.EndpointReport{Body: json.RawMessage(`{"remote_tools":[{"name":"anydesk","sessions":[{"remote":"a","rtt_us":190000,"min_rtt_us":180000},{"remote":"b","rtt_us":150000}]}]}`)}, 150 * time.Millisecond, "b"},
		{"no sessions", store.EndpointReport{MinSessionRTT: time.Second, Body: json.RawMessage(`{"remote_tools":[{"name":"anydesk","sessions":[]}]}`)}, 0, ""},
		{"unknown rtt", store.EndpointReport{Body: json.RawMessage(`{"remote_tools":[{"name":"anydesk","sessions":[{"remote":"a"}]}]}`)}, 0, ""},
		{"over a minute", store.EndpointReport{Body: json.RawMessage(`{"remote_tools":[{"name":"x","sessions":[{"remote":"a","min_rtt_us":9223372036854775807}]}]}`)}, 0, ""},
		{"unreadable body: stored minimum", store.EndpointReport{MinSessionRTT: 90 * time.Millisecond, Body: json.RawMessage(`{"remote_tools":7}`)}, 90 * time.Millisecond, "an unknown address"},
		{"no body, no minimum", store.EndpointReport{}, 0, ""},
	} {
		s, ok := closestSession(tc.r)
		if s.MinRTT != tc.want || ok != (tc.want > 0) || s.Remote != tc.remote {
			t.Errorf("%s: closestSession() = %+v, %v; want %v from %q", tc.name, s, ok, tc.want, tc.remote)
		}
	}
}

// FuzzClosestSession reads endpoint-report bodies as the store holds them
// (agent input): no panic, and any session found has an RTT the report
// can show.
func FuzzClosestSession(f *testing.F) {
	f.Add([]byte(`{"remote_tools":[{"name":"anydesk","sessions":[{"remote":"a","rtt_us":190000,"min_rtt_us":180000}]}]}`), int64(0))
	f.Add([]byte(`{"remote_tools":[{"sessions":[{"min_rtt_us":-5,"rtt_us":1e30}]}]}`), int64(5000))
	f.Add([]byte(`null`), int64(-1))
	f.Fuzz(func(t *testing.T, body []byte, storedUS int64) {
		if len(body) > 1<<16 {
			return
		}
		r := store.EndpointReport{Body: body, MinSessionRTT: time.Duration(storedUS) * time.Microsecond}
		s, ok := closestSession(r)
		if ok != (s.MinRTT > 0) || s.MinRTT < 0 || s.MinRTT > maxRTT {
			t.Fatalf("closestSession(%q) = %+v, %v", body, s, ok)
		}
		if ok {
			est := []report.OperatorEstimate{{AddedMs: msOf(s.MinRTT), Confidence: 1}}
			if err := (report.Case{ID: "x", Operator: est}).Validate(); err != nil {
				t.Fatalf("closestSession(%q) = %v: %v", body, s.MinRTT, err)
			}
		}
	})
}
