package relay

import (
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// ReorderKeys is how many strokes a [LiveExtractor] holds to put them back
// in press order.
const ReorderKeys = 16

// LiveExtractor is an [Extractor] for strokes as a keyboard reader reports
// them: at release, so out of press order whenever keys overlap (a key
// pressed before another and released after it is reported second). It
// holds the last ReorderKeys strokes, sorted by press, and hands the
// earliest to the Extractor when it is full and all of them at a cut. A
// stroke that still comes too late, its press before one already handed
// over (a modifier held while more than ReorderKeys keys were typed),
// counts as a stroke and a hold but places no messages: placed out of
// order, they would make ties and bursts no relay caused.
//
// It keeps press and release times only. Add and Cut take O(1) time and
// do not allocate. It is not safe for concurrent use.
type LiveExtractor struct {
	x      Extractor
	held   [ReorderKeys]stroke // sorted by press
	nheld  int
	placed bool          // a stroke was handed to x
	last   time.Duration // the latest press handed to x
}

type stroke struct{ press, rel time.Duration }

// Add folds one stroke in, in the order the reader reported it.
func (l *LiveExtractor) Add(e keystroke.Event) {
	s := stroke{e.Press, max(e.Release, e.Press)}
	if l.placed && s.press < l.last {
		l.x.late(s.press, s.rel)
		return
	}
	i := l.nheld
	for i > 0 && l.held[i-1].press > s.press {
		i--
	}
	if l.nheld == ReorderKeys {
		if i == 0 { // earlier than everything held: it goes first
			l.place(s)
			return
		}
		l.place(l.held[0])
		copy(l.held[:], l.held[1:l.nheld])
		l.nheld--
		i--
	}
	copy(l.held[i+1:l.nheld+1], l.held[i:l.nheld])
	l.held[i] = s
	l.nheld++
}

// place hands one stroke to the Extractor.
func (l *LiveExtractor) place(s stroke) {
	l.x.Add(keystroke.Event{Press: s.press, Release: s.rel})
	l.placed, l.last = true, s.press
}

// Cut hands every held stroke to the Extractor and returns the features of
// the strokes added since the last Cut (see [Extractor.Cut]): every stroke
// added is counted in the window it was added to.
func (l *LiveExtractor) Cut() Features {
	for _, s := range l.held[:l.nheld] {
		l.place(s)
	}
	l.nheld = 0
	return l.x.Cut()
}
