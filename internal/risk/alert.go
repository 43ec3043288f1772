package risk

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rule says when a risk raises an alert. All its conditions must hold.
type Rule struct {
	// Name is the rule's stable id, 1 to MaxIDLen bytes.
	Name string `json:"name"`
	// MinLevel is the lowest level that fires ("watch" or "high"; ""
	// any level).
	MinLevel string `json:"min_level,omitempty"`
	// MaxLevel is the highest level that fires ("" any level): a rule for
	// the review queue can leave high risks to a paging rule, so that one
	// risk does not raise both.
	MaxLevel string `json:"max_level,omitempty"`
	// MinLogOdds, when set, is the lowest posterior log2-odds that fires.
	MinLogOdds *float64 `json:"min_log_odds,omitempty"`
	// MinSignals is the fewest independent signals ([Risk.Signals]).
	MinSignals int `json:"min_signals,omitempty"`
	// Detectors, when set, fires only when a counted contribution of one
	// of these detector ids or classes ("endpoint") adds positive bits.
	Detectors []string `json:"detectors,omitempty"`
}

// DefaultRules returns the default alert rules:
//
//   - "high-risk": level high with at least 2 independent signals, so that
//     no single detector alone pages anyone;
//   - "ip-kvm": a strong IP-KVM hardware match at level watch or above,
//     which merits a look on its own;
//   - "watch": level watch (not high) with at least 2 signals, for the
//     review queue.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "high-risk", MinLevel: LevelHigh, MinSignals: 2},
		{Name: "ip-kvm", MinLevel: LevelWatch, Detectors: []string{"endpoint.ip-kvm"}},
		{Name: "watch", MinLevel: LevelWatch, MaxLevel: LevelWatch, MinSignals: 2},
	}
}

func (r Rule) validate(field string) error {
	var errs []error
	if r.Name == "" || len(r.Name) > MaxIDLen {
		errs = append(errs, fmt.Errorf("%s.name: must have 1 to %d bytes, not %d", field, MaxIDLen, len(r.Name)))
	}
	if r.MinLevel != "" && levelRank(r.MinLevel) < 0 {
		errs = append(errs, fmt.Errorf("%s.min_level: must be clear, watch, high or empty, not %q", field, r.MinLevel))
	}
	if r.MaxLevel != "" && levelRank(r.MaxLevel) < 0 {
		errs = append(errs, fmt.Errorf("%s.max_level: must be clear, watch, high or empty, not %q", field, r.MaxLevel))
	} else if r.MaxLevel != "" && r.MinLevel != "" && levelRank(r.MaxLevel) < levelRank(r.MinLevel) {
		errs = append(errs, fmt.Errorf("%s.max_level: %q is below min_level %q", field, r.MaxLevel, r.MinLevel))
	}
	if r.MinLogOdds != nil && !(math.Abs(*r.MinLogOdds) <= maxLevelBits) {
		errs = append(errs, fmt.Errorf("%s.min_log_odds: must be within ±%g bits, not %g", field, maxLevelBits, *r.MinLogOdds))
	}
	if r.MinSignals < 0 || r.MinSignals > MaxDetectors {
		errs = append(errs, fmt.Errorf("%s.min_signals: must be between 0 and %d, not %d", field, MaxDetectors, r.MinSignals))
	}
	if len(r.Detectors) > MaxDetectors {
		errs = append(errs, fmt.Errorf("%s.detectors: must have at most %d entries, not %d", field, MaxDetectors, len(r.Detectors)))
	}
	return errors.Join(errs...)
}

// matches reports whether r fires for k, and the contributions it cites.
func (r *Rule) matches(k *Risk) ([]Contribution, bool) {
	if r.MinLevel != "" && levelRank(k.Level) < levelRank(r.MinLevel) {
		return nil, false
	}
	if r.MaxLevel != "" && levelRank(k.Level) > levelRank(r.MaxLevel) {
		return nil, false
	}
	if r.MinLogOdds != nil && k.LogOdds < *r.MinLogOdds {
		return nil, false
	}
	if k.Signals < r.MinSignals {
		return nil, false
	}
	var cites []Contribution
	hit := len(r.Detectors) == 0
	for _, c := range k.Contributions {
		if !c.Counted || c.Bits <= 0 {
			continue
		}
		cites = append(cites, c)
		if !hit && detectorIn(c.Evidence.Detector, r.Detectors) {
			hit = true
		}
	}
	return cites, hit
}

func detectorIn(id string, list []string) bool {
	class, _, _ := strings.Cut(id, ".")
	return slices.Contains(list, id) || slices.Contains(list, class)
}

// Alert is a rule firing for a subject.
type Alert struct {
	ID      string    `json:"id"` // "risk-<n>", unique per Alerter state
	Subject Subject   `json:"subject"`
	Rule    string    `json:"rule"`
	At      time.Time `json:"at"`
	LogOdds float64   `json:"log_odds"`
	Level   string    `json:"level"`
	// Cites is the evidence behind the alert: the counted contributions
	// that raised the risk, strongest first.
	Cites []Contribution `json:"cites"`
	// Summary is one sentence for the analyst.
	Summary string `json:"summary"`
}

