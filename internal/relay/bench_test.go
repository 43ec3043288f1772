package relay

import (
	"testing"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// BenchmarkExtractorAdd measures feature extraction per stroke (a press
// and a release message); it must not allocate.
func BenchmarkExtractorAdd(b *testing.B) {
	ev := typing(4096, 1)
	var x Extractor
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x.Add(ev[i&4095])
		i++
		if i&4095 == 0 {
			x.Cut()
			for j := range ev { // keep times increasing across rounds
				ev[j].Press += ev[4095].Press
				ev[j].Release += ev[4095].Press
			}
		}
	}
}

// BenchmarkWindowerAdd measures keystroke.Windower on the same strokes,
// for comparison.
func BenchmarkWindowerAdd(b *testing.B) {
	ev := typing(4096, 1)
	wd := keystroke.NewWindower(false)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		wd.Add(ev[i&4095])
		i++
	}
}

func BenchmarkRelayNagle(b *testing.B) {
	ev := typing(1000, 1)
	p := Path{RTT: 150 * ms, Loss: 0.005, AckDelay: DelayedAck}
	b.ReportAllocs()
	for b.Loop() {
		p.Relay(ev, 1)
	}
}

func TestExtractorAddAllocs(t *testing.T) {
	ev := typing(1000, 1)
	var x Extractor
	i := 0
	if a := testing.AllocsPerRun(1000, func() { x.Add(ev[i%1000]); i++ }); a != 0 {
		t.Errorf("Extractor.Add allocates %v times per stroke, want 0", a)
	}
}
