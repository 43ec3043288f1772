package relay

import (
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// BenchmarkExtractorAdd measures feature extraction per stroke (a press
// and a release message); it must not allocate.
func BenchmarkExtractorAdd(b *testing.B) {
	var x Extractor
	benchStream(b, typing(4096, 1), x.Add, func() { x.Cut() })
}

// benchStream feeds add the 4096 strokes of ev over and over, calling cut
// after each round and shifting the next round's times past it.
func benchStream(b *testing.B, ev []keystroke.Event, add func(keystroke.Event), cut func()) {
	span := ev[4095].Release + time.Second // one round's length: later rounds shift by it
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		add(ev[i&4095])
		i++
		if i&4095 == 0 {
			cut()
			for j := range ev { // keep times increasing across rounds
				ev[j].Press += span
				ev[j].Release += span
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

// BenchmarkLiveExtractorAdd measures the agent's extractor per stroke, on
// strokes in the order a reader reports them; it must not allocate.
func BenchmarkLiveExtractorAdd(b *testing.B) {
	var x LiveExtractor
	benchStream(b, byRelease(rolling(4096, 1)), x.Add, func() { x.Cut() })
}
