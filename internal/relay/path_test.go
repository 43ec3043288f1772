package relay

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

const ms = time.Millisecond

// typing returns n synthetic strokes: gaps of 80–250 ms between presses,
// holds of 60–120 ms, like a steady typist.
func typing(n int, seed uint64) []keystroke.Event {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]keystroke.Event, n)
	t := time.Second
	for i := range out {
		t += 80*ms + time.Duration(r.Int64N(int64(170*ms)))
		out[i] = keystroke.Event{Press: t, Release: t + 60*ms + time.Duration(r.Int64N(int64(60*ms))), Class: keystroke.ClassLetter}
	}
	return out
}

func TestConstantDelayShiftsEverything(t *testing.T) {
	ev := typing(300, 1)
	got := Path{RTT: 150 * ms, NoDelay: true}.Relay(ev, 1)
	for i := range ev {
		if got[i].Press-ev[i].Press != 75*ms || got[i].Release-ev[i].Release != 75*ms {
			t.Fatalf("stroke %d: delayed by %v/%v, want 75ms for both", i, got[i].Press-ev[i].Press, got[i].Release-ev[i].Release)
		}
	}
}

func TestDeliveryOrderAndDelayBounds(t *testing.T) {
	for _, p := range []Path{
		{RTT: 110 * ms, Jitter: 20 * ms, Loss: 0.02, NoDelay: true},
		{RTT: 110 * ms, Jitter: 20 * ms, Loss: 0.02, AckDelay: DelayedAck},
		{RTT: 60 * ms, Jitter: 5 * ms, NoDelay: true, Batch: 16 * ms},
	} {
		msgs := Messages(nil, typing(500, 2))
		d := p.Deliver(msgs, 3)
		for i := range msgs {
			if i > 0 && d[i] < d[i-1] {
				t.Fatalf("%v: message %d delivered at %v before message %d at %v: TCP delivers in order", p, i, d[i], i-1, d[i-1])
			}
			if lo := msgs[i].At + p.RTT/2 - p.Jitter; d[i] < lo {
				t.Fatalf("%v: message %d delivered %v after it was typed, want >= %v", p, i, d[i]-msgs[i].At, lo-msgs[i].At)
			}
		}
	}
}

func TestLossStallsThenBursts(t *testing.T) {
	ev := typing(2000, 4)
	p := Path{RTT: 150 * ms, Loss: 0.02, NoDelay: true}
	msgs := Messages(nil, ev)
	d := p.Deliver(msgs, 5)
	// Find messages delayed beyond the one-way delay: the stalled ones.
	stalled, bursts := 0, 0
	for i := range msgs {
		if d[i]-msgs[i].At > p.RTT/2 {
			stalled++
			// A stalled message waited at least for a RACK resend (1.25 RTT
			// after the lost send) or arrives with later messages.
			if i+1 < len(msgs) && d[i+1] == d[i] {
				bursts++
			}
		}
	}
	if stalled == 0 || bursts == 0 {
		t.Fatalf("%v: %d stalled messages, %d delivered with the next, want both > 0", p, stalled, bursts)
	}
	// The first message of each stall was held by a recovery of at least 1.25 RTT.
	for i := range msgs {
		if extra := d[i] - msgs[i].At - p.RTT/2; extra > 0 && (i == 0 || d[i-1]-msgs[i-1].At == p.RTT/2) {
			if extra < p.RTT/4 {
				t.Errorf("message %d: stalled only %v, a lost segment waits at least RTT/4 beyond an RTT", i, extra)
			}
		}
	}
	f := features(p.Relay(ev, 5))
	if f.StallBursts == 0 {
		t.Errorf("%v: no stall burst in the features", p)
	}
}

func TestNagleClumpsAtTheACKClock(t *testing.T) {
	ev := typing(1000, 6)
	p := Path{RTT: 150 * ms} // immediate ACKs: the clock is the RTT
	got := p.Relay(ev, 7)
	msgs := Messages(nil, got)
	var times []time.Duration
	for _, m := range msgs {
		if len(times) == 0 || m.At != times[len(times)-1] {
			times = append(times, m.At)
		}
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i] - times[i-1]; gap < p.RTT {
			t.Fatalf("deliveries %v apart at %v, want >= RTT %v: one segment per ACK", gap, times[i], p.RTT)
		}
	}
	zero := 0
	for _, e := range got {
		if e.Hold() == 0 {
			zero++
		}
	}
	// Presses 80–250 ms apart with 60–120 ms holds over a 150 ms clock:
	// many strokes' press and release share a segment.
	if zero < len(got)/10 {
		t.Errorf("%d of %d strokes have zero hold under Nagle, want >= 10 %%", zero, len(got))
	}
	if z := features(Path{RTT: 150 * ms, NoDelay: true}.Relay(ev, 7)).ZeroHolds; z != 0 {
		t.Errorf("TCP_NODELAY without loss: %d zero holds, want 0", z)
	}
}

func TestBatchQuantises(t *testing.T) {
	ev := typing(300, 8)
	p := Path{RTT: 100 * ms, NoDelay: true, Batch: 16 * ms}
	got := p.Relay(ev, 9)
	phase := got[0].Press % p.Batch
	for i, e := range got {
		if e.Press%p.Batch != phase || e.Release%p.Batch != phase {
			t.Fatalf("stroke %d at %v/%v, want on the %v frame grid at phase %v", i, e.Press, e.Release, p.Batch, phase)
		}
		if e.Press < ev[i].Press+p.RTT/2 || e.Press >= ev[i].Press+p.RTT/2+p.Batch {
			t.Fatalf("stroke %d delayed %v, want within one frame of the path delay", i, e.Press-ev[i].Press)
		}
	}
}

func TestDeterministic(t *testing.T) {
	ev := typing(500, 10)
	p := Path{RTT: 110 * ms, Jitter: 20 * ms, Loss: 0.02, NoDelay: true}
	a, b, c := p.Relay(ev, 1), p.Relay(ev, 1), p.Relay(ev, 2)
	if !slices.Equal(a, b) {
		t.Error("same seed, different output")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same output")
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []Path{{RTT: -1}, {Jitter: -1}, {Loss: 0.5}, {Loss: -0.1}, {Batch: 2 * time.Second}, {AckDelay: -1}} {
		if p.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", p)
		}
	}
	if err := (Path{RTT: 30 * ms, Jitter: 20 * ms, Loss: 0.02}).Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func features(ev []keystroke.Event) Features {
	slices.SortStableFunc(ev, func(a, b keystroke.Event) int { return int(a.Press - b.Press) })
	var x Extractor
	for _, e := range ev {
		x.Add(e)
	}
	return x.Cut()
}