// Open is the last alert of one subject and rule, in [State].
type Open struct {
	Subject Subject   `json:"subject"`
	Rule    string    `json:"rule"`
	AlertID string    `json:"alert_id"`
	At      time.Time `json:"at"`
	LogOdds float64   `json:"log_odds"`
	// Active is true while the rule still matches the subject; a rule
	// that stops matching closes it, and the next match alerts anew.
	Active bool `json:"active"`
}

// Suppression silences one rule (or all, Rule "") for one subject until
// a time.
type Suppression struct {
	Subject Subject   `json:"subject"`
	Rule    string    `json:"rule,omitempty"`
	Until   time.Time `json:"until"`
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
}

// State is an Alerter's memory, for the caller to persist as JSON.
type State struct {
	Version      int           `json:"version"` // StateVersion
	Seq          uint64        `json:"seq"`     // last alert number issued
	Open         []Open        `json:"open"`
	Suppressions []Suppression `json:"suppressions"`
}

// StateVersion is the version of [State] this package writes and reads.
const StateVersion = 1

// Limits of a [State].
const (
	MaxStateBytes   = 64 << 20  // a JSON state
	MaxStateEntries = 1_000_000 // Open and Suppressions entries each
	MaxReasonLen    = 1000      // Suppression.Reason and By
)

type key struct {
	s    Subject
	rule string
}

// Alerter raises alerts from risks by rules, remembering what it raised.
// It is safe for concurrent use.
type Alerter struct {
	rules   []Rule
	margin  float64
	realert time.Duration

	mu   sync.Mutex
	seq  uint64
	open map[key]Open
	supp map[key]Suppression
}

// NewAlerter returns an Alerter with cfg's rules, margin and re-alert
// interval and an empty state.
func NewAlerter(cfg Config) (*Alerter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new alerter: %w", err)
	}
	return &Alerter{
		rules:   slices.Clone(cfg.Rules),
		margin:  cfg.AlertMargin,
		realert: cfg.RealertAfter,
		open:    make(map[key]Open),
		supp:    make(map[key]Suppression),
	}, nil
}

// Evaluate holds each risk against each rule at time now and returns the
// new alerts, ordered as the risks and rules. A subject and rule has at
// most one open alert: while the rule keeps matching, it alerts again only
// when the log-odds rose by the margin since its last alert or the
// re-alert interval passed. A suppressed subject and rule raises nothing
// until the suppression ends.
func (a *Alerter) Evaluate(risks []Risk, now time.Time) []Alert {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Alert
	for i := range risks {
		k := &risks[i]
		for ri := range a.rules {
			r := &a.rules[ri]
			kk := key{k.Subject, r.Name}
			cites, ok := r.matches(k)
			prev, had := a.open[kk]
			if !ok {
				if had && prev.Active {
					prev.Active = false
					a.open[kk] = prev
				}
				continue
			}
			if a.suppressed(kk, now) {
				continue
			}
			if had && prev.Active && k.LogOdds < prev.LogOdds+a.margin && now.Sub(prev.At) < a.realert {
				continue
			}
			a.seq++
			al := Alert{
				ID:      "risk-" + strconv.FormatUint(a.seq, 10),
				Subject: k.Subject,
				Rule:    r.Name,
				At:      now,
				LogOdds: k.LogOdds,
				Level:   k.Level,
				Cites:   cites,
			}
			al.Summary = summary(k, r, cites, had && prev.Active, prev.LogOdds)
			a.open[kk] = Open{Subject: k.Subject, Rule: r.Name, AlertID: al.ID, At: now, LogOdds: k.LogOdds, Active: true}
			out = append(out, al)
		}
	}
	return out
}

func (a *Alerter) suppressed(k key, now time.Time) bool {
	for _, kk := range []key{k, {k.s, ""}} {
		if s, ok := a.supp[kk]; ok && now.Before(s.Until) {
			return true
		}
	}
	return false
}

func summary(k *Risk, r *Rule, cites []Contribution, again bool, prevLO float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s risk (probability %.3g, log-odds %+.1f bits) from %d independent signal", k.Subject, k.Level, k.Probability, k.LogOdds, k.Signals)
	if k.Signals != 1 {
		b.WriteString("s")
	}
	if len(cites) > 0 {
		b.WriteString(", led by ")
		for i, c := range cites[:min(3, len(cites))] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%+.1f bits)", c.Evidence.Detector, c.Bits)
		}
	}
	fmt.Fprintf(&b, "; rule %s", r.Name)
	if again {
		fmt.Fprintf(&b, ", again: up from %+.1f bits or past the re-alert interval", prevLO)
	}
	b.WriteString(".")
	return b.String()
}

// Suppress silences rule ("" for every rule) for subject until the given
// time, recording why and by whom; a later call replaces it, and a time
// in the past lifts it.
func (a *Alerter) Suppress(subject Subject, rule string, until time.Time, reason, by string) error {
	s := Suppression{Subject: subject, Rule: rule, Until: until, Reason: reason, By: by}
	if err := s.validate("suppression"); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.supp[key{subject, rule}] = s
	return nil
}

