package agent_test

import (
	"cmp"
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// replaySource is an input source that reports the given strokes at once,
// in the order given (a reader's: at release), then waits for ctx if wait
// is set, else returns.
type replaySource struct {
	events []keystroke.Event
	devs   []keystroke.Device
	wait   bool
}

func (s *replaySource) Name() string                { return "replay" }
func (s *replaySource) Devices() []keystroke.Device { return s.devs }
func (s *replaySource) Run(ctx context.Context, emit func(keystroke.Event)) error {
	for _, e := range s.events {
		emit(e)
	}
	if s.wait {
		<-ctx.Done()
	}
	return nil
}

// typed returns n strokes of synthetic typing in press order: a rhythm of
// 80 to 250 ms, a pause now and then, and every fourth key still down at
// the next press.
func typed(n int, seed uint64) []keystroke.Event {
	r := rand.New(rand.NewPCG(seed, 4))
	out := make([]keystroke.Event, n)
	at := time.Second
	for i := range out {
		gap := time.Duration(80+r.IntN(170)) * time.Millisecond
		if r.IntN(30) == 0 {
			gap += time.Duration(r.IntN(2000)) * time.Millisecond
		}
		at += gap
		hold := time.Duration(50+r.IntN(70)) * time.Millisecond
		if i%4 == 0 {
			hold = gap + 30*time.Millisecond
		}
		out[i] = keystroke.Event{Press: at, Release: at + hold, Class: keystroke.ClassLetter, Prov: keystroke.ProvPhysical}
	}
	return out
}

// atRelease returns the strokes in the order a reader reports them.
func atRelease(ev []keystroke.Event) []keystroke.Event {
	out := slices.Clone(ev)
	slices.SortStableFunc(out, func(a, b keystroke.Event) int { return cmp.Compare(a.Release, b.Release) })
	return out
}

// TestRelayBlockCarriesNoKeys guards the privacy model for the relay
// block: two streams with the same timing but every other property of
// each stroke changed (class, provenance, device, auto-repeats), as typing
// different text on different keyboards with the same rhythm would, give
// byte for byte the same relay block, while the rest of the window does
// tell them apart. The block's fields are pinned: a new one fails here
// until someone has checked that it cannot carry a key.
func TestRelayBlockCarriesNoKeys(t *testing.T) {
	a := atRelease(typed(400, 1))
	b := slices.Clone(a)
	for i := range b {
		b[i].Class = keystroke.Class((i*7 + 3) % int(keystroke.NumClasses))
		b[i].Prov = keystroke.ProvInjected
		b[i].Device = uint16(1 + i%2)
		b[i].Repeats = uint16(i % 3)
	}
	devs := []keystroke.Device{{Number: 0, Name: "kbd", Prov: keystroke.ProvPhysical, Bus: "usb"},
		{Number: 1, Name: "xtest", Prov: keystroke.ProvInjected, Bus: "xtest"}, {Number: 2, Name: "uinput", Prov: keystroke.ProvVirtual, Bus: "virtual"}}
	run := func(ev []keystroke.Event) (relayJSON, windowJSON string) {
		ws, err := agent.InputWindows(t.Context(), &replaySource{events: ev, devs: devs}, wire.MaxWindowLen)
		if err != nil {
			t.Fatal(err)
		}
		var rs, all []byte
		for _, w := range ws {
			if w.Relay == nil {
				t.Fatalf("window %s has no relay block", w.WindowID)
			}
			r, err := json.Marshal(w.Relay)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(append(rs, r...), '\n')
			w.Relay = nil
			x, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, x...)
		}
		return string(rs), string(all)
	}
	ra, wa := run(a)
	rb, wb := run(b)
	if wa == wb {
		t.Fatal("the two streams give the same windows; the test would prove nothing")
	}
	if ra != rb {
		t.Errorf("the relay block depends on more than timing:\n%s\n%s", ra, rb)
	}

	allowed := map[string]reflect.Type{
		"Keys": reflect.TypeFor[int](), "Msgs": reflect.TypeFor[int](), "Ties": reflect.TypeFor[int](), "Bursts": reflect.TypeFor[int](),
		"StallBursts": reflect.TypeFor[int](), "ZeroHolds": reflect.TypeFor[int](), "Gaps": reflect.TypeFor[int](), // counts
		"StallMicros": reflect.TypeFor[int64](), "GapMicros": reflect.TypeFor[int64](), // sums of silences
		"GapHist": reflect.TypeFor[[]int](), "StallHist": reflect.TypeFor[[]int](), // counts on fixed time bins
		"HoldSum": reflect.TypeFor[float64](), "HoldSumSq": reflect.TypeFor[float64](), // sums of hold times
		"QuantCos": reflect.TypeFor[[]float64](), "QuantSin": reflect.TypeFor[[]float64](), // sums of phases of message times
	}
	rt := reflect.TypeFor[wire.RelayFeatures]()
	if rt.NumField() != len(allowed) {
		t.Errorf("wire.RelayFeatures has %d fields, want the %d checked here", rt.NumField(), len(allowed))
	}
	for f := range rt.Fields() {
		if want, ok := allowed[f.Name]; !ok || f.Type != want {
			t.Errorf("wire.RelayFeatures field %s %v is not one of the fields checked not to carry keys", f.Name, f.Type)
		}
	}
}

