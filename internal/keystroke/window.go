package keystroke

import (
	"sort"
	"time"
)

// Thresholds the window counters use.
const (
	// BurstGap: two presses closer than this are a "fast pair". Trained
	// typists' fastest digraphs sit around 30–60 ms; below 15 ms, runs of
	// three or more keys come from software or a network path flushing
	// queued input, not from fingers.
	BurstGap = 15 * time.Millisecond
	// BurstRun is how many presses in a row, each within BurstGap of the
	// one before, make a burst.
	BurstRun = 3
	// StallGap is a pause long enough that input arriving right after it in
	// a burst looks like a stalled path releasing its queue.
	StallGap = 500 * time.Millisecond
	// DefaultWindow is the agent's default window length.
	DefaultWindow = 60 * time.Second
	// reorder is how many events the windower holds to sort presses that
	// arrive out of order (events are reported at release, and keys overlap).
	reorder = 8
)

// FlightBins are the upper edges of the flight-time (press to next press)
// histogram bins; the last bin is open-ended. HoldBins are those of the
// hold-time histogram. Both are fixed so windows from different devices
// and agent versions add up.
var (
	FlightBins = msEdges(5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 120, 140, 160, 180, 200,
		250, 300, 350, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 5000)
	HoldBins = msEdges(5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 140, 160, 180, 200,
		250, 300, 400, 500, 750, 1000)
)

// NumFlightBins and NumHoldBins are the histogram lengths (edges + the
// open-ended last bin).
var (
	NumFlightBins = len(FlightBins) + 1
	NumHoldBins   = len(HoldBins) + 1
)

func msEdges(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Millisecond
	}
	return out
}

// bin returns the histogram bin of d for the given edges.
func bin(edges []time.Duration, d time.Duration) int {
	return sort.Search(len(edges), func(i int) bool { return d < edges[i] })
}

// Window is the aggregate of the key strokes in one time window. Nothing
// in it depends on which keys were pressed beyond their coarse class.
type Window struct {
	Start, End time.Time // wall-clock bounds, End exclusive

	Keys     int                 // key strokes
	Repeats  int                 // auto-repeat events while keys were held
	ByClass  [NumClasses]int     // strokes per class
	ByProv   [NumProvenances]int // strokes per provenance
	ByDevice map[uint16]int      // strokes per reader-local device number
	Flight   []int               // press-to-next-press histogram on FlightBins, NumFlightBins long
	Hold     []int               // hold-time histogram on HoldBins, NumHoldBins long

	// Sums for means and standard deviations, in seconds and seconds².
	FlightSum, FlightSumSq float64
	HoldSum, HoldSumSq     float64

	FastPairs   int // consecutive presses closer than BurstGap
	Bursts      int // runs of BurstRun or more presses each within BurstGap
	StallBursts int // bursts that start right after a pause of StallGap or more

	// Raw holds every stroke when the windower runs in raw-timing mode (the
	// evaluation lab only); nil otherwise.
	Raw []Event
}

// InjectedShare returns the fraction of strokes that were injected or came
// from virtual devices, 0 for an empty window.
func (w *Window) InjectedShare() float64 {
	if w.Keys == 0 {
		return 0
	}
	return float64(w.ByProv[ProvInjected]+w.ByProv[ProvVirtual]) / float64(w.Keys)
}

// Windower folds events into a [Window]. It is not safe for concurrent
// use; the agent feeds it from one goroutine.
type Windower struct {
	raw bool
	w   Window

	pending    [reorder]Event // waiting for presses that arrive late, sorted by Press
	npending   int
	lastPress  time.Duration
	havePress  bool
	run        int  // presses in the current fast run
	afterStall bool // the current run began right after a stall
}

// NewWindower returns a windower; raw keeps every event in Window.Raw and
// is for the evaluation lab only.
func NewWindower(raw bool) *Windower {
	wd := &Windower{raw: raw}
	wd.reset()
	return wd
}

func (wd *Windower) reset() {
	wd.w = Window{
		Flight:   make([]int, NumFlightBins),
		Hold:     make([]int, NumHoldBins),
		ByDevice: make(map[uint16]int),
	}
}

// Add folds one event in.
func (wd *Windower) Add(e Event) {
	if e.Release < e.Press {
		e.Release = e.Press
	}
	w := &wd.w
	w.Keys++
	w.Repeats += int(e.Repeats)
	if e.Class < NumClasses {
		w.ByClass[e.Class]++
	}
	if e.Prov < NumProvenances {
		w.ByProv[e.Prov]++
	}
	w.ByDevice[e.Device]++
	h := e.Hold()
	w.Hold[bin(HoldBins, h)]++
	hs := h.Seconds()
	w.HoldSum += hs
	w.HoldSumSq += hs * hs
	if wd.raw {
		w.Raw = append(w.Raw, e)
	}
	// Insert by press time; emit the earliest when the buffer is full.
	i := wd.npending
	for i > 0 && wd.pending[i-1].Press > e.Press {
		i--
	}
	if wd.npending == reorder {
		if i == 0 {
			// Older than everything held: it comes first.
			wd.press(e.Press)
			return
		}
		wd.press(wd.pending[0].Press)
		copy(wd.pending[:], wd.pending[1:])
		wd.npending--
		i--
	}
	copy(wd.pending[i+1:wd.npending+1], wd.pending[i:wd.npending])
	wd.pending[i] = e
	wd.npending++
}

// press takes the next press in time order and updates the flight
// statistics.
func (wd *Windower) press(t time.Duration) {
	if !wd.havePress {
		wd.havePress, wd.lastPress = true, t
		wd.run = 1
		return
	}
	gap := t - wd.lastPress
	if gap < 0 {
		gap = 0 // later than the reorder buffer could fix; count as simultaneous
	}
	wd.lastPress = t
	w := &wd.w
	w.Flight[bin(FlightBins, gap)]++
	gs := gap.Seconds()
	w.FlightSum += gs
	w.FlightSumSq += gs * gs
	if gap < BurstGap {
		w.FastPairs++
		wd.run++
		if wd.run == BurstRun {
			w.Bursts++
			if wd.afterStall {
				w.StallBursts++
			}
		}
		return
	}
	wd.run = 1
	wd.afterStall = gap >= StallGap
}

// Cut closes the current window with the given bounds, returns it and
// starts the next one. Events still held for reordering are counted in the
// window they were added to.
func (wd *Windower) Cut(start, end time.Time) Window {
	for i := 0; i < wd.npending; i++ {
		wd.press(wd.pending[i].Press)
	}
	wd.npending = 0
	w := wd.w
	w.Start, w.End = start, end
	wd.reset()
	return w
}
