package analyze

import (
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/store"
)

func TestAnalyzerWithSQLite(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, t.TempDir()+"/lagwatch.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutLandmark(ctx, store.Landmark{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.0522, Lon: -118.2437}))
	for _, w := range []store.Worker{
		{ID: "w-honest", Name: "Honest", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.4484, Lon: -112.074, Access: "cable"},
		{ID: "w-vpn", Name: "VPN", ClaimedLocation: "Phoenix, AZ, US", Lat: 33.4484, Lon: -112.074},
	} {
		must(st.PutWorker(ctx, w))
		tok := []byte("token-" + w.ID)
		must(st.CreateEnrolmentToken(ctx, tok, w.ID, now.Add(time.Hour)))
		if _, err := st.Enrol(ctx, tok, store.Device{ID: "d-" + w.ID}, []byte("cred-"+w.ID), now); err != nil {
			t.Fatal(err)
		}
	}
	add := func(dev string, p store.Provenance, ms ...float64) {
		var ss []store.RTTSample
		for i, m := range ms {
			ss = append(ss, store.RTTSample{DeviceID: dev, Landmark: "us-west", At: now.Add(-time.Duration(i) * time.Minute), RTT: time.Duration(m * float64(time.Millisecond)), Provenance: p})
		}
		must(st.AddSamples(ctx, ss))
	}
	add("d-w-honest", store.ServerTCP, 24, 22, 23, 25)
	add("d-w-vpn", store.ServerTCP, 175, 172, 180)
	// A lying agent reports a tiny RTT; server measurements outrank it.
	add("d-w-vpn", store.Agent, 9, 9, 9, 9)
	// Old samples outside the window do not count.
	must(st.AddSamples(ctx, []store.RTTSample{{DeviceID: "d-w-vpn", Landmark: "us-west", At: now.Add(-48 * time.Hour), RTT: 20 * time.Millisecond, Provenance: store.ServerTCP}}))

	band, err := latency.DefaultBand()
	must(err)
	an, err := New(st, Config{Band: band, Now: func() time.Time { return now.Add(time.Second) }})
	must(err)
	all, err := an.All(ctx)
	must(err)
	if len(all) != 2 {
		t.Fatalf("All returned %d verdicts, want 2", len(all))
	}
	got := map[string]DeviceVerdict{}
	for _, v := range all {
		got[v.Worker.ID] = v
	}
	if s := got["w-honest"].Verdict.Status; s != latency.Consistent {
		t.Errorf("honest worker: %s, want consistent:\n%s", s, strings.Join(got["w-honest"].Verdict.Explanation, "\n"))
	}
	vpn := got["w-vpn"].Verdict
	if vpn.Status != latency.TooSlow {
		t.Errorf("VPN worker: %s, want too-slow:\n%s", vpn.Status, strings.Join(vpn.Explanation, "\n"))
	}
	if len(vpn.Findings) != 1 || vpn.Findings[0].Provenance != string(store.ServerTCP) || vpn.Findings[0].MinMs != 172 || vpn.Findings[0].Count != 3 {
		t.Errorf("VPN finding = %+v, want server-tcp min 172 ms over 3 samples", vpn.Findings)
	}
	one, err := an.Device(ctx, "d-w-vpn")
	must(err)
	if one.Verdict.Status != vpn.Status {
		t.Errorf("Device() = %s, All() = %s", one.Verdict.Status, vpn.Status)
	}
	if _, err := an.Device(ctx, "nope"); err == nil {
		t.Error("Device(nope): want an error")
	}
}