func (s Suppression) validate(field string) error {
	if err := s.Subject.Validate(); err != nil {
		return fmt.Errorf("%s.subject: %w", field, err)
	}
	if len(s.Rule) > MaxIDLen {
		return fmt.Errorf("%s.rule: must have at most %d bytes, not %d", field, MaxIDLen, len(s.Rule))
	}
	if s.Until.IsZero() {
		return fmt.Errorf("%s.until: must be set", field)
	}
	if s.Reason == "" || len(s.Reason) > MaxReasonLen {
		return fmt.Errorf("%s.reason: must have 1 to %d bytes, not %d", field, MaxReasonLen, len(s.Reason))
	}
	if s.By == "" || len(s.By) > MaxReasonLen {
		return fmt.Errorf("%s.by: must have 1 to %d bytes, not %d", field, MaxReasonLen, len(s.By))
	}
	return nil
}

// Snapshot returns a copy of the state, sorted for stable output.
func (a *Alerter) Snapshot() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := State{Version: StateVersion, Seq: a.seq, Open: make([]Open, 0, len(a.open)), Suppressions: make([]Suppression, 0, len(a.supp))}
	for _, o := range a.open {
		st.Open = append(st.Open, o)
	}
	for _, s := range a.supp {
		st.Suppressions = append(st.Suppressions, s)
	}
	byKey := func(s1 Subject, r1 string, s2 Subject, r2 string) int {
		return cmp.Or(cmp.Compare(s1.Kind, s2.Kind), cmp.Compare(s1.ID, s2.ID), cmp.Compare(r1, r2))
	}
	slices.SortFunc(st.Open, func(x, y Open) int { return byKey(x.Subject, x.Rule, y.Subject, y.Rule) })
	slices.SortFunc(st.Suppressions, func(x, y Suppression) int { return byKey(x.Subject, x.Rule, y.Subject, y.Rule) })
	return st
}

// Restore replaces the state with st after checking it; on error the
// state is unchanged.
func (a *Alerter) Restore(st State) error {
	if st.Version != StateVersion {
		return fmt.Errorf("restore alert state: version must be %d, not %d", StateVersion, st.Version)
	}
	if len(st.Open) > MaxStateEntries || len(st.Suppressions) > MaxStateEntries {
		return fmt.Errorf("restore alert state: open and suppressions must have at most %d entries each, not %d and %d", MaxStateEntries, len(st.Open), len(st.Suppressions))
	}
	open := make(map[key]Open, len(st.Open))
	for i, o := range st.Open {
		f := fmt.Sprintf("open[%d]", i)
		if err := o.Subject.Validate(); err != nil {
			return fmt.Errorf("restore alert state: %s.subject: %w", f, err)
		}
		if o.Rule == "" || len(o.Rule) > MaxIDLen {
			return fmt.Errorf("restore alert state: %s.rule: must have 1 to %d bytes, not %d", f, MaxIDLen, len(o.Rule))
		}
		if o.AlertID == "" || len(o.AlertID) > MaxIDLen {
			return fmt.Errorf("restore alert state: %s.alert_id: must have 1 to %d bytes, not %d", f, MaxIDLen, len(o.AlertID))
		}
		if math.IsNaN(o.LogOdds) || math.IsInf(o.LogOdds, 0) {
			return fmt.Errorf("restore alert state: %s.log_odds: must be finite, not %v", f, o.LogOdds)
		}
		k := key{o.Subject, o.Rule}
		if _, dup := open[k]; dup {
			return fmt.Errorf("restore alert state: %s: %s and rule %q appear twice", f, o.Subject, o.Rule)
		}
		open[k] = o
	}
	supp := make(map[key]Suppression, len(st.Suppressions))
	for i, s := range st.Suppressions {
		f := fmt.Sprintf("suppressions[%d]", i)
		if err := s.validate(f); err != nil {
			return fmt.Errorf("restore alert state: %w", err)
		}
		k := key{s.Subject, s.Rule}
		if _, dup := supp[k]; dup {
			return fmt.Errorf("restore alert state: %s: %s and rule %q appear twice", f, s.Subject, s.Rule)
		}
		supp[k] = s
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq, a.open, a.supp = st.Seq, open, supp
	return nil
}

// ParseState decodes a JSON [State] as written from [Alerter.Snapshot].
// It checks the JSON's shape and size; [Alerter.Restore] checks the
// values.
func ParseState(r io.Reader) (State, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxStateBytes+1))
	if err != nil {
		return State{}, fmt.Errorf("read alert state: %w", err)
	}
	if len(data) > MaxStateBytes {
		return State{}, fmt.Errorf("read alert state: must be at most %d bytes", MaxStateBytes)
	}
	var st State
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return State{}, fmt.Errorf("decode alert state: %w", err)
	}
	if dec.More() {
		return State{}, errors.New("decode alert state: more than one JSON value")
	}
	return st, nil
}
