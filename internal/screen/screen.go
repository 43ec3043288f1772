package screen

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
)

// Levels of a [Result].
const (
	LevelLow    = "low"    // nothing that needs a person's attention
	LevelReview = "review" // a reviewer should read the evidence before the next step
	LevelHigh   = "high"   // strong evidence; verify identity and location before going on
)

// Default thresholds of [LevelFor], in points.
const (
	ReviewAt = 3.0 // about 8 times likelier under fraud than honesty
	HighAt   = 6.0 // about 64 times likelier
)

// MaxWeight bounds a weight in [Config.Weights].
const MaxWeight = 20.0

// Evidence is one finding about an applicant.
type Evidence struct {
	// Check is the stable id of the check that found it:
	// "education.high-risk", "phone.intl-format".
	Check string `json:"check"`
	// Weight is the evidence in points (about log2 of the likelihood
	// ratio), from [DefaultWeights] or [Config.Weights].
	Weight float64 `json:"weight"`
	// Sentence explains the finding to a reviewer with the concrete values.
	Sentence string `json:"sentence"`
	// Weak marks evidence that never raises the level and counts towards
	// the score only beside non-weak positive evidence (language, name and
	// handle mismatch).
	Weak bool `json:"weak,omitempty"`
	// Field is the applicant field it is about: "phones[0]",
	// "education[1].institution", "shipping_address".
	Field string `json:"field,omitempty"`
}

// Result is the screening of one applicant.
type Result struct {
	ApplicantID string `json:"applicant_id"`
	// Score is the sum of the counted weights; see the package doc.
	Score float64 `json:"score"`
	// Level is [LevelLow], [LevelReview] or [LevelHigh], from the non-weak
	// evidence alone.
	Level string `json:"level"`
	// Evidence is sorted by weight, highest first.
	Evidence []Evidence `json:"evidence"`
	// NotChecked says what could not be checked and why: "no application
	// IP", "institution list not configured".
	NotChecked []string `json:"not_checked,omitempty"`
}

// LanguageFunc judges the language of a text: how many of its sentences it
// flags, out of how many, and a few flagged sentences as examples.
type LanguageFunc func(text string) (flagged, sentences int, examples []string)

// Config holds the lists and knobs of a [Screener]. The zero value works:
// checks whose list or service is missing say so in [Result.NotChecked].
type Config struct {
	// Universities is the institution list for the education checks
	// (LoadUniversities); nil skips them.
	Universities *Universities
	// Disposable adds disposable e-mail domains (LoadDisposable) to the
	// embedded default.
	Disposable *DomainList
	// HighRisk adds high-risk institutions (LoadHighRisk) to the embedded
	// default (DefaultHighRisk).
	HighRisk *HighRiskList
	// HostingRanges lists hosting and VPN address ranges (LoadRanges); the
	// embedded default is empty, so nil skips the check.
	HostingRanges *Ranges
	// Locator geolocates the application IP; nil skips the IP checks.
	Locator *ipgeo.Locator
	// Language judges the résumé text; nil skips the language check. Its
	// evidence is always weak.
	Language LanguageFunc
	// Weights overrides [DefaultWeights] by check id. A weight of 0 turns
	// the check off.
	Weights map[string]float64
	// ReviewAt and HighAt override the level thresholds; 0 keeps
	// [ReviewAt] and [HighAt].
	ReviewAt, HighAt float64
	// Now gives the date for applicants without AppliedAt; nil is
	// time.Now.
	Now func() time.Time
}

// Screener runs the checks. Create one with [New]; it is safe for
// concurrent use.
type Screener struct {
	unis       *Universities
	disposable []*DomainList
	freeHosts  *DomainList
	highRisk   []*HighRiskList
	hosting    *Ranges
	locator    *ipgeo.Locator
	language   LanguageFunc
	weights    map[string]float64
	reviewAt   float64
	highAt     float64
	now        func() time.Time
	npaState   sync.Map     // North American area code → state or province postal code
	places     sync.Map     // claimed location text → placeInfo
	nPlaces    atomic.Int64 // entries in places
}

