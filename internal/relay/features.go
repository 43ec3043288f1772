package relay

import (
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Thresholds of the feature extractor.
const (
	// TieGap: two key messages (presses or releases) closer than this
	// arrived together. Fingers and a local keyboard scan (1 ms USB polling
	// at best) almost never put two events in the same millisecond; one
	// TCP segment delivers all its events at once.
	TieGap = time.Millisecond
	// BurstSize is how many messages delivered together make a burst.
	BurstSize = 3
	// StallGap is the least silence before a burst for it to count as a
	// stall then a burst (head-of-line blocking releasing its queue).
	StallGap = 150 * time.Millisecond
	// GapBin is the width of the gap histogram's bins and NumGapBins their
	// count; the last bin collects every longer gap.
	GapBin     = 4 * time.Millisecond
	StallBin   = 10 * time.Millisecond
	NumGapBins = 128
	// HoldClip caps hold times in the hold sums: long holds (modifiers,
	// a thumb resting on a key) say nothing about the path and would
	// swamp the spread.
	HoldClip = 250 * time.Millisecond
	// StallClip caps each silence in StallSum: a silence of minutes or
	// days (typing resumed the next morning) says no more about the path
	// than one of a minute.
	StallClip = time.Minute
	// HeldKeys bounds the releases an [Extractor] holds to merge them into
	// the message stream in time order (keys held down at once). They are
	// placed in the window after a cut, so a window can hold up to
	// HeldKeys release messages of strokes counted in the one before.
	HeldKeys  = 16
	phaseBins = 64
)

// QuantPeriods are the input-frame periods tested for quantisation: the
// common remote-desktop and display rates.
var QuantPeriods = [NumQuant]time.Duration{10 * time.Millisecond, 15 * time.Millisecond, 16_666_667, 33_333_333}

// NumQuant is the number of quantisation periods tested.
const NumQuant = 4

var quantInv = func() (inv [NumQuant]float64) {
	for i, p := range QuantPeriods {
		inv[i] = 1 / float64(p)
	}
	return
}()

var phaseCos, phaseSin = func() (c, s [phaseBins]float64) {
	for i := range phaseBins {
		a := 2 * math.Pi * (float64(i) + 0.5) / phaseBins
		c[i], s[i] = math.Cos(a), math.Sin(a)
	}
	return
}()

// Features are the relay fingerprints of one window of key strokes, as the
// laptop saw them. They hold counts and sums only, so windows add up
// ([Features.Add]) and nothing depends on which keys were typed.
type Features struct {
	Keys int // strokes
	Msgs int // messages (presses and releases) placed in time order

	Ties        int // messages within TieGap of the one before
	Bursts      int // runs of BurstSize or more messages delivered together
	StallBursts int // bursts right after a silence of StallGap or more
	ZeroHolds   int // strokes whose press and release arrived together

	// StallSum is the total silence before stall bursts, each capped at
	// StallClip, for the RTT estimate; GapSum and Gaps the sum and count
	// of the other gaps between TieGap and 1 s (the typist's own rhythm).
	StallSum time.Duration
	GapSum   time.Duration
	Gaps     int

	// StallHist counts the silences before stall bursts on StallBin bins;
	// a count stops at math.MaxUint16.
	StallHist [NumGapBins]uint16

	// Holds: sum and sum of squares of hold times capped at HoldClip, in
	// seconds.
	HoldSum, HoldSumSq float64

	// GapHist counts message gaps of at least TieGap on GapBin bins; a
	// count stops at math.MaxUint16.
	GapHist [NumGapBins]uint16

	// Phase sums of message times for each of QuantPeriods.
	QuantCos, QuantSin [NumQuant]float64
}

// Add adds another window's counts to f.
func (f *Features) Add(g *Features) {
	f.Keys += g.Keys
	f.Msgs += g.Msgs
	f.Ties += g.Ties
	f.Bursts += g.Bursts
	f.StallBursts += g.StallBursts
	f.ZeroHolds += g.ZeroHolds
	f.StallSum += g.StallSum
	f.GapSum += g.GapSum
	f.Gaps += g.Gaps
	f.HoldSum += g.HoldSum
	f.HoldSumSq += g.HoldSumSq
	for i := range f.GapHist {
		f.GapHist[i] = uint16(min(int(f.GapHist[i])+int(g.GapHist[i]), math.MaxUint16))
	}
	for i := range f.StallHist {
		f.StallHist[i] = uint16(min(int(f.StallHist[i])+int(g.StallHist[i]), math.MaxUint16))
	}
	for i := range f.QuantCos {
		f.QuantCos[i] += g.QuantCos[i]
		f.QuantSin[i] += g.QuantSin[i]
	}
}

// Quant returns the largest Rayleigh statistic Z = n·R² over QuantPeriods:
// about Exp(1) for times unrelated to the period, large when the messages
// sit on a frame grid.
func (f *Features) Quant() float64 {
	if f.Msgs == 0 {
		return 0
	}
	z := 0.0
	for i := range f.QuantCos {
		z = max(z, (f.QuantCos[i]*f.QuantCos[i]+f.QuantSin[i]*f.QuantSin[i])/float64(f.Msgs))
	}
	return z
}

// HoldSD returns the standard deviation of the hold times.
func (f *Features) HoldSD() time.Duration {
	if f.Keys < 2 {
		return 0
	}
	n := float64(f.Keys)
	v := (f.HoldSumSq - f.HoldSum*f.HoldSum/n) / (n - 1)
	return time.Duration(math.Sqrt(max(v, 0)) * float64(time.Second))
}

// StallMedian returns the median silence before stall bursts, at bin
// resolution (the middle of its bin), 0 when there are none.
func (f *Features) StallMedian() time.Duration {
	n := 0
	for _, c := range f.StallHist {
		n += int(c)
	}
	acc := 0
	for i, c := range f.StallHist {
		acc += int(c)
		if n > 0 && 2*acc >= n {
			return time.Duration(i)*StallBin + StallBin/2
		}
	}
	return 0
}

// GapQuantile returns the q-quantile of the non-tie message gaps, at bin
// resolution (the upper edge of the bin that holds it), 0 when there are
// none.
func (f *Features) GapQuantile(q float64) time.Duration {
	n := 0
	for _, c := range f.GapHist {
		n += int(c)
	}
	if n == 0 {
		return 0
	}
	want := int(math.Ceil(q * float64(n)))
	acc := 0
	for i, c := range f.GapHist {
		acc += int(c)
		if acc >= max(want, 1) {
			return time.Duration(i+1) * GapBin
		}
	}
	return NumGapBins * GapBin
}

// Extractor folds strokes, in press order as a reader reports them, into
// [Features] in O(1) time per stroke and without allocating: it merges
// releases into the message stream through a small sorted buffer and
// updates counters, sums, a fixed histogram and phase sums.
// It is not safe for concurrent use.
type Extractor struct {
	f Features

	pend  [HeldKeys]time.Duration // release times not yet placed, ascending
	npend int

	have   bool
	last   time.Duration // time of the previous message
	run    int           // messages in the current tie run
	runGap time.Duration // silence before the current tie run
}

// Add folds one stroke in. Strokes must come in press order (ties in any
// order); a press earlier than the previous message counts as simultaneous.
func (x *Extractor) Add(e keystroke.Event) {
	rel := max(e.Release, e.Press)
	x.hold(rel - e.Press)
	// Place releases due before this press.
	for x.npend > 0 && x.pend[0] < e.Press {
		x.msg(x.pend[0])
		copy(x.pend[:], x.pend[1:x.npend])
		x.npend--
	}
	x.msg(e.Press)
	if x.npend == HeldKeys { // more keys held than the buffer: place the earliest
		x.msg(x.pend[0])
		copy(x.pend[:], x.pend[1:x.npend])
		x.npend--
	}
	i := x.npend
	for i > 0 && x.pend[i-1] > rel {
		x.pend[i] = x.pend[i-1]
		i--
	}
	x.pend[i] = rel
	x.npend++
}

// hold counts one stroke held for h.
func (x *Extractor) hold(h time.Duration) {
	x.f.Keys++
	if h < TieGap {
		x.f.ZeroHolds++
	}
	hs := min(h, HoldClip).Seconds()
	x.f.HoldSum += hs
	x.f.HoldSumSq += hs * hs
}

// late counts a stroke whose press came before messages already placed
// (a reader reported it too late to put it in order): its hold counts,
// but neither of its messages is placed, since placing them out of order
// would make ties no relay caused.
func (x *Extractor) late(press, rel time.Duration) { x.hold(rel - press) }

// bump adds one to a histogram count, stopping at math.MaxUint16.
func bump(c *uint16) {
	if *c < math.MaxUint16 {
		*c++
	}
}

// msg places one message at time t.
func (x *Extractor) msg(t time.Duration) {
	f := &x.f
	f.Msgs++
	tf := float64(t)
	for i := range QuantPeriods {
		c := tf * quantInv[i] // cycles of period i; float, as an integer division costs 3× more
		ph := int((c-math.Floor(c))*phaseBins) & (phaseBins - 1)
		f.QuantCos[i] += phaseCos[ph]
		f.QuantSin[i] += phaseSin[ph]
	}
	if !x.have {
		x.have, x.last, x.run, x.runGap = true, t, 1, time.Hour
		return
	}
	gap := max(t-x.last, 0)
	x.last = t
	if gap < TieGap {
		f.Ties++
		x.run++
		if x.run == BurstSize {
			f.Bursts++
		}
		if x.run == BurstSize && x.runGap >= StallGap {
			f.StallBursts++
			f.StallSum += min(x.runGap, StallClip)
			bump(&f.StallHist[min(int(x.runGap/StallBin), NumGapBins-1)])
		}
		return
	}
	x.run, x.runGap = 1, gap
	bump(&f.GapHist[min(int(gap/GapBin), NumGapBins-1)])
	if gap < time.Second {
		f.GapSum += gap
		f.Gaps++
	}
}

// Cut returns the features of the strokes added since the last Cut and
// starts a new window. The message stream continues across the cut:
// releases still pending (keys held over the cut) are placed in the next
// window, and so is the rest of a tie run.
func (x *Extractor) Cut() Features {
	f := x.f
	x.f = Features{}
	return f
}
