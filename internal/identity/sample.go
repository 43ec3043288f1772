package identity

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Mode is what a key symbol is when typing is reduced to units.
type Mode uint8

// The modes.
const (
	// ModePrivacy: symbols are the coarse key classes the agent emits.
	ModePrivacy Mode = iota
	// ModeFullKey: symbols are key codes; for the evaluation lab only.
	ModeFullKey
	// ModeWindow: only the pooled hold and flight histograms of the
	// agent's windows, no symbols at all.
	ModeWindow
	numModes
)

var modeNames = [numModes]string{"privacy", "full-key", "agent-window"}

// String returns the mode's name.
func (m Mode) String() string {
	if m < numModes {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// MarshalText implements encoding.TextMarshaler, so reports carry names.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Unit kinds. A unit key is kind<<16 | a<<8 | b for symbols a and b.
const (
	kindHold      = iota + 1 // hold of symbol a
	kindPP                   // press of a to press of the next key b
	kindRP                   // release of a to press of the next key b (negative on overlap)
	kindAllHold              // every hold
	kindAllFlight            // every press-to-press flight, pauses included (clipped)
)

// maxPooledFlight clips flights in the pooled unit, so one long break does
// not dominate.
const maxPooledFlight = 5000.0 // ms

func unitKey(kind int, a, b uint16) uint32 {
	return uint32(kind)<<16 | uint32(a&0xff)<<8 | uint32(b&0xff)
}

// unit is one distribution: its key and its values in ms, sorted.
type unit struct {
	key uint32
	x   []float64
}

// Sample is typing reduced to units, ready to enrol or compare. The zero
// Sample is empty.
type Sample struct {
	mode  Mode
	keys  int    // keystrokes it came from
	units []unit // sorted by key
}

// Mode returns the sample's mode.
func (s Sample) Mode() Mode { return s.mode }

// Keys returns the number of keystrokes the sample came from.
func (s Sample) Keys() int { return s.keys }

type keyVal struct {
	key uint32
	v   float64
}

// Extract reduces events to a privacy-mode sample, using each event's
// coarse class as its symbol. Events should be in press order (they are
// sorted if not); par.MaxFlight separates flights from pauses.
func Extract(events []keystroke.Event, par Params) Sample {
	return extract(ModePrivacy, events, nil, par.withDefaults())
}

// ExtractKeys reduces events to a full-key sample: keys[i] is the key
// code of events[i]. It is for the evaluation lab only; lagwatch has no
// key codes anywhere else.
func ExtractKeys(events []keystroke.Event, keys []uint16, par Params) (Sample, error) {
	if len(keys) != len(events) {
		return Sample{}, fmt.Errorf("extract full-key sample: %d key codes for %d events", len(keys), len(events))
	}
	return extract(ModeFullKey, events, keys, par.withDefaults()), nil
}

func extract(mode Mode, events []keystroke.Event, keys []uint16, par Params) Sample {
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	if !slices.IsSortedFunc(events, func(a, b keystroke.Event) int { return cmp.Compare(a.Press, b.Press) }) {
		slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(events[i].Press, events[j].Press) })
	}
	sym := func(i int) uint16 {
		if keys != nil {
			return keys[i]
		}
		return uint16(events[i].Class)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	maxFlight := ms(par.MaxFlight)
	kv := make([]keyVal, 0, 5*len(events))
	for n, i := range order {
		e := events[i]
		a := sym(i)
		h := ms(e.Hold())
		kv = append(kv, keyVal{unitKey(kindHold, a, 0), h}, keyVal{unitKey(kindAllHold, 0, 0), h})
		if n+1 == len(order) {
			break
		}
		j := order[n+1]
		f := ms(events[j].Press - e.Press)
		kv = append(kv, keyVal{unitKey(kindAllFlight, 0, 0), min(f, maxPooledFlight)})
		if f > maxFlight {
			continue
		}
		b := sym(j)
		kv = append(kv, keyVal{unitKey(kindPP, a, b), f}, keyVal{unitKey(kindRP, a, b), ms(events[j].Press - e.Release)})
	}
	return group(mode, len(events), kv)
}

// ExtractWindows reduces agent windows to a sample of ModeWindow: the
// pooled hold and flight histograms, each bin's count taken as that many
// values at the bin's centre.
func ExtractWindows(ws ...keystroke.Window) Sample {
	var kv []keyVal
	keys := 0
	for _, w := range ws {
		keys += w.Keys
		kv = appendHist(kv, unitKey(kindAllHold, 0, 0), w.Hold, keystroke.HoldBins)
		kv = appendHist(kv, unitKey(kindAllFlight, 0, 0), w.Flight, keystroke.FlightBins)
	}
	return group(ModeWindow, keys, kv)
}

func appendHist(kv []keyVal, key uint32, hist []int, edges []time.Duration) []keyVal {
	for i, c := range hist {
		v := binCentre(edges, i)
		for range c {
			kv = append(kv, keyVal{key, v})
		}
	}
	return kv
}

// binCentre is a representative value in ms of histogram bin i.
func binCentre(edges []time.Duration, i int) float64 {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	switch {
	case len(edges) == 0:
		return 0
	case i == 0:
		return ms(edges[0]) / 2
	case i >= len(edges):
		return min(ms(edges[len(edges)-1])*1.25, maxPooledFlight)
	}
	return (ms(edges[i-1]) + ms(edges[i])) / 2
}

// group sorts key-value pairs into units.
func group(mode Mode, keys int, kv []keyVal) Sample {
	slices.SortFunc(kv, func(a, b keyVal) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	vals := make([]float64, len(kv))
	nunits := 0
	for i := range kv {
		vals[i] = kv[i].v
		if i == 0 || kv[i].key != kv[i-1].key {
			nunits++
		}
	}
	units := make([]unit, 0, nunits)
	start := 0
	for i := 1; i <= len(kv); i++ {
		if i == len(kv) || kv[i].key != kv[start].key {
			units = append(units, unit{key: kv[start].key, x: vals[start:i:i]})
			start = i
		}
	}
	return Sample{mode: mode, keys: keys, units: units}
}
