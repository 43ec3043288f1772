package keylab

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/identity"
	"github.com/lagwatch/lagwatch/internal/lab/aalto"
)

func TestRates(t *testing.T) {
	for _, tc := range []struct {
		name       string
		gen, imp   []float64
		eer, fnmr1 float64
	}{
		{"separated", []float64{1, 2, 3}, []float64{4, 5, 6}, 0, 0},
		{"interleaved", []float64{1, 3}, []float64{2, 4}, 0.5, 0.5},
		{"reversed", []float64{4, 5}, []float64{1, 2}, 1, 1},
		// 100 impostors at 10..109, genuine 0..8 and 50: at threshold 8,
		// FMR 0 and FNMR 1/10; the rates cross at 19 (FMR 10/100).
		{"one outlier", append([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8}, 50), idSeq(10, 100), 0.1, 0.1},
	} {
		r := idRates(slices.Clone(tc.gen), slices.Clone(tc.imp))
		if math.Abs(r.EER-tc.eer) > 1e-9 || math.Abs(r.FNMR1-tc.fnmr1) > 1e-9 {
			t.Errorf("%s: rates = EER %v FNMR@1%% %v, want %v and %v", tc.name, r.EER, r.FNMR1, tc.eer, tc.fnmr1)
		}
	}
	if r := idRates(nil, []float64{1}); !math.IsNaN(r.EER) {
		t.Errorf("rates(no genuine) EER = %v, want NaN", r.EER)
	}
}

func idSeq(from, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(from + i)
	}
	return out
}

// TestRatesFNMRAt1Percent: with 200 impostors, 2 may be accepted (1 %),
// not 3.
func TestRatesFNMRAt1Percent(t *testing.T) {
	imp := idSeq(100, 200)
	imp[0], imp[1], imp[2] = 1.5, 2.5, 3.5
	gen := []float64{1, 2, 3, 4} // accepting 3 needs 3.5 impostors...
	r := idRates(gen, imp)
	// At threshold 3 (2 impostors accepted, FMR 1 %), genuine 1, 2, 3
	// are accepted: FNMR 1/4.
	if r.FNMR1 != 0.25 {
		t.Errorf("FNMR@1%% = %v, want 0.25", r.FNMR1)
	}
}

func TestBootstrapCoversEstimate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	owners := make([]idOwner, 40)
	for k := range owners {
		for range 5 {
			owners[k].genuine = append(owners[k].genuine, rng.NormFloat64())
		}
		for range 50 {
			owners[k].impostor = append(owners[k].impostor, 2+rng.NormFloat64())
		}
	}
	r := idRates(idPooled(owners, nil))
	eer, fn := idBootstrap(owners, 200, 1)
	if !(eer.Lo <= r.EER && r.EER <= eer.Hi && eer.Lo < eer.Hi) {
		t.Errorf("EER %.3f, interval [%.3f, %.3f]; want it inside a non-empty interval", r.EER, eer.Lo, eer.Hi)
	}
	if !(fn.Lo <= r.FNMR1 && r.FNMR1 <= fn.Hi) {
		t.Errorf("FNMR@1%% %.3f, interval [%.3f, %.3f]; want it inside", r.FNMR1, fn.Lo, fn.Hi)
	}
}

// TestWindowRangesDisjoint: test windows never overlap the enrolment or
// each other, and are all w long.
func TestWindowRangesDisjoint(t *testing.T) {
	for _, tc := range []struct{ n, e, w, want int }{
		{735, 250, 50, 9}, {735, 500, 200, 1}, {699, 500, 200, 0}, {700, 500, 200, 1}, {735, 250, 200, 2},
	} {
		rs := idWindowRanges(tc.n, tc.e, tc.w)
		if len(rs) != tc.want {
			t.Errorf("windowRanges(%d, %d, %d) = %d windows, want %d", tc.n, tc.e, tc.w, len(rs), tc.want)
		}
		prev := tc.e
		for _, r := range rs {
			if r[0] < prev || r[1]-r[0] != tc.w || r[1] > tc.n {
				t.Errorf("windowRanges(%d, %d, %d): window %v overlaps [0,%d) or is not %d long", tc.n, tc.e, tc.w, r, prev, tc.w)
			}
			prev = r[1]
		}
	}
}

func TestSplitDisjoint(t *testing.T) {
	var ts []idTypist
	for i := range 31 {
		ts = append(ts, idTypist{id: 1000 - i})
	}
	train, test := idSplit(ts, 7)
	train2, test2 := idSplit(ts, 7)
	ids := func(ts []idTypist) []int {
		var out []int
		for _, t := range ts {
			out = append(out, t.id)
		}
		return out
	}
	if !slices.Equal(ids(train), ids(train2)) || !slices.Equal(ids(test), ids(test2)) {
		t.Error("split is not deterministic for a seed")
	}
	seen := map[int]bool{}
	for _, t := range train {
		seen[t.id] = true
	}
	for _, x := range test {
		if seen[x.id] {
			t.Errorf("typist %d is in both halves", x.id)
		}
		seen[x.id] = true
	}
	if len(seen) != len(ts) || len(train) != 15 {
		t.Errorf("split covers %d of %d typists, train %d; want all and 15", len(seen), len(ts), len(train))
	}
}

