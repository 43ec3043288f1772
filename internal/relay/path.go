package relay

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Linux TCP constants the model uses.
const (
	// RTOMin is Linux's minimum retransmission timeout (TCP_RTO_MIN). Linux
	// floors the variance term, not the sum: RTO = srtt + max(4·mdev, RTOMin),
	// so on a steady path the first retransmission fires RTT + 200 ms after
	// the lost send.
	RTOMin = 200 * time.Millisecond
	// DelayedAck is Linux's minimum delayed-ACK time (TCP_ATO_MIN).
	DelayedAck = 40 * time.Millisecond
	// quickAcks is how many segments Linux ACKs at once after a receive gap
	// longer than the RTO (TCP_MAX_QUICKACKS).
	quickAcks = 16
)

// Path is a model of a remote-control relay between an operator's keyboard
// and the laptop: every key event (press and release separately) is a small
// write on one TCP connection from the operator's machine to the laptop,
// which injects the event when the bytes reach its application. The model
// follows Linux's TCP:
//
//   - One-way delay RTT/2 in each direction; with Jitter, each packet's delay
//     is uniform in [RTT/2−Jitter, RTT/2+Jitter], clamped at 0, and a packet never
//     overtakes an earlier one (one FIFO queue, like netpath without
//     reordering), so jitter also squeezes packets together.
//   - Loss drops each data transmission (first sends and retransmissions)
//     independently with probability Loss; ACKs are never lost. A lost
//     segment is resent when RACK sees a later segment SACKed (one RTT after
//     that segment's send, and no earlier than 1.25 RTT after the lost one:
//     RACK's min_rtt/4 reordering window), or on the retransmission timeout
//     RTO = RTT + max(4·mdev, RTOMin), doubling for each further loss of the
//     same segment. Whichever comes first. The receiver hands data to the
//     application only in order, so everything behind a lost segment waits
//     and then arrives at once: head-of-line blocking, a stall then a burst.
//   - Without NoDelay, Nagle's algorithm (Minshall's variant, as Linux): a
//     small segment is sent only when no earlier small segment is
//     unacknowledged; writes made meanwhile are coalesced and sent as one
//     segment when the ACK arrives. The receiver ACKs after AckDelay unless
//     it is in quick-ACK mode (the 16 segments after a receive gap longer
//     than the RTO). So key events arrive in clumps one ACK clock
//     (RTT + ACK delay) apart, and a quick key's press and release often
//     arrive in the same segment: a zero hold.
//   - With Batch, the remote-desktop tool collects input into frames: every
//     event is written at the next frame boundary (frames every Batch, at a
//     random phase), and events of the same frame in one write.
//
// Not modelled: the congestion window (a thin stream rarely has more than
// two or three segments in flight), tail-loss probes (with one segment in
// flight Linux's probe timeout exceeds the RTO; with more, RACK usually
// fires first), ACK loss, and
// server-side processing time. The zero Path is a direct, zero-delay
// connection with NoDelay off and no ACK delay.
type Path struct {
	RTT      time.Duration // round-trip time of the path, split evenly
	Jitter   time.Duration // half-width of the uniform one-way delay spread
	Loss     float64       // probability in [0, 1) that a data transmission is dropped
	NoDelay  bool          // TCP_NODELAY set: every write is sent at once
	Batch    time.Duration // remote-desktop input frame interval; 0 writes each event at once
	AckDelay time.Duration // receiver's delayed-ACK time outside quick-ACK mode (Linux: DelayedAck)
}

// String describes the path compactly, e.g. "rtt=150ms jit=5ms loss=0.5% nagle batch=16ms".
func (p Path) String() string {
	s := fmt.Sprintf("rtt=%v jit=%v loss=%g%%", p.RTT, p.Jitter, p.Loss*100)
	if p.NoDelay {
		s += " nodelay"
	} else {
		s += " nagle"
	}
	if p.Batch > 0 {
		s += fmt.Sprintf(" batch=%v", p.Batch)
	}
	return s
}