// TestRelayBlockSurvivesIngest runs the agent with a keyboard that
// replays typing relayed over a 150 ms path with Nagle's algorithm, against
// a real ingest server over SQLite: every stored window carries the relay
// block the agent computed, byte for byte, and the server's detector
// flags them with the shipped priors.
func TestRelayBlockSurvivesIngest(t *testing.T) {
	st := openStore(t)
	srv := startLandmark(t, st, landmarkUS)
	local := typed(600, 2)
	ev := atRelease(relay.Path{RTT: 150 * time.Millisecond, AckDelay: relay.DelayedAck}.Relay(local, 1))
	stateDir := filepath.Join(t.TempDir(), "state")
	a, err := agent.New(agent.Config{
		Servers: []string{srv.URL}, Token: token, StateDir: stateDir, HTTPClient: srv.Client(),
		Interval: time.Hour, Probes: 1, Window: time.Second,
		Inputs: []agent.InputSource{&replaySource{events: ev, wait: true,
			devs: []keystroke.Device{{Number: 0, Name: "kbd", Prov: keystroke.ProvPhysical, Bus: "usb"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored []wire.InputWindow
	runAgent(t, a, func() bool {
		s, err := agent.LoadState(stateDir)
		if err != nil || s.DeviceID == "" {
			return false
		}
		ws, err := st.Windows(t.Context(), s.DeviceID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		stored = stored[:0]
		keys := 0
		for _, w := range ws {
			var iw wire.InputWindow
			if err := json.Unmarshal(w.Body, &iw); err != nil {
				t.Fatalf("stored window %s: %v", w.WindowID, err)
			}
			stored = append(stored, iw)
			keys += w.Keys
		}
		return keys == len(ev)
	})
	// The pipeline takes strokes in the order the reader reported them,
	// so window k holds the next Keys of them: cut a reference extractor
	// at the same strokes.
	var ref relay.LiveExtractor
	next := 0
	d := relay.NewDetector(relay.DefaultPriors())
	var best relay.Verdict
	for _, w := range stored {
		if w.Relay == nil {
			t.Fatalf("stored window %s has no relay block", w.WindowID)
		}
		for _, e := range ev[next : next+w.Keys] {
			ref.Add(e)
		}
		next += w.Keys
		f := ref.Cut()
		if want := wire.NewRelayFeatures(&f); !reflect.DeepEqual(w.Relay, want) {
			t.Errorf("stored window %s relay block\n%+v\nwant what the agent computed\n%+v", w.WindowID, w.Relay, want)
		}
		if err := wire.CheckRelayFeatures(w.Relay, w.Keys); err != nil {
			t.Errorf("stored window %s: %v", w.WindowID, err)
		}
		if v := d.Score(w.Relay.Features()); v.Score > best.Score {
			best = v
		}
	}
	if next != len(ev) {
		t.Errorf("stored windows hold %d strokes, want %d", next, len(ev))
	}
	if best.Score < relay.DefaultThreshold() {
		t.Errorf("relayed typing scores %.1f nats (%v) on the server, want at least the default threshold %.2f", best.Score, best.Parts, relay.DefaultThreshold())
	}
}
