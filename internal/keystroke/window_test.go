package keystroke

import (
	"reflect"
	"testing"
	"time"
)

const ms = time.Millisecond

// strokes builds events pressed at the given millisecond offsets, each held
// 80 ms, letters from a physical keyboard.
func strokes(at ...int) []Event {
	out := make([]Event, len(at))
	for i, t := range at {
		p := time.Duration(t) * ms
		out[i] = Event{Press: p, Release: p + 80*ms, Class: ClassLetter, Prov: ProvPhysical, Device: 1}
	}
	return out
}

func sum(h []int) (n int) {
	for _, c := range h {
		n += c
	}
	return n
}

func TestWindowCountsAndHistograms(t *testing.T) {
	wd := NewWindower(false)
	evs := strokes(0, 150, 300, 450)
	evs[3].Class, evs[3].Prov, evs[3].Device = ClassSpace, ProvInjected, 2
	evs[0].Repeats = 3
	for _, e := range evs {
		wd.Add(e)
	}
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	w := wd.Cut(start, start.Add(time.Minute))
	if w.Keys != 4 || w.Repeats != 3 {
		t.Fatalf("keys %d repeats %d, want 4 and 3", w.Keys, w.Repeats)
	}
	if w.ByClass[ClassLetter] != 3 || w.ByClass[ClassSpace] != 1 {
		t.Errorf("by class %v", w.ByClass)
	}
	if w.ByProv[ProvPhysical] != 3 || w.ByProv[ProvInjected] != 1 || w.InjectedShare() != 0.25 {
		t.Errorf("by provenance %v, injected share %v", w.ByProv, w.InjectedShare())
	}
	if w.ByDevice[1] != 3 || w.ByDevice[2] != 1 {
		t.Errorf("by device %v", w.ByDevice)
	}
	// Three flights of 150 ms land in the [140, 160) bin; four holds of 80 ms in [80, 90).
	if got := w.Flight[bin(FlightBins, 150*ms)]; got != 3 || sum(w.Flight) != 3 {
		t.Errorf("flight histogram %v", w.Flight)
	}
	if got := w.Hold[bin(HoldBins, 80*ms)]; got != 4 || sum(w.Hold) != 4 {
		t.Errorf("hold histogram %v", w.Hold)
	}
	if mean := w.FlightSum / 3; mean < 0.1499 || mean > 0.1501 {
		t.Errorf("mean flight %v s, want 0.15", mean)
	}
	if !w.Start.Equal(start) || w.End.Sub(w.Start) != time.Minute {
		t.Errorf("bounds %v–%v", w.Start, w.End)
	}
	if w.Raw != nil {
		t.Error("raw events kept outside raw-timing mode")
	}
	if next := wd.Cut(start, start); next.Keys != 0 || sum(next.Flight) != 0 {
		t.Errorf("window after a cut is not empty: %+v", next)
	}
}

func TestWindowOrdersOverlappingPresses(t *testing.T) {
	// Rollover: the second key is pressed before the first is released, so
	// events arrive in release order, not press order.
	wd := NewWindower(false)
	wd.Add(Event{Press: 100 * ms, Release: 300 * ms})
	wd.Add(Event{Press: 0, Release: 350 * ms})
	wd.Add(Event{Press: 200 * ms, Release: 260 * ms})
	w := wd.Cut(time.Time{}, time.Time{})
	if got := w.Flight[bin(FlightBins, 100*ms)]; got != 2 || sum(w.Flight) != 2 {
		t.Errorf("flights %v, want two of 100 ms", w.Flight)
	}
}

func TestWindowBurstsAndStalls(t *testing.T) {
	// Human typing at ~150 ms, a 2 s stall, then five keys 5 ms apart as a
	// stalled path releases them, then typing again.
	at := []int{0, 150, 300, 2300, 2305, 2310, 2315, 2320, 2470, 2620}
	wd := NewWindower(false)
	for _, e := range strokes(at...) {
		wd.Add(e)
	}
	w := wd.Cut(time.Time{}, time.Time{})
	if w.FastPairs != 4 || w.Bursts != 1 || w.StallBursts != 1 {
		t.Errorf("fast pairs %d bursts %d stall bursts %d, want 4, 1, 1", w.FastPairs, w.Bursts, w.StallBursts)
	}

	// Steady fast pairs without a stall before them are a burst, not a stall burst.
	wd = NewWindower(false)
	for _, e := range strokes(0, 150, 155, 160, 165) {
		wd.Add(e)
	}
	if w := wd.Cut(time.Time{}, time.Time{}); w.Bursts != 1 || w.StallBursts != 0 {
		t.Errorf("bursts %d stall bursts %d, want 1 and 0", w.Bursts, w.StallBursts)
	}
}

func TestWindowRawMode(t *testing.T) {
	wd := NewWindower(true)
	evs := strokes(0, 100)
	for _, e := range evs {
		wd.Add(e)
	}
	if w := wd.Cut(time.Time{}, time.Time{}); !reflect.DeepEqual(w.Raw, evs) {
		t.Errorf("raw %v, want %v", w.Raw, evs)
	}
}

func TestClassOfLinux(t *testing.T) {
	cases := map[uint16]Class{
		30: ClassLetter, 16: ClassLetter, 50: ClassLetter, // a, q, m
		2: ClassDigit, 11: ClassDigit, 57: ClassSpace, 28: ClassEnter,
		14: ClassBackspace, 42: ClassModifier, 103: ClassNavigation,
		52: ClassPunctuation, 59: ClassFunction, 0: ClassOther, 600: ClassOther,
	}
	for code, want := range cases {
		if got := ClassOfLinux(code); got != want {
			t.Errorf("ClassOfLinux(%d) = %v, want %v", code, got, want)
		}
	}
	// 26 letter keys, 10 + 10 digit keys: the class set cannot spell.
	var letters, digits int
	for c := range uint16(256) {
		switch ClassOfLinux(c) {
		case ClassLetter:
			letters++
		case ClassDigit:
			digits++
		}
	}
	if letters != 26 || digits != 20 {
		t.Errorf("%d letter and %d digit codes, want 26 and 20", letters, digits)
	}
}

func TestNamesRoundTrip(t *testing.T) {
	for c := range NumClasses {
		if got, err := ParseClass(c.String()); err != nil || got != c {
			t.Errorf("ParseClass(%q) = %v, %v", c.String(), got, err)
		}
	}
	for p := range NumProvenances {
		if got, err := ParseProvenance(p.String()); err != nil || got != p {
			t.Errorf("ParseProvenance(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParseClass("a"); err == nil {
		t.Error("ParseClass accepted a key name")
	}
}

// TestEventCannotCarryKeys guards the privacy model: no field of Event is
// wide enough to hold a key code or character except the timing fields,
// the class, the provenance and the device number, and those are all
// there is.
func TestEventCannotCarryKeys(t *testing.T) {
	want := []string{"Press", "Release", "Class", "Prov", "Device", "Repeats"}
	typ := reflect.TypeFor[Event]()
	var got []string
	for f := range typ.Fields() {
		got = append(got, f.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Event fields %v, want exactly %v: a new field must be checked against the privacy model", got, want)
	}
}

func BenchmarkWindowerAdd(b *testing.B) {
	wd := NewWindower(false)
	evs := strokes(0, 120, 230, 260, 400, 410, 600, 700)
	b.ReportAllocs()
	var base time.Duration
	for i := 0; b.Loop(); i++ {
		e := evs[i%len(evs)]
		if i%len(evs) == 0 {
			base += time.Second
		}
		e.Press += base
		e.Release += base
		wd.Add(e)
	}
}
