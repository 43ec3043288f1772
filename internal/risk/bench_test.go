package risk

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkFuse fuses 10,000 workers with 50 items of evidence each (two
// devices and an applicant per worker, 12 detectors, times over 60 days).
func BenchmarkFuse(b *testing.B) {
	const workers, perWorker = 10_000, 50
	dets := []string{"latency.too-slow", "latency.consistent", "endpoint.remote-session", "endpoint.remote-tool", "endpoint.ip-kvm-weak", "input.injected", "input.physical", "relay.detected", "presence.delayed", "idp.shared-egress", "screen.phone.voip", "screen.shared.phone"}
	var l Links
	ev := make([]Evidence, 0, workers*perWorker)
	for w := range workers {
		wid := fmt.Sprintf("w-%d", w)
		subs := []Subject{Device(wid + "-d1"), Device(wid + "-d2"), Applicant(wid + "-a")}
		for _, s := range subs {
			if err := l.Link(s, Worker(wid)); err != nil {
				b.Fatal(err)
			}
		}
		for i := range perWorker {
			s := subs[i%len(subs)]
			d := dets[(w+i)%len(dets)]
			e := Evidence{Subject: s, Detector: d, Provenance: AgentReported, At: t0.Add(-time.Duration(i*29) * time.Hour), Explanation: d}
			if s.Kind == KindDevice {
				e.Independent = d + ":" + s.ID
			}
			if s.Kind == KindApplicant {
				e.LR = 3
			}
			ev = append(ev, e)
		}
	}
	cfg := DefaultConfig()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rs := Fuse(ev, &l, cfg, t0)
		if len(rs) != workers {
			b.Fatalf("%d risks, want %d", len(rs), workers)
		}
	}
}