// idSynthParticipants makes n synthetic typists of the Aalto kind: letters and
// spaces, each typist with its own speed and hold, strokes in file order.
func idSynthParticipants(n, strokes int) []aalto.Participant {
	out := make([]aalto.Participant, n)
	for k := range out {
		rng := rand.New(rand.NewPCG(uint64(k), 3))
		hold := 60 + 8*float64(k)
		flight := 110 + 11*float64(k%7) + 3*float64(k)
		p := aalto.Participant{ID: 10 + k}
		at := 1_600_000_000_000.0
		for i := range strokes {
			code := 65 + rng.IntN(26)
			if i%6 == 5 {
				code = 32
			}
			at += flight * math.Exp(0.3*rng.NormFloat64())
			h := hold * math.Exp(0.25*rng.NormFloat64())
			p.Strokes = append(p.Strokes, aalto.Stroke{Section: i / 50,
				Press: time.Duration(at) * time.Millisecond, Release: time.Duration(at+h) * time.Millisecond, KeyCode: code})
		}
		out[k] = p
	}
	return out
}

// TestRunIdentitySynthetic runs the whole protocol on distinct synthetic
// typists: halves are disjoint, comparison counts follow the protocol,
// distinct typists are told apart, and the report marshals and prints.
func TestRunIdentitySynthetic(t *testing.T) {
	ps := idSynthParticipants(20, 760)
	ps[0].Strokes = ps[0].Strokes[:600] // too short for E=500, W=200
	cfg := IdentityConfig{Bootstrap: 30, Candidates: IdentityCandidates()[:2]}
	rep, err := RunIdentity(t.Context(), ps, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	train := map[int]bool{}
	for _, id := range rep.Train {
		train[id] = true
	}
	for _, id := range rep.Test {
		if train[id] {
			t.Errorf("typist %d is in train and test", id)
		}
	}
	if len(rep.Train)+len(rep.Test) != 20 || len(rep.Rows) != 12 || len(rep.Tuning) != 6 {
		t.Fatalf("report: %d+%d typists, %d rows, %d tuning rows; want 20, 12, 6", len(rep.Train), len(rep.Test), len(rep.Rows), len(rep.Tuning))
	}
	short := slices.Contains(rep.Test, ps[0].ID)
	for _, r := range rep.Rows {
		per := len(idWindowRanges(760, r.Enrol, r.Window))
		profiles := 10
		if short && r.Enrol+r.Window > 600 {
			profiles = 9
		}
		if r.Profiles != profiles || r.Profiles+r.Excluded != 10 {
			t.Errorf("%s E=%d W=%d: %d profiles, %d excluded; want %d and %d", r.Mode, r.Enrol, r.Window, r.Profiles, r.Excluded, profiles, 10-profiles)
			continue
		}
		if !short || r.Enrol+r.Window <= 600 && per == len(idWindowRanges(600, r.Enrol, r.Window)) {
			if r.Genuine != r.Profiles*per || r.Impostor != r.Profiles*(r.Profiles-1)*per {
				t.Errorf("%s E=%d W=%d: %d genuine, %d impostor; want %d and %d", r.Mode, r.Enrol, r.Window, r.Genuine, r.Impostor, r.Profiles*per, r.Profiles*(r.Profiles-1)*per)
			}
		}
		if r.Window == 200 && r.EER > 0.1 {
			t.Errorf("%s E=%d W=%d: EER %.3f on distinct synthetic typists, want <= 0.1", r.Mode, r.Enrol, r.Window, r.EER)
		}
		if r.EERLo > r.EER || r.EER > r.EERHi {
			t.Errorf("%s E=%d W=%d: EER %.3f outside its interval [%.3f, %.3f]", r.Mode, r.Enrol, r.Window, r.EER, r.EERLo, r.EERHi)
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("json.Marshal(report): %v", err)
	}
	var b strings.Builder
	rep.WriteTable(&b)
	for _, want := range []string{"privacy", "full-key", "agent-window", "Bar (privacy mode"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestPrepareAlignsKeys: key codes follow their events through the sort
// by press time.
func TestPrepareAlignsKeys(t *testing.T) {
	p := idSynthParticipants(1, 700)[0]
	rng := rand.New(rand.NewPCG(5, 5))
	rng.Shuffle(len(p.Strokes), func(i, j int) { p.Strokes[i], p.Strokes[j] = p.Strokes[j], p.Strokes[i] })
	ty := idPrepare(p)
	for i, e := range ty.events {
		if c := aalto.ClassOfJS(int(ty.keys[i])); c != e.Class {
			t.Fatalf("event %d: class %s, key code %d is class %s", i, e.Class, ty.keys[i], c)
		}
		if i > 0 && e.Press < ty.events[i-1].Press {
			t.Fatalf("event %d out of press order", i)
		}
	}
	if !ty.fine {
		t.Error("synthetic typist with a 1 ms clock judged coarse")
	}
	coarse := idSynthParticipants(1, 700)[0]
	for i := range coarse.Strokes {
		s := &coarse.Strokes[i]
		s.Press, s.Release = s.Press/(16*time.Millisecond)*(16*time.Millisecond), s.Release/(16*time.Millisecond)*(16*time.Millisecond)
	}
	if idPrepare(coarse).fine {
		t.Error("typist with a 16 ms clock judged fine")
	}
}

func TestRunIdentityTooFew(t *testing.T) {
	if _, err := RunIdentity(t.Context(), idSynthParticipants(5, 100), IdentityConfig{}, nil); err == nil {
		t.Error("RunIdentity(5 typists) = nil error")
	}
	_ = identity.ModePrivacy
}