// Validate reports a parameter outside its range.
func (p Path) Validate() error {
	switch {
	case p.RTT < 0 || p.RTT > time.Minute:
		return fmt.Errorf("relay path RTT %v is outside [0, 1m]", p.RTT)
	case p.Jitter < 0 || p.Jitter > time.Second:
		return fmt.Errorf("relay path jitter %v is outside [0, 1s]", p.Jitter)
	case !(p.Loss >= 0 && p.Loss < 0.5):
		return fmt.Errorf("relay path loss %v is outside [0, 0.5)", p.Loss)
	case p.Batch < 0 || p.Batch > time.Second:
		return fmt.Errorf("relay path batch %v is outside [0, 1s]", p.Batch)
	case p.AckDelay < 0 || p.AckDelay > time.Second:
		return fmt.Errorf("relay path ACK delay %v is outside [0, 1s]", p.AckDelay)
	}
	return nil
}

// Message is one key event on the wire: a press or a release of stroke
// Stroke at time At.
type Message struct {
	At     time.Duration
	Stroke int32
	Down   bool
}

// Messages splits strokes into their press and release messages in time
// order (a press before a release at the same instant), appending to dst.
func Messages(dst []Message, events []keystroke.Event) []Message {
	for i, e := range events {
		dst = append(dst, Message{At: e.Press, Stroke: int32(i), Down: true},
			Message{At: max(e.Release, e.Press), Stroke: int32(i)})
	}
	slices.SortStableFunc(dst, func(a, b Message) int {
		if a.At != b.At {
			if a.At < b.At {
				return -1
			}
			return 1
		}
		if a.Down != b.Down {
			if a.Down {
				return -1
			}
			return 1
		}
		return 0
	})
	return dst
}

// Relay returns the strokes as the laptop sees them after the path: press
// and release times are the delivery times of their messages. Results are
// deterministic for a seed. The input need not be sorted; the output is in
// input order.
func (p Path) Relay(events []keystroke.Event, seed uint64) []keystroke.Event {
	msgs := Messages(make([]Message, 0, 2*len(events)), events)
	deliv := p.Deliver(msgs, seed)
	out := slices.Clone(events)
	for i, m := range msgs {
		if m.Down {
			out[m.Stroke].Press = deliv[i]
		} else {
			out[m.Stroke].Release = deliv[i]
		}
	}
	for i := range out {
		out[i].Release = max(out[i].Release, out[i].Press)
	}
	return out
}

// Deliver returns, for each message (sorted by At), the time the laptop's
// application receives it.
func (p Path) Deliver(msgs []Message, seed uint64) []time.Duration {
	s := sim{p: p, rng: rand.New(rand.NewPCG(seed, 0x72656c6179)), owd: p.RTT / 2}
	s.rto = p.RTT + max(2*p.Jitter, RTOMin) // 4·mdev of a uniform ±J delay difference is about 2J
	// Write times: each message at its own time, or at the next frame.
	writes := make([]time.Duration, len(msgs))
	phase := time.Duration(0)
	if p.Batch > 0 {
		phase = time.Duration(s.rng.Int64N(int64(p.Batch)))
	}
	for i, m := range msgs {
		w := m.At
		if p.Batch > 0 {
			k := (w - phase + p.Batch - 1) / p.Batch
			if w-phase < 0 {
				k = 0
			}
			w = phase + k*p.Batch
		}
		writes[i] = w
	}
	out := make([]time.Duration, len(msgs))
	if p.NoDelay {
		s.noDelay(writes, out)
	} else {
		s.nagle(writes, out)
	}
	return out
}

type sim struct {
	p        Path
	rng      *rand.Rand
	owd      time.Duration
	rto      time.Duration
	lastArr  time.Duration // FIFO: latest arrival on the forward link
	lastRecv time.Duration // receiver: last data arrival (for quick-ACK mode)
	quick    int           // quick ACKs left
	started  bool
}

