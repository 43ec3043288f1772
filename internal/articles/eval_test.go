package articles

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// checkResult asserts the invariants every Result must hold.
func checkResult(t *testing.T, r Result) {
	t.Helper()
	if r.TP+r.FP != r.Findings || r.StrictTP+r.StrictFP != r.Findings || r.StrictTP > r.TP {
		t.Fatalf("finding counts do not add up: %+v", r)
	}
	if r.Matched+r.FN != r.GoldErrors || r.StrictMatched > r.Matched || r.StrictMatched+r.StrictFN != r.GoldErrors {
		t.Fatalf("gold counts do not add up: %+v", r)
	}
	if r.FlaggedWithoutArtErr > r.SentencesWithoutArtErr || r.SentencesWithoutArtErr > r.Sentences {
		t.Fatalf("sentence counts do not add up: %+v", r)
	}
	for _, v := range []float64{r.Precision, r.Recall, r.F05, r.StrictPrecision, r.StrictRecall, r.StrictF05, r.FlagRate, r.FlagRateUpper95} {
		if math.IsNaN(v) || v < 0 || v > 1 {
			t.Fatalf("rate %v out of [0, 1]: %+v", v, r)
		}
	}
	if r.FlagRateUpper95 < r.FlagRate {
		t.Fatalf("upper bound %v below rate %v", r.FlagRateUpper95, r.FlagRate)
	}
	n := 0
	for _, rc := range r.Rules {
		n += rc.TP + rc.FP
	}
	if n != r.Findings {
		t.Fatalf("per-rule TP+FP = %d, want %d", n, r.Findings)
	}
}

func TestEvaluateFixture(t *testing.T) {
	ss := readFixture(t, "small.m2")
	r := Evaluate(ss, CheckTokens, EvalOptions{})
	checkResult(t, r)
	// Worked out by hand in testdata/small.m2:
	//  0 "am software engineer": role, TP (both annotators insert "a": one error)
	//  1 "an useful": a-an, TP (annotator 0 "a", annotator 1 delete: one error)
	//  2 noop, clean, not flagged
	//  3 "have lot of": TP; "the society": TP; annotator 1's "the experience" missed
	//  4 "the Facebook": FP, in a clean sentence
	//  5 "in the same time": idiom, not scored, in a clean sentence
	want := Result{
		EditType: "ArtOrDet", Sentences: 6, SentencesWithoutArtErr: 3, FlaggedWithoutArtErr: 2,
		FlaggedWithArtErr: 3, GoldErrors: 5, Findings: 5, Unscored: 1,
		TP: 4, FP: 1, FN: 1, Matched: 4, StrictTP: 4, StrictFP: 1, StrictFN: 1, StrictMatched: 4,
	}
	if r.Sentences != want.Sentences || r.SentencesWithoutArtErr != want.SentencesWithoutArtErr ||
		r.FlaggedWithoutArtErr != want.FlaggedWithoutArtErr || r.FlaggedWithArtErr != want.FlaggedWithArtErr ||
		r.GoldErrors != want.GoldErrors || r.Findings != want.Findings || r.Unscored != want.Unscored ||
		r.TP != want.TP || r.FP != want.FP || r.FN != want.FN || r.Matched != want.Matched ||
		r.StrictTP != want.StrictTP || r.StrictFP != want.StrictFP || r.StrictMatched != want.StrictMatched {
		t.Errorf("Evaluate(small.m2) =\n%+v\nwant counts\n%+v", r, want)
	}
	if math.Abs(r.Precision-0.8) > 1e-9 || math.Abs(r.Recall-0.8) > 1e-9 || math.Abs(r.F05-0.8) > 1e-9 {
		t.Errorf("P, R, F0.5 = %v, %v, %v, want 0.8 each", r.Precision, r.Recall, r.F05)
	}
	if math.Abs(r.FlagRate-2.0/3) > 1e-9 {
		t.Errorf("FlagRate = %v, want 2/3", r.FlagRate)
	}
	// Only sentence 4 has a scored finding among the clean ones; the idiom
	// in sentence 5 counts for the scored flag rate only when scored.
	if r.ScoredFlaggedWithoutArtErr != 1 || math.Abs(r.ScoredFlagRate-1.0/3) > 1e-9 || r.ScoredFlagRateUpper95 < r.ScoredFlagRate {
		t.Errorf("scored flags %d, rate %v, upper %v; want 1, 1/3", r.ScoredFlaggedWithoutArtErr, r.ScoredFlagRate, r.ScoredFlagRateUpper95)
	}
	if ri := Evaluate(ss, CheckTokens, EvalOptions{ScoreIdioms: true}); ri.ScoredFlaggedWithoutArtErr != 2 || ri.FlaggedWithoutArtErr != 2 {
		t.Errorf("with idioms scored: scored flags %d, flags %d; want 2 and 2", ri.ScoredFlaggedWithoutArtErr, ri.FlaggedWithoutArtErr)
	}
	if rc := r.Rules[RuleName]; rc != (RuleCount{Findings: 1, FP: 1, OnClean: 1}) {
		t.Errorf("Rules[%s] = %+v", RuleName, rc)
	}
	if rc := r.Rules["idiom-at-the-same-time"]; rc != (RuleCount{Findings: 1, OnClean: 1}) {
		t.Errorf("Rules[idiom-at-the-same-time] = %+v", rc)
	}

	r = Evaluate(ss, CheckTokens, EvalOptions{ScoreIdioms: true})
	checkResult(t, r)
	if r.Findings != 6 || r.FP != 2 || r.Unscored != 0 {
		t.Errorf("Evaluate(ScoreIdioms) findings, FP, unscored = %d, %d, %d, want 6, 2, 0", r.Findings, r.FP, r.Unscored)
	}
}

