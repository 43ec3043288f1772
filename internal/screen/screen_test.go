package screen

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// fakeLanguage flags a fixed share of a text's sentences, as a language
// model would for a non-native writer.
func fakeLanguage(flagged, total int) LanguageFunc {
	return func(text string) (int, int, []string) {
		return flagged, total, []string{"I am having experience of 5 years in the Golang.", "Please kindly revert."}
	}
}

func TestLanguageNeverAlone(t *testing.T) {
	cfg := testConfig(t)
	plain := newScreener(t, cfg)
	cfg.Language = fakeLanguage(12, 30)
	withLang := newScreener(t, cfg)

	a := honest()
	before := plain.Check(a, nil)
	after := withLang.Check(a, nil)
	e, ok := evidence(after, "language.non-native")
	if !ok {
		t.Fatalf("evidence = %v, want language.non-native", checks(after))
	}
	if !e.Weak || e.Weight != defaultWeights["language.non-native"] || e.Field != "resume_text" {
		t.Errorf("language evidence = %+v, want weak, default weight, field resume_text", e)
	}
	if !strings.Contains(e.Sentence, "12 of 30 sentences") || !strings.Contains(e.Sentence, "never decides") ||
		!strings.Contains(e.Sentence, "not counted") {
		t.Errorf("sentence = %q", e.Sentence)
	}
	if after.Score != before.Score || after.Score != 0 || after.Level != LevelLow {
		t.Errorf("with only language evidence: score %v level %q, want score unchanged (%v) and low", after.Score, after.Level, before.Score)
	}

	// Beside non-weak evidence it counts towards the score, but never
	// towards the level: 2.8 + 0.5 passes the review threshold of 3 and
	// the level stays low.
	cfg.Weights = map[string]float64{"phone.country": 2.8}
	s := newScreener(t, cfg)
	a.Phones = []string{"+44 20 7946 0958"}
	r := s.Check(a, nil)
	if r.Score != 3.3 {
		t.Errorf("score = %v, want 3.3 (2.8 phone + 0.5 language)", r.Score)
	}
	if r.Level != LevelLow {
		t.Errorf("level = %q, want low: weak evidence must not raise the level", r.Level)
	}
	if e, _ := evidence(r, "language.non-native"); strings.Contains(e.Sentence, "not counted") {
		t.Errorf("sentence = %q, counted evidence marked as not counted", e.Sentence)
	}

	// Below the flagging share nothing is said.
	cfg.Language = fakeLanguage(2, 40)
	if r := newScreener(t, cfg).Check(honest(), nil); len(r.Evidence) != 0 {
		t.Errorf("2 of 40 flagged: evidence %v, want none", checks(r))
	}
	if r := withLang.Check(&hiring.Applicant{ID: "x"}, nil); !notChecked(r, "no résumé text") {
		t.Errorf("no résumé: NotChecked = %q", r.NotChecked)
	}
}

func TestScoreAndLevel(t *testing.T) {
	s := newScreener(t, testConfig(t))
	a := honest()
	a.ApplicationIP = ipPyongyang                                  // 3
	a.Emails = []string{"maria.gonzalez@mailinator.com"}           // 3
	a.ShippingAddress = "2710 Old Lebanon Rd, Nashville, TN 37214" // 1.5
	r := s.Check(a, nil)
	if r.Score != 7.5 || r.Level != LevelHigh {
		t.Fatalf("score, level = %v, %q; want 7.5, high (evidence %v)", r.Score, r.Level, checks(r))
	}
	for i := 1; i < len(r.Evidence); i++ {
		if r.Evidence[i].Weight > r.Evidence[i-1].Weight {
			t.Errorf("evidence not sorted by weight: %v", r.Evidence)
		}
	}
	if got := checks(r); !reflect.DeepEqual(got, []string{"email.disposable", "location.ip-country", "location.shipping-distance"}) {
		t.Errorf("evidence = %v", got)
	}
	for _, tc := range []struct {
		score float64
		want  string
	}{{0, LevelLow}, {2.99, LevelLow}, {3, LevelReview}, {5.9, LevelReview}, {6, LevelHigh}, {40, LevelHigh}} {
		if got := LevelFor(tc.score); got != tc.want {
			t.Errorf("LevelFor(%v) = %q, want %q", tc.score, got, tc.want)
		}
	}
}

func TestWeightsConfig(t *testing.T) {
	cfg := testConfig(t)
	cfg.Weights = map[string]float64{"email.disposable": 0, "location.ip-country": 5}
	s := newScreener(t, cfg)
	a := honest()
	a.ApplicationIP = ipPyongyang
	a.Emails = []string{"maria.gonzalez@mailinator.com"}
	r := s.Check(a, nil)
	if _, ok := evidence(r, "email.disposable"); ok {
		t.Errorf("weight 0 did not turn email.disposable off: %v", checks(r))
	}
	if e, _ := evidence(r, "location.ip-country"); e.Weight != 5 || r.Score != 5 || r.Level != LevelReview {
		t.Errorf("ip-country weight %v, score %v, level %q; want 5, 5, review", e.Weight, r.Score, r.Level)
	}
	cfg.ReviewAt, cfg.HighAt = 1, 4
	if r := newScreener(t, cfg).Check(a, nil); r.Level != LevelHigh {
		t.Errorf("thresholds 1/4: level %q for score %v, want high", r.Level, r.Score)
	}

	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown check", Config{Weights: map[string]float64{"phone.colour": 1}}, `unknown check "phone.colour"`},
		{"NaN", Config{Weights: map[string]float64{"phone.voip": math.NaN()}}, `check "phone.voip": weight NaN outside`},
		{"too big", Config{Weights: map[string]float64{"phone.voip": 21}}, "outside -20..20"},
		{"infinite", Config{Weights: map[string]float64{"phone.voip": math.Inf(-1)}}, "outside -20..20"},
		{"thresholds", Config{ReviewAt: 5, HighAt: 4}, "want 0 < review < high"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New() error = %v, want %q", tc.name, err, tc.want)
		}
	}
	if d := DefaultWeights(); len(d) != len(defaultWeights) || d["email.disposable"] != 3 {
		t.Errorf("DefaultWeights() = %v", d)
	}
}

func TestConcurrentCheck(t *testing.T) {
	cfg := testConfig(t)
	cfg.Language = fakeLanguage(5, 20)
	s := newScreener(t, cfg)
	apps, shared := sampleApplicants(120, 7)
	want := make([]Result, len(apps))
	for i := range apps {
		want[i] = s.Check(apps[i], shared[i])
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range apps {
				i := (k + g*20) % len(apps)
				if got := s.Check(apps[i], shared[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Errorf("applicant %s: concurrent result differs:\n got %+v\nwant %+v", apps[i].ID, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCheckDoesNotChangeInput(t *testing.T) {
	s := newScreener(t, testConfig(t))
	apps, shared := sampleApplicants(50, 3)
	for i, a := range apps {
		before := *a
		beforeShared := fmt.Sprint(shared[i])
		s.Check(a, shared[i])
		if !reflect.DeepEqual(before, *a) || fmt.Sprint(shared[i]) != beforeShared {
			t.Fatalf("Check changed applicant %s", a.ID)
		}
	}
}