// delay draws one packet's one-way delay.
func (s *sim) delay() time.Duration {
	if s.p.Jitter <= 0 {
		return s.owd
	}
	return max(s.owd-s.p.Jitter+time.Duration(s.rng.Int64N(int64(2*s.p.Jitter)+1)), 0)
}

// lost draws whether a transmission is dropped.
func (s *sim) lost() bool { return s.p.Loss > 0 && s.rng.Float64() < s.p.Loss }

// arrive returns the arrival time of a packet sent at t on the FIFO link.
func (s *sim) arrive(t time.Duration) time.Duration {
	a := max(t+s.delay(), s.lastArr)
	s.lastArr = a
	return a
}

// retransmit returns when a segment that was lost finally arrives, given
// the time of its first resend. Later resends back off exponentially. With
// fifo the resend queues behind earlier packets on the link; without, it
// only gets its own delay (used when later first sends were already
// placed on the link).
func (s *sim) retransmit(first time.Duration, fifo bool) time.Duration {
	t, rto := first, 2*s.rto
	for s.lost() {
		t += rto
		rto = min(2*rto, 120*time.Second)
	}
	if fifo {
		return s.arrive(t)
	}
	return t + s.delay()
}

// ackAt returns when the sender learns of data the receiver got at a.
func (s *sim) ackAt(a time.Duration) time.Duration {
	if !s.started || a-s.lastRecv > s.rto {
		s.quick = quickAcks
	}
	s.started, s.lastRecv = true, a
	d := s.p.AckDelay
	if s.quick > 0 {
		s.quick--
		d = 0
	}
	return a + d + s.delay()
}

// noDelay sends every write group as its own segment at its write time.
func (s *sim) noDelay(writes, out []time.Duration) {
	// Group equal write times into segments.
	type seg struct {
		send    time.Duration
		lo, hi  int // messages [lo, hi)
		arrival time.Duration
		lost    bool
	}
	var segs []seg
	for i := 0; i < len(writes); {
		j := i + 1
		for j < len(writes) && writes[j] == writes[i] {
			j++
		}
		segs = append(segs, seg{send: writes[i], lo: i, hi: j})
		i = j
	}
	// First transmissions in send order (FIFO link).
	for k := range segs {
		if s.lost() {
			segs[k].lost = true
			continue
		}
		segs[k].arrival = s.arrive(segs[k].send)
	}
	// Recovery of lost segments: RACK on the next delivered later segment,
	// else the RTO.
	for k := range segs {
		if !segs[k].lost {
			continue
		}
		send := segs[k].send
		resend := send + s.rto
		for m := k + 1; m < len(segs) && segs[m].send < resend; m++ {
			if !segs[m].lost {
				rack := max(segs[m].send+s.p.RTT, send+s.p.RTT+s.p.RTT/4)
				resend = min(resend, rack)
				break
			}
		}
		segs[k].arrival = s.retransmit(resend, false)
	}
	// In-order delivery to the application.
	var d time.Duration
	for k, sg := range segs {
		if k == 0 || sg.arrival > d {
			d = sg.arrival
		}
		for i := sg.lo; i < sg.hi; i++ {
			out[i] = d
		}
	}
}

// nagle sends a segment only when nothing is unacknowledged, coalescing the
// writes made meanwhile.
func (s *sim) nagle(writes, out []time.Duration) {
	ack := time.Duration(math.MinInt64) // when the outstanding segment is acked
	for i := 0; i < len(writes); {
		send := max(writes[i], ack)
		j := i + 1
		for j < len(writes) && writes[j] <= send {
			j++
		}
		var a time.Duration
		if s.lost() {
			a = s.retransmit(send+s.rto, true)
		} else {
			a = s.arrive(send)
		}
		for k := i; k < j; k++ {
			out[k] = a
		}
		ack = s.ackAt(a)
		i = j
	}
}