func TestEvaluateMatching(t *testing.T) {
	s := []Sentence{{
		Tokens: strings.Fields("w0 w1 w2 w3 w4 w5"),
		Edits: []Edit{
			{Start: 1, End: 2, Type: "ArtOrDet", Correction: "", Annotator: 0},
			{Start: 1, End: 1, Type: "ArtOrDet", Correction: "the", Annotator: 1}, // same error as the one above
			{Start: 4, End: 4, Type: "ArtOrDet", Correction: "a", Annotator: 0},
			{Start: 5, End: 6, Type: "Prep", Correction: "in", Annotator: 0},
		},
	}}
	tests := []struct {
		name            string
		findings        []Finding
		tp, fp, matched int
		strictTP        int
	}{
		{"exact deletion", []Finding{{Start: 1, End: 2, Rule: "r"}}, 1, 0, 1, 1},
		{"insertion touching", []Finding{{Start: 2, End: 2, Suggestion: "a", Rule: "r"}}, 1, 0, 1, 0},
		{"strict insertion", []Finding{{Start: 4, End: 4, Suggestion: "A", Rule: "r"}}, 1, 0, 1, 1},
		{"wrong article still lenient", []Finding{{Start: 4, End: 4, Suggestion: "the", Rule: "r"}}, 1, 0, 1, 0},
		{"other insertion point", []Finding{{Start: 3, End: 3, Suggestion: "a", Rule: "r"}}, 0, 1, 0, 0},
		{"other type", []Finding{{Start: 5, End: 6, Rule: "r"}}, 0, 1, 0, 0},
		{"two findings one error", []Finding{{Start: 1, End: 2, Rule: "r"}, {Start: 1, End: 1, Suggestion: "the", Rule: "r"}}, 2, 0, 1, 2},
	}
	for _, tt := range tests {
		r := Evaluate(s, func([]string) []Finding { return tt.findings }, EvalOptions{})
		checkResult(t, r)
		if r.GoldErrors != 2 {
			t.Fatalf("%s: GoldErrors = %d, want 2", tt.name, r.GoldErrors)
		}
		if r.TP != tt.tp || r.FP != tt.fp || r.Matched != tt.matched || r.StrictTP != tt.strictTP {
			t.Errorf("%s: TP, FP, matched, strict TP = %d, %d, %d, %d, want %d, %d, %d, %d",
				tt.name, r.TP, r.FP, r.Matched, r.StrictTP, tt.tp, tt.fp, tt.matched, tt.strictTP)
		}
	}
	// Scoring another type.
	r := Evaluate(s, func([]string) []Finding { return []Finding{{Start: 5, End: 6, Rule: "r"}} }, EvalOptions{EditType: "Prep"})
	if r.TP != 1 || r.GoldErrors != 1 {
		t.Errorf("Evaluate(Prep) TP, gold = %d, %d, want 1, 1", r.TP, r.GoldErrors)
	}
}

func TestSplit(t *testing.T) {
	ss := make([]Sentence, 1312)
	for i := range ss {
		ss[i].Line = i
	}
	dev, held := Split(ss, 0)
	if len(dev) != 700 || len(held) != 612 {
		t.Errorf("Split(1312, 0) = %d, %d, want 700, 612", len(dev), len(held))
	}
	if dev[99].Line != 99 || dev[100].Line != 200 || held[0].Line != 100 {
		t.Errorf("Split(1312, 0): dev[99], dev[100], held[0] = %d, %d, %d, want 99, 200, 100", dev[99].Line, dev[100].Line, held[0].Line)
	}
	dev1, held1 := Split(ss, 1)
	if len(dev1) != len(held) || len(held1) != len(dev) || dev1[0].Line != 100 {
		t.Errorf("Split(1312, 1) did not swap the halves")
	}
}

func TestWilsonUpper(t *testing.T) {
	tests := []struct {
		k, n int
		want float64
	}{
		{0, 0, 0},
		{0, 100, 0.036993},
		{3, 447, 0.019544},
		{10, 10, 1},
		{5, 1000, 0.011651},
	}
	for _, tt := range tests {
		if got := WilsonUpper(tt.k, tt.n); math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("WilsonUpper(%d, %d) = %.6f, want %.6f", tt.k, tt.n, got, tt.want)
		}
	}
}

func TestWriteTableAndJSON(t *testing.T) {
	ss := readFixture(t, "small.m2")
	rep := EvaluateSplit(ss, CheckTokens, EvalOptions{})
	var buf bytes.Buffer
	if err := WriteReport(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{
		"== held-out half (not used for tuning), blocks of 100 sentences, fold 0 ==",
		"lenient", "strict", "flag rate on sentences without ArtOrDet errors, scored findings",
		"flag rate on sentences without ArtOrDet errors, any finding",
		"name-no-the", "idiom-at-the-same-time",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("WriteReport output lacks %q:\n%s", s, out)
		}
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || back.All.TP != rep.All.TP || back.All.Rules[RuleRole].TP != 1 {
		t.Errorf("JSON round trip = %+v, %v", back.All, err)
	}
	if !bytes.Contains(data, []byte(`"flag_rate_upper95"`)) || !bytes.Contains(data, []byte(`"held_out"`)) {
		t.Errorf("JSON lacks the documented keys: %s", data)
	}
}
