package relay

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// rolling returns n strokes of typing in press order where every third key
// is still down at the next press (rollover), so a reader reports them out
// of press order, but never more than two keys are down at once.
func rolling(n int, seed uint64) []keystroke.Event {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]keystroke.Event, n)
	t := time.Second
	for i := range out {
		gap := 80*ms + time.Duration(r.Int64N(int64(170*ms)))
		t += gap
		hold := 40*ms + time.Duration(r.Int64N(int64(40*ms)))
		if i%3 == 0 {
			hold = gap + 20*ms // released after the next press
		}
		out[i] = keystroke.Event{Press: t, Release: t + hold, Class: keystroke.ClassLetter}
	}
	return out
}

// byRelease returns ev in the order a reader reports strokes: at release.
func byRelease(ev []keystroke.Event) []keystroke.Event {
	out := slices.Clone(ev)
	slices.SortStableFunc(out, func(a, b keystroke.Event) int { return cmp.Compare(a.Release, b.Release) })
	return out
}

func TestLiveExtractorRestoresPressOrder(t *testing.T) {
	ev := rolling(1000, 1)
	rep := byRelease(ev)
	if slices.Equal(rep, ev) {
		t.Fatal("release order is press order; the test would prove nothing")
	}
	var want Extractor
	for _, e := range ev {
		want.Add(e)
	}
	var naive Extractor
	var live LiveExtractor
	for _, e := range rep {
		naive.Add(e)
		live.Add(e)
	}
	w, n, got := want.Cut(), naive.Cut(), live.Cut()
	if got != w {
		t.Errorf("LiveExtractor over strokes at release = %+v\nwant the Extractor's over strokes in press order %+v", got, w)
	}
	// Without reordering, rollover makes ties no relay caused.
	if n.Ties <= w.Ties {
		t.Errorf("Extractor over strokes at release has %d ties, want more than the %d in press order", n.Ties, w.Ties)
	}
}

func TestLiveExtractorCutCountsEveryStroke(t *testing.T) {
	rep := byRelease(rolling(1000, 2))
	var live LiveExtractor
	keys := 0
	for i, e := range rep {
		live.Add(e)
		if (i+1)%37 == 0 {
			f := live.Cut()
			if f.Keys != 37 {
				t.Fatalf("window %d has %d strokes, want the 37 added", i/37, f.Keys)
			}
			if f.Msgs > 2*f.Keys+HeldKeys || f.Ties > f.Msgs || f.Bursts > f.Ties {
				t.Fatalf("window %d: %+v breaks the bounds the wire format checks", i/37, f)
			}
			keys += f.Keys
		}
	}
	if keys != 1000-1000%37 {
		t.Errorf("%d strokes in the windows, want %d", keys, 1000-1000%37)
	}
}

func TestLiveExtractorLateStroke(t *testing.T) {
	// A modifier pressed first and held over 20 keys is reported after
	// them, too late for the reorder buffer: it counts as a stroke and a
	// hold, but places no message and makes no tie.
	ev := typing(40, 3)
	mod := keystroke.Event{Press: ev[0].Press - 50*ms, Release: ev[20].Release + 10*ms, Class: keystroke.ClassModifier}
	var with, without LiveExtractor
	for i, e := range ev {
		with.Add(e)
		without.Add(e)
		if i == 20 {
			with.Add(mod)
		}
	}
	a, b := with.Cut(), without.Cut()
	if a.Keys != b.Keys+1 || a.Msgs != b.Msgs || a.Ties != b.Ties || a.Bursts != b.Bursts {
		t.Errorf("with a late stroke: keys %d msgs %d ties %d bursts %d; want keys %d and msgs %d ties %d bursts %d as without it",
			a.Keys, a.Msgs, a.Ties, a.Bursts, b.Keys+1, b.Msgs, b.Ties, b.Bursts)
	}
	if hs := min(mod.Hold(), HoldClip).Seconds(); a.HoldSum-b.HoldSum < hs-1e-9 || a.HoldSum-b.HoldSum > hs+1e-9 {
		t.Errorf("the late stroke added %v s of hold, want %v", a.HoldSum-b.HoldSum, hs)
	}
}

func TestLiveExtractorAddAllocs(t *testing.T) {
	ev := byRelease(rolling(1000, 1))
	var live LiveExtractor
	i := 0
	if a := testing.AllocsPerRun(1000, func() { live.Add(ev[i%1000]); i++ }); a != 0 {
		t.Errorf("LiveExtractor.Add allocates %v times per stroke, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { live.Cut() }); a != 0 {
		t.Errorf("LiveExtractor.Cut allocates %v times, want 0", a)
	}
}

func TestExtractorHistogramStops(t *testing.T) {
	// 70,000 message gaps of 5 ms fill one bin past 16 bits: the count
	// stops at the top instead of wrapping to a small number.
	var x Extractor
	for i := range 35_000 {
		p := time.Duration(i) * 10 * ms
		x.Add(keystroke.Event{Press: p, Release: p + 5*ms})
	}
	f := x.Cut()
	if got := f.GapHist[int(5*ms/GapBin)]; got != 65535 {
		t.Errorf("gap bin of 5 ms holds %d after 70,000 gaps, want 65535", got)
	}
}

func TestStallSumClipped(t *testing.T) {
	// The first burst of a stream follows "an hour" of silence, the
	// second a night: each adds at most StallClip.
	var x Extractor
	night := 10 * time.Hour
	for _, at := range []time.Duration{time.Second, night} {
		for range 3 {
			x.Add(keystroke.Event{Press: at, Release: at})
		}
		x.Add(keystroke.Event{Press: at + 300*ms, Release: at + 380*ms})
	}
	f := x.Cut()
	if f.StallBursts != 2 || f.StallSum != 2*StallClip {
		t.Errorf("stall bursts %d, stall sum %v; want 2 and %v", f.StallBursts, f.StallSum, 2*StallClip)
	}
}

// TestExtractorsKeepTimingOnly guards the privacy model: nothing an
// extractor keeps can hold a stroke's class, provenance or device, let
// alone a key: every field, down to array elements, is a time, a count, a
// flag or a float sum.
func TestExtractorsKeepTimingOnly(t *testing.T) {
	allowed := map[reflect.Type]bool{
		reflect.TypeFor[time.Duration](): true, reflect.TypeFor[int](): true, reflect.TypeFor[bool](): true,
		reflect.TypeFor[uint16](): true, reflect.TypeFor[float64](): true,
	}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Struct:
			for f := range typ.Fields() {
				walk(path+"."+f.Name, f.Type)
			}
		case reflect.Array:
			walk(path+"[]", typ.Elem())
		default:
			if !allowed[typ] {
				t.Errorf("%s is a %v: not a time, count, flag or sum", path, typ)
			}
		}
	}
	walk("LiveExtractor", reflect.TypeFor[LiveExtractor]())
	walk("Extractor", reflect.TypeFor[Extractor]())
}
