package identity

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

const ms = time.Millisecond

// typist is a synthetic typist: per class-pair flight means and per class
// hold means, with log-normal spread.
type typist struct {
	hold   map[keystroke.Class]float64    // mean hold, ms
	flight map[[2]keystroke.Class]float64 // mean flight, ms
	rng    *rand.Rand
}

// text is the class sequence every synthetic typist copies: words of 3–7
// letters separated by spaces, a capital (shift + letter) now and then.
func text(n int, seed uint64) ([]keystroke.Class, []uint16) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var cs []keystroke.Class
	var ks []uint16
	for len(cs) < n {
		if rng.IntN(5) == 0 {
			cs, ks = append(cs, keystroke.ClassModifier), append(ks, 16)
		}
		for range 3 + rng.IntN(5) {
			cs, ks = append(cs, keystroke.ClassLetter), append(ks, uint16(65+rng.IntN(26)))
		}
		cs, ks = append(cs, keystroke.ClassSpace), append(ks, 32)
	}
	return cs[:n], ks[:n]
}

func (t *typist) lognormal(mean float64) float64 {
	return mean * math.Exp(0.3*t.rng.NormFloat64()-0.045)
}

// typing returns n events of the typist, and the key codes.
func (t *typist) typing(n int, seed uint64) ([]keystroke.Event, []uint16) {
	cs, ks := text(n, seed)
	out := make([]keystroke.Event, n)
	at := time.Duration(0)
	for i, c := range cs {
		if i > 0 {
			at += time.Duration(t.lognormal(t.flight[[2]keystroke.Class{cs[i-1], c}]) * float64(ms))
		}
		h := time.Duration(t.lognormal(t.hold[c]) * float64(ms))
		out[i] = keystroke.Event{Press: at, Release: at + h, Class: c, Prov: keystroke.ProvPhysical}
	}
	return out, ks
}

func newTypist(seed uint64, hold, ll, ls, sl float64) *typist {
	L, S, M := keystroke.ClassLetter, keystroke.ClassSpace, keystroke.ClassModifier
	return &typist{
		hold: map[keystroke.Class]float64{L: hold, S: hold * 1.2, M: hold * 2},
		flight: map[[2]keystroke.Class]float64{
			{L, L}: ll, {L, S}: ls, {S, L}: sl, {S, M}: sl, {M, L}: ll * 0.8,
		},
		rng: rand.New(rand.NewPCG(seed, 2)),
	}
}