// New returns a Screener for cfg. It rejects unknown check ids and weights
// that are not finite or exceed [MaxWeight] in size, and thresholds that
// are not 0 < review < high.
func New(cfg Config) (*Screener, error) {
	s := &Screener{
		unis:       cfg.Universities,
		disposable: []*DomainList{listOf(defaultDisposable)},
		freeHosts:  listOf(freeHosts),
		highRisk:   []*HighRiskList{DefaultHighRisk()},
		hosting:    cfg.HostingRanges,
		locator:    cfg.Locator,
		language:   cfg.Language,
		weights:    make(map[string]float64, len(defaultWeights)),
		reviewAt:   ReviewAt,
		highAt:     HighAt,
		now:        cfg.Now,
	}
	if cfg.Disposable != nil {
		s.disposable = append(s.disposable, cfg.Disposable)
	}
	if cfg.HighRisk != nil {
		s.highRisk = append(s.highRisk, cfg.HighRisk)
	}
	if s.hosting == nil {
		hr, err := LoadRanges(strings.NewReader(defaultHosting))
		if err != nil {
			return nil, fmt.Errorf("load embedded hosting ranges: %w", err)
		}
		s.hosting = hr
	}
	if s.now == nil {
		s.now = time.Now
	}
	for id, w := range defaultWeights {
		s.weights[id] = w
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(cfg.Weights)) {
		w := cfg.Weights[id]
		if _, ok := defaultWeights[id]; !ok {
			errs = append(errs, fmt.Errorf("weights: unknown check %q", id))
			continue
		}
		if math.IsNaN(w) || math.Abs(w) > MaxWeight {
			errs = append(errs, fmt.Errorf("weights: check %q: weight %v outside -%v..%v", id, w, MaxWeight, MaxWeight))
			continue
		}
		s.weights[id] = w
	}
	if cfg.ReviewAt != 0 {
		s.reviewAt = cfg.ReviewAt
	}
	if cfg.HighAt != 0 {
		s.highAt = cfg.HighAt
	}
	if !(s.reviewAt > 0 && s.highAt > s.reviewAt && s.highAt <= 1000) {
		errs = append(errs, fmt.Errorf("thresholds: review %v and high %v: want 0 < review < high ≤ 1000", s.reviewAt, s.highAt))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("screen config: %w", err)
	}
	return s, nil
}

// LevelFor returns the level of a score under the default thresholds.
func LevelFor(score float64) string { return levelFor(score, ReviewAt, HighAt) }

func levelFor(score, reviewAt, highAt float64) string {
	switch {
	case score >= highAt:
		return LevelHigh
	case score >= reviewAt:
		return LevelReview
	default:
		return LevelLow
	}
}

// Check screens one applicant. shared is what linking found the applicant
// to have in common with other applicants and current workers. Check reads
// a and shared and never changes them; a nil applicant gives a low result
// that says so.
func (s *Screener) Check(a *hiring.Applicant, shared []hiring.Shared) Result {
	if a == nil {
		return Result{Level: LevelLow, Evidence: []Evidence{}, NotChecked: []string{"no applicant"}}
	}
	c := &checker{s: s, a: a}
	c.prepare()
	c.education()
	c.employment()
	c.phones()
	c.emails()
	c.location()
	c.languageCheck()
	c.shared(shared)
	return c.result()
}

// checker holds the state of one Check call.
type checker struct {
	s          *Screener
	a          *hiring.Applicant
	ref        hiring.YearMonth // the date the applicant is judged at
	claimed    placeInfo        // the claimed location, resolved
	usOnly     int              // 0 not yet known, 1 the history is US-only, -1 it is not
	fullTime   []bool           // per job: the title reads as full-time employment
	ev         []Evidence
	notChecked []string
}

// add records evidence of check with its configured weight; a check whose
// weight is 0 is off.
func (c *checker) add(check, field string, weak bool, format string, args ...any) {
	w := c.s.weights[check]
	if w == 0 {
		return
	}
	c.ev = append(c.ev, Evidence{Check: check, Weight: w, Sentence: fmt.Sprintf(format, args...), Weak: weak, Field: field})
}

func (c *checker) skip(format string, args ...any) {
	c.notChecked = append(c.notChecked, fmt.Sprintf(format, args...))
}

func (c *checker) prepare() {
	t := c.a.AppliedAt
	if t.IsZero() {
		t = c.s.now()
	}
	t = t.UTC()
	c.ref = hiring.YearMonth{Year: t.Year(), Month: int(t.Month())}
	c.claimed = c.s.claimedPlace(c.a.ClaimedLocation)
	c.fullTime = make([]bool, len(c.a.Employment))
	for i, e := range c.a.Employment {
		c.fullTime[i] = fullTime(e.Title)
	}
	switch {
	case strings.TrimSpace(c.a.ClaimedLocation) == "":
		c.skip("no claimed location: phone, IP and shipping address not compared with it")
	case !c.claimed.ok:
		c.skip("claimed location %q not resolved (%v): phone, IP and shipping address not compared with it", clip(c.a.ClaimedLocation, 80), c.claimed.err)
	}
}

// result sums the evidence under the weak-evidence policy.
func (c *checker) result() Result {
	strong, weak, positive := 0.0, 0.0, false
	for _, e := range c.ev {
		if e.Weak {
			weak += e.Weight
			continue
		}
		strong += e.Weight
		if e.Weight > 0 {
			positive = true
		}
	}
	score := strong
	if positive {
		score += weak
	} else {
		for i := range c.ev {
			if c.ev[i].Weak {
				c.ev[i].Sentence += " (Weak evidence: not counted, as there is no other evidence.)"
			}
		}
	}
	sort.SliceStable(c.ev, func(i, j int) bool {
		a, b := c.ev[i], c.ev[j]
		if a.Weight != b.Weight {
			return a.Weight > b.Weight
		}
		if a.Weak != b.Weak {
			return !a.Weak
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Field < b.Field
	})
	if c.ev == nil {
		c.ev = []Evidence{}
	}
	return Result{
		ApplicantID: c.a.ID,
		Score:       math.Round(score*100) / 100,
		Level:       levelFor(strong, c.s.reviewAt, c.s.highAt),
		Evidence:    c.ev,
		NotChecked:  c.notChecked,
	}
}
