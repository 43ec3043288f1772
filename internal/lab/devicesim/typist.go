package devicesim

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Typist is a simulated person typing at one keyboard, in real time: an
// input source for the agent (agent.InputSource). Strokes come in bursts
// of 15 to 60 keys with press-to-press intervals around 160 ms and holds
// around 95 ms (log-normal), separated by pauses of 1.5 to 6 s. The key
// classes are drawn at random; no text exists anywhere.
type Typist struct {
	dev  keystroke.Device
	seed uint64
}

// NewTypist returns a typist at dev, whose Prov is the provenance of every
// stroke: a physical keyboard for someone at the laptop, an XTEST device
// for a remote-control tool injecting an operator's keys. dev.Number is
// set to 0, its index in Devices.
func NewTypist(dev keystroke.Device, seed uint64) *Typist {
	dev.Number = 0
	return &Typist{dev: dev, seed: seed}
}

// Name returns the device's source, e.g. "x11".
func (t *Typist) Name() string { return t.dev.Source }

// Devices returns the one keyboard.
func (t *Typist) Devices() []keystroke.Device { return []keystroke.Device{t.dev} }

// Run types until ctx is done, calling emit at each key's release from
// this goroutine, and returns nil.
func (t *Typist) Run(ctx context.Context, emit func(keystroke.Event)) error {
	start := time.Now()
	next := t.strokes()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e := next()
		timer.Reset(time.Until(start.Add(e.Release)))
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		// A typist behind schedule finds the timer fired already, and
		// select picks among ready cases at random: look again, so that
		// nothing is emitted once ctx is done.
		if ctx.Err() != nil {
			return nil
		}
		emit(e)
	}
}

// strokes returns the typist's strokes one by one, by press time; the
// first burst starts within a second.
func (t *Typist) strokes() func() keystroke.Event {
	rng := rand.New(rand.NewPCG(t.seed, 0x7479706973740a))
	press := time.Duration(200+rng.IntN(800)) * time.Millisecond
	left := 15 + rng.IntN(46)
	return func() keystroke.Event {
		if left == 0 {
			press += time.Duration(1500+rng.IntN(4500)) * time.Millisecond
			left = 15 + rng.IntN(46)
		}
		left--
		hold := logNormal(rng, 95*time.Millisecond, 0.3, 30*time.Millisecond)
		e := keystroke.Event{Press: press, Release: press + hold, Class: class(rng), Prov: t.dev.Prov, Device: 0}
		press += logNormal(rng, 160*time.Millisecond, 0.4, 40*time.Millisecond)
		return e
	}
}

// logNormal draws a log-normal duration with the given median and shape,
// at least floor.
func logNormal(rng *rand.Rand, median time.Duration, sigma float64, floor time.Duration) time.Duration {
	return max(time.Duration(float64(median)*math.Exp(sigma*rng.NormFloat64())), floor)
}

func class(rng *rand.Rand) keystroke.Class {
	switch x := rng.Float64(); {
	case x < 0.80:
		return keystroke.ClassLetter
	case x < 0.95:
		return keystroke.ClassSpace
	case x < 0.98:
		return keystroke.ClassBackspace
	default:
		return keystroke.ClassPunctuation
	}
}