func sample(t *testing.T, mode Mode, evs []keystroke.Event, keys []uint16) Sample {
	t.Helper()
	switch mode {
	case ModeFullKey:
		s, err := ExtractKeys(evs, keys, Params{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	case ModeWindow:
		wd := keystroke.NewWindower(false)
		for _, e := range evs {
			wd.Add(e)
		}
		return ExtractWindows(wd.Cut(time.Time{}, time.Time{}))
	}
	return Extract(evs, Params{})
}

// TestScoreSeparatesTypists: a window of the enrolled typist is closer to
// the profile than a window of another typist, in every mode, for every
// one of several windows.
func TestScoreSeparatesTypists(t *testing.T) {
	for _, mode := range []Mode{ModePrivacy, ModeFullKey, ModeWindow} {
		t.Run(mode.String(), func(t *testing.T) {
			a := newTypist(1, 95, 170, 150, 210)
			b := newTypist(2, 80, 140, 130, 180)
			evs, keys := a.typing(500, 10)
			p, err := Enrol(sample(t, mode, evs, keys), Params{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range uint64(20) {
				ga, gk := a.typing(200, 100+i)
				ia, ik := b.typing(200, 100+i)
				g, im := p.Compare(sample(t, mode, ga, gk)), p.Compare(sample(t, mode, ia, ik))
				if !(g < im) {
					t.Errorf("window %d: genuine distance %.3f, impostor %.3f; want genuine < impostor", i, g, im)
				}
			}
		})
	}
}

// TestPrivacySeesClassPairs: two typists with the same overall speed, one
// slow into a space and fast out of it, the other the reverse. Their
// pooled flight histograms match; the class-pair flights of privacy mode
// tell them apart.
func TestPrivacySeesClassPairs(t *testing.T) {
	a := newTypist(3, 90, 160, 260, 120)
	b := newTypist(4, 90, 160, 120, 260)
	evs, _ := a.typing(500, 20)
	p, err := Enrol(Extract(evs, Params{}), Params{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range uint64(20) {
		ga, _ := a.typing(200, 200+i)
		ib, _ := b.typing(200, 200+i)
		if g, im := Score(p, ga), Score(p, ib); !(g < im) {
			t.Errorf("window %d: Score genuine %.3f, impostor %.3f; want genuine < impostor", i, g, im)
		}
	}
}

func TestEnrolTooLittle(t *testing.T) {
	for _, n := range []int{0, 1, 4} {
		evs, _ := newTypist(1, 90, 150, 150, 150).typing(max(n, 1), 1)
		if _, err := Enrol(Extract(evs[:n], Params{}), Params{}); !errors.Is(err, ErrTooLittle) {
			t.Errorf("Enrol(%d events) error = %v, want ErrTooLittle", n, err)
		}
	}
}

func TestCompareNoSharedUnitIsInf(t *testing.T) {
	evs, _ := newTypist(1, 90, 150, 150, 150).typing(300, 1)
	p, err := Enrol(Extract(evs, Params{}), Params{})
	if err != nil {
		t.Fatal(err)
	}
	if d := Score(p, evs[:2]); !math.IsInf(d, 1) {
		t.Errorf("Score(2 events) = %v, want +Inf (no unit with %d samples)", d, p.Params().MinSamples)
	}
	if d := Score(p, evs[:200]); d < 0 || d > 0.5 || math.IsNaN(d) {
		t.Errorf("Score(own enrolment) = %v, want a small distance", d)
	}
}

func TestCompareModeMismatchPanics(t *testing.T) {
	evs, keys := newTypist(1, 90, 150, 150, 150).typing(300, 1)
	p, err := Enrol(Extract(evs, Params{}), Params{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ExtractKeys(evs, keys, Params{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Compare(full-key sample) with a privacy profile did not panic")
		}
	}()
	p.Compare(s)
}

func TestExtractKeysLengthMismatch(t *testing.T) {
	evs, keys := newTypist(1, 90, 150, 150, 150).typing(10, 1)
	if _, err := ExtractKeys(evs, keys[:9], Params{}); err == nil {
		t.Error("ExtractKeys(10 events, 9 keys) = nil error")
	}
}

// TestExtractOrder: events out of press order give the same sample as
// sorted ones.
func TestExtractOrder(t *testing.T) {
	evs, _ := newTypist(1, 90, 150, 150, 150).typing(50, 1)
	shuffled := append([]keystroke.Event(nil), evs...)
	rand.New(rand.NewPCG(9, 9)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	a, b := Extract(evs, Params{}), Extract(shuffled, Params{})
	if len(a.units) != len(b.units) {
		t.Fatalf("units: sorted %d, shuffled %d", len(a.units), len(b.units))
	}
	for i := range a.units {
		if a.units[i].key != b.units[i].key || len(a.units[i].x) != len(b.units[i].x) {
			t.Fatalf("unit %d differs: %x/%d vs %x/%d", i, a.units[i].key, len(a.units[i].x), b.units[i].key, len(b.units[i].x))
		}
		for j := range a.units[i].x {
			if a.units[i].x[j] != b.units[i].x[j] {
				t.Fatalf("unit %x value %d: %v vs %v", a.units[i].key, j, a.units[i].x[j], b.units[i].x[j])
			}
		}
	}
}

// TestExtractUnits checks the units of a hand-made sequence: letter
// (hold 100) at 0, space (hold 80) at 150, letter (hold 90) at 2,150
// (a pause: only in the pooled flight unit).
func TestExtractUnits(t *testing.T) {
	L, S := keystroke.ClassLetter, keystroke.ClassSpace
	evs := []keystroke.Event{
		{Press: 0, Release: 100 * ms, Class: L},
		{Press: 150 * ms, Release: 230 * ms, Class: S},
		{Press: 2150 * ms, Release: 2240 * ms, Class: L},
	}
	s := Extract(evs, Params{})
	want := map[uint32][]float64{
		unitKey(kindHold, uint16(L), 0):       {90, 100},
		unitKey(kindHold, uint16(S), 0):       {80},
		unitKey(kindAllHold, 0, 0):            {80, 90, 100},
		unitKey(kindAllFlight, 0, 0):          {150, 2000},
		unitKey(kindPP, uint16(L), uint16(S)): {150},
		unitKey(kindRP, uint16(L), uint16(S)): {50},
	}
	if len(s.units) != len(want) {
		t.Fatalf("Extract gave %d units, want %d", len(s.units), len(want))
	}
	for _, u := range s.units {
		w, ok := want[u.key]
		if !ok || len(w) != len(u.x) {
			t.Fatalf("unit %x = %v, want %v", u.key, u.x, w)
		}
		for i := range w {
			if u.x[i] != w[i] {
				t.Errorf("unit %x = %v, want %v", u.key, u.x, w)
			}
		}
	}
}

func TestKSAndQuantile(t *testing.T) {
	for _, tc := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3}, []float64{1, 2, 3}, 0},
		{[]float64{1, 2}, []float64{3, 4}, 1},
		{[]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}, 0.5},
		{[]float64{1}, []float64{1, 2}, 0.5},
	} {
		if got := ks(tc.x, tc.y); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("ks(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
	for _, tc := range []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{10, 20, 30, 40, 50}, 0.5, 30},
		{[]float64{10, 20, 30, 40, 50}, 0.25, 20},
		{[]float64{10, 20}, 0.5, 15},
		{[]float64{7}, 0.75, 7},
	} {
		if got := quantile(tc.x, tc.q); got != tc.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", tc.x, tc.q, got, tc.want)
		}
	}
}

// TestCalibrate: after calibration, the cohort's own z-scores average 0
// and a genuine window scores well below the cohort.
func TestCalibrate(t *testing.T) {
	a := newTypist(1, 95, 170, 150, 210)
	evs, _ := a.typing(500, 1)
	p, err := Enrol(Extract(evs, Params{}), Params{Distance: DistQuantile})
	if err != nil {
		t.Fatal(err)
	}
	var cohort []Sample
	for i := range uint64(10) {
		o := newTypist(50+i, 70+5*float64(i), 120+8*float64(i), 140, 170)
		w, _ := o.typing(200, 300+i)
		cohort = append(cohort, Extract(w, Params{}))
	}
	c, err := p.Calibrate(cohort)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, s := range cohort {
		sum += c.Compare(s)
	}
	if m := sum / float64(len(cohort)); math.Abs(m) > 1e-9 {
		t.Errorf("mean calibrated cohort score = %v, want 0", m)
	}
	g, _ := a.typing(200, 999)
	if z := c.Compare(Extract(g, Params{})); z > -1 {
		t.Errorf("calibrated genuine score = %.2f, want below -1", z)
	}
	if _, err := p.Calibrate(cohort[:1]); err == nil {
		t.Error("Calibrate(1 sample) = nil error")
	}
}

func BenchmarkScore(b *testing.B) {
	a := newTypist(1, 95, 170, 150, 210)
	evs, keys := a.typing(500, 1)
	win, wkeys := a.typing(200, 2)
	b.Run("privacy-W200", func(b *testing.B) {
		p, err := Enrol(Extract(evs, Params{}), Params{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			Score(p, win)
		}
	})
	b.Run("privacy-compare-only-W200", func(b *testing.B) {
		p, err := Enrol(Extract(evs, Params{}), Params{})
		if err != nil {
			b.Fatal(err)
		}
		s := Extract(win, Params{})
		b.ReportAllocs()
		for b.Loop() {
			p.Compare(s)
		}
	})
	b.Run("full-key-W200", func(b *testing.B) {
		s, _ := ExtractKeys(evs, keys, Params{})
		p, err := Enrol(s, Params{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			ws, _ := ExtractKeys(win, wkeys, Params{})
			p.Compare(ws)
		}
	})
}
