package agent

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// InputSource is a keyboard reader: package evdev or package xi2. Run
// calls emit for every key stroke until ctx is done; Devices lists the
// devices it reads, numbered as in keystroke.Event.Device.
type InputSource interface {
	Name() string
	Run(ctx context.Context, emit func(keystroke.Event)) error
	Devices() []keystroke.Device
}

// eventQueue is how many strokes may wait between a reader and its
// windower; a reader never blocks on the agent, so strokes beyond this are
// dropped and counted.
const eventQueue = 1024

// inputStats counts what the input pipeline saw and lost.
type inputStats struct {
	events  atomic.Int64 // strokes received from readers
	dropped atomic.Int64 // strokes dropped because the windower fell behind
	windows atomic.Int64 // windows with at least one stroke handed to the spool
	err     atomic.Pointer[string]
}

func (s *inputStats) setErr(err error) {
	msg := err.Error()
	s.err.Store(&msg)
}

func (s *inputStats) lastErr() string {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return ""
}

// inputPipeline reads one source, folds its strokes into windows of the
// given length, and hands every non-empty window to put as a wire window.
type inputPipeline struct {
	src    InputSource
	window time.Duration
	raw    bool
	put    func(wire.InputWindow) error
	log    *slog.Logger
	stats  *inputStats
}

// run owns two goroutines, the reader and the windower, and returns when
// both have ended: after ctx is done, or when the reader fails.
func (p *inputPipeline) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan keystroke.Event, eventQueue)
	var (
		wg      sync.WaitGroup
		readErr error
	)
	wg.Go(func() {
		defer cancel()
		readErr = p.src.Run(ctx, func(e keystroke.Event) {
			p.stats.events.Add(1)
			select {
			case events <- e:
			default:
				p.stats.dropped.Add(1)
			}
		})
	})
	wg.Go(func() { p.windows(ctx, events) })
	wg.Wait()
	if readErr != nil && ctx.Err() == nil {
		return fmt.Errorf("input %s: %w", p.src.Name(), readErr)
	}
	return readErr
}

// windows folds events into windows aligned to the wall clock and emits
// each when its time is up; at the end it emits the partial window. Every
// event also goes to a relay feature extractor, cut at the same
// boundaries, whose features travel with the window: timing only.
func (p *inputPipeline) windows(ctx context.Context, events <-chan keystroke.Event) {
	wd := keystroke.NewWindower(p.raw)
	rx := new(relay.LiveExtractor)
	add := func(e keystroke.Event) {
		wd.Add(e)
		rx.Add(e)
	}
	start := time.Now().Truncate(p.window)
	timer := time.NewTimer(time.Until(start.Add(p.window)))
	defer timer.Stop()
	emit := func(end time.Time) {
		w := wd.Cut(start, end)
		rf := rx.Cut()
		start = end
		if w.Keys == 0 {
			return
		}
		ww := WireWindow(p.src.Name(), w, p.src.Devices())
		ww.Relay = wire.NewRelayFeatures(&rf)
		// Windows are handed over even after ctx is done, so that a
		// clean shutdown keeps the last partial window.
		if err := p.put(ww); err != nil {
			p.log.Error("input window lost", "source", p.src.Name(), "window_id", ww.WindowID, "keys", w.Keys, "err", err)
			return
		}
		p.stats.windows.Add(1)
	}
	for {
		select {
		case e := <-events:
			add(e)
		case now := <-timer.C:
			end := now.Truncate(p.window)
			if !end.After(start) {
				end = start.Add(p.window)
			}
			emit(end)
			timer.Reset(time.Until(end.Add(p.window)))
		case <-ctx.Done():
			for {
				select {
				case e := <-events:
					add(e)
					continue
				default:
				}
				break
			}
			emit(time.Now())
			return
		}
	}
}

// WireWindow converts a window of the named source to its wire form. The
// devices listed are those of devs that produced strokes in it. Its ID is
// the source and the window's start in milliseconds, unique per device.
func WireWindow(source string, w keystroke.Window, devs []keystroke.Device) wire.InputWindow {
	ww := wire.InputWindow{
		WindowID:     fmt.Sprintf("%s-%d", source, w.Start.UnixMilli()),
		Start:        w.Start.UTC(),
		End:          w.End.UTC(),
		Source:       source,
		Keys:         w.Keys,
		Repeats:      w.Repeats,
		ByClass:      map[string]int{},
		ByProvenance: map[string]int{},
		FlightHist:   w.Flight,
		HoldHist:     w.Hold,
		FlightSum:    w.FlightSum,
		FlightSumSq:  w.FlightSumSq,
		HoldSum:      w.HoldSum,
		HoldSumSq:    w.HoldSumSq,
		FastPairs:    w.FastPairs,
		Bursts:       w.Bursts,
		StallBursts:  w.StallBursts,
		Devices:      []wire.InputDevice{},
	}
	for c, n := range w.ByClass {
		if n > 0 {
			ww.ByClass[keystroke.Class(c).String()] = n
		}
	}
	for p, n := range w.ByProv {
		if n > 0 {
			ww.ByProvenance[keystroke.Provenance(p).String()] = n
		}
	}
	for _, d := range devs {
		n := w.ByDevice[d.Number]
		if n == 0 || len(ww.Devices) == wire.MaxInputDevices {
			continue
		}
		wd := wire.InputDevice{
			Name:       clean(d.Name, wire.MaxNameLen),
			Provenance: d.Prov.String(),
			Bus:        clean(d.Bus, wire.MaxNameLen),
			Keys:       n,
		}
		if d.VendorID != 0 || d.ProductID != 0 {
			wd.VendorID, wd.ProductID = fmt.Sprintf("%04x", d.VendorID), fmt.Sprintf("%04x", d.ProductID)
		}
		ww.Devices = append(ww.Devices, wd)
	}
	if w.Raw != nil {
		origin := w.Raw[0].Press
		for _, e := range w.Raw {
			origin = min(origin, e.Press)
		}
		for _, e := range w.Raw[:min(len(w.Raw), wire.MaxRawKeys)] {
			ww.Raw = append(ww.Raw, wire.RawKey{
				PressMicros: (e.Press - origin).Microseconds(),
				HoldMicros:  min(e.Hold().Microseconds(), wire.MaxRTTMicros),
				Class:       e.Class.String(),
				Provenance:  e.Prov.String(),
			})
		}
	}
	return ww
}
