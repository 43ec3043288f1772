package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"
)

// Levels of a [Risk], lowest first.
const (
	LevelClear = "clear" // nothing that needs a person's attention
	LevelWatch = "watch" // worth a look; not enough to act on
	LevelHigh  = "high"  // fraud is at least as likely as not under the prior
)

// Limits of a [Config]; [ParseConfig] refuses values outside them.
const (
	MaxCapBits      = 30.0            // largest per-detector cap, bits
	MaxLR           = 1 << 30         // largest configured likelihood ratio
	MinLR           = 1.0 / (1 << 30) // smallest configured likelihood ratio
	MaxHalfLife     = 10 * 365 * 24 * time.Hour
	MaxDetectors    = 1000               // entries in Config.Detectors
	MaxRules        = 100                // entries in Config.Rules
	MaxConfigBytes  = 1 << 20            // size of a JSON configuration
	maxLevelBits    = 100.0              // bound on thresholds and margins, bits
	minPriorOdds    = 1e-12              // bound on Config.PriorOdds
	defaultRealert  = 7 * 24 * time.Hour // default Config.RealertAfter
	defaultMarginBt = 2.0                // default Config.AlertMargin
)

// Detector is how [Fuse] treats the evidence of one detector or class.
type Detector struct {
	// LR is the likelihood ratio of evidence that carries none (LR 0).
	LR float64 `json:"lr"`
	// HalfLife is how long evidence takes to lose half its bits; 0 means
	// it never fades.
	HalfLife time.Duration `json:"half_life"`
	// CapBits bounds |log2 LR| of one item before provenance and decay.
	CapBits float64 `json:"cap_bits"`
	// Reason says why these values: shown in docs and explanations.
	Reason string `json:"reason,omitempty"`
}

// Config is everything [Fuse] and [NewAlerter] use. Start from
// [DefaultConfig]; [ParseConfig] reads changes from JSON.
type Config struct {
	// PriorOdds is P(fraud) / P(honest) before any evidence (default
	// 1/1000: one in about a thousand remote workers or applicants).
	PriorOdds float64
	// WatchAt and HighAt are the posterior log2-odds at which a risk
	// becomes LevelWatch and LevelHigh (defaults -6.64, odds 1:100, and 0,
	// odds 1:1).
	WatchAt, HighAt float64
	// SignalBits is how many counted bits an independence group needs to
	// count as a signal in [Risk.Signals] (default 1: LR ≥ 2 after caps,
	// provenance and decay).
	SignalBits float64
	// Provenance scales the bits of evidence by who measured it (defaults
	// server-measured 1, imported 0.75, agent-reported 0.5). Unknown
	// provenances get the smallest factor.
	Provenance map[string]float64
	// Detectors maps a detector id ("latency.too-slow") or class
	// ("latency") to its treatment; an id's entry wins over its class's,
	// and Default applies to the rest.
	Detectors map[string]Detector
	// Default is the treatment of detectors with no entry.
	Default Detector
	// Rules are the alert rules ([DefaultRules]).
	Rules []Rule
	// AlertMargin is how many bits the log-odds must rise above the last
	// alert of a subject and rule before it alerts again (default 2: the
	// odds quadrupled).
	AlertMargin float64
	// RealertAfter is how long after the last alert a subject that still
	// matches a rule is alerted again (default 7 days).
	RealertAfter time.Duration
}

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// defaultDetectors is the judgement behind DefaultWeights; docs/risk.md
// has the same table.
var defaultDetectors = map[string]Detector{
	"latency.impossible": {LR: 1024, HalfLife: week, CapBits: 10,
		Reason: "faster than light in fibre from the claimed place: only a wrong claim or a misplaced landmark explains it honestly"},
	"latency.too-slow": {LR: 32, HalfLife: week, CapBits: 10,
		Reason: "slower than the (1-alpha) honest band (alpha 0.005); bad Wi-Fi, satellite and corporate VPNs remain honest causes"},
	"latency.inconsistent": {LR: 8, HalfLife: week, CapBits: 10,
		Reason: "landmarks disagree beyond honest path spread: a relay or tunnel is likely, a route oddity possible"},
	"latency.consistent": {LR: 0.5, HalfLife: week, CapBits: 10,
		Reason: "the device is where claimed; a laptop farm's device is too, so this clears only a device abroad"},
	"endpoint.remote-tool": {LR: 2, HalfLife: week, CapBits: 8,
		Reason: "a remote-access tool is running with no session; many honest IT staff run them"},
	"endpoint.remote-session": {LR: 8, HalfLife: week, CapBits: 8,
		Reason: "a remote-access session is established; honest support sessions happen but are short and rare"},
	"endpoint.remote-session-far": {LR: 32, HalfLife: week, CapBits: 8,
		Reason: "a remote-access session whose kernel minimum RTT is 100 ms or more: its far end is beyond a domestic loop"},
	"endpoint.ip-kvm": {LR: 64, HalfLife: 4 * week, CapBits: 10,
		Reason: "USB or EDID identifiers specific to a known IP-KVM or capture device; almost no honest worker has one"},
	"endpoint.ip-kvm-weak": {LR: 4, HalfLife: 4 * week, CapBits: 10,
		Reason: "identifiers an IP-KVM shares with other hardware (a generic USB gadget)"},
	"input.injected": {LR: 16, HalfLife: week, CapBits: 8,
		Reason: "5 % or more of the keystrokes are injected or from virtual devices; password managers and accessibility tools inject too, rarely that much"},
	"input.physical": {LR: 0.8, HalfLife: week, CapBits: 8,
		Reason: "keystrokes come from physical keyboards; an IP-KVM types as a physical keyboard, so this clears little"},
	"relay.detected": {LR: 16, HalfLife: week, CapBits: 8,
		Reason: "keystroke timing shows relay fingerprints above the 0.1 % local-typing threshold of the keystroke lab"},
	"presence.delayed": {LR: 32, HalfLife: 2 * week, CapBits: 8,
		Reason: "the presence challenge found an added loop delay at a 1 % design error rate"},
	"presence.consistent": {LR: 0.25, HalfLife: 2 * week, CapBits: 8,
		Reason: "the presence challenge ruled out an added loop delay at a 1 % design error rate"},
	"operator.far": {LR: 16, HalfLife: week, CapBits: 8,
		Reason: "the operator is at least 1,000 km from the device at 99 % confidence (package operator)"},
	"idp.shared-egress": {LR: 8, HalfLife: 4 * week, CapBits: 8,
		Reason: "the worker's logins share an egress IP with other workers' devices: a farm, or a shared office"},
	"idp.off-hours": {LR: 4, HalfLife: 4 * week, CapBits: 8,
		Reason: "most sign-ins fall outside working hours of the claimed time zone and inside another's; night owls and on-call staff do it too"},
	"idp.impossible-travel": {LR: 8, HalfLife: 2 * week, CapBits: 8,
		Reason: "two sign-ins further apart than travel allows in the time between them; VPNs and mobile carriers' gateways cause it honestly"},
	"idp.hosting-ip": {LR: 4, HalfLife: 2 * week, CapBits: 8,
		Reason: "sign-ins from a hosting or VPN provider's range: privacy VPNs are common, so this is weak alone"},
	"screen": {LR: 1, HalfLife: 0, CapBits: 6,
		Reason: "screening evidence carries its own weight (2^points, docs/screening-checks.md) and does not fade: what an application claimed stays claimed"},
}

// DefaultWeights returns the default treatment of every detector id and
// class, by id. The likelihood ratios are judgement, not fitted to data.
func DefaultWeights() map[string]Detector { return maps.Clone(defaultDetectors) }

// DefaultProvenance returns the default provenance factors.
func DefaultProvenance() map[string]float64 {
	return map[string]float64{ServerMeasured: 1, Imported: 0.75, AgentReported: 0.5}
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		PriorOdds:    1.0 / 1000,
		WatchAt:      -math.Log2(100),
		HighAt:       0,
		SignalBits:   1,
		Provenance:   DefaultProvenance(),
		Detectors:    DefaultWeights(),
		Default:      Detector{LR: 1, HalfLife: 4 * week, CapBits: 6, Reason: "an unknown detector: no weight until configured"},
		Rules:        DefaultRules(),
		AlertMargin:  defaultMarginBt,
		RealertAfter: defaultRealert,
	}
}

// detector returns the treatment of detector id.
func (c *Config) detector(id string) Detector {
	if d, ok := c.Detectors[id]; ok {
		return d
	}
	if class, _, ok := strings.Cut(id, "."); ok {
		if d, ok := c.Detectors[class]; ok {
			return d
		}
	}
	return c.Default
}

// provenance returns the factor of provenance p.
func (c *Config) provenance(p string) float64 {
	if f, ok := c.Provenance[p]; ok {
		return f
	}
	least := 1.0
	for _, f := range c.Provenance {
		least = min(least, f)
	}
	return least
}

// Validate checks every field against its limit and names the first field
// out of bounds of each kind.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if !(c.PriorOdds >= minPriorOdds && c.PriorOdds <= 1/minPriorOdds) {
		bad("prior_odds", "must be between %g and %g, not %g", minPriorOdds, 1/minPriorOdds, c.PriorOdds)
	}
	if !(math.Abs(c.WatchAt) <= maxLevelBits) || !(math.Abs(c.HighAt) <= maxLevelBits) || !(c.WatchAt <= c.HighAt) {
		bad("watch_at, high_at", "must be within ±%g bits with watch_at <= high_at, not %g and %g", maxLevelBits, c.WatchAt, c.HighAt)
	}
	if !(c.SignalBits >= 0 && c.SignalBits <= MaxCapBits) {
		bad("signal_bits", "must be between 0 and %g, not %g", MaxCapBits, c.SignalBits)
	}
	for p, f := range c.Provenance {
		if !(f >= 0 && f <= 1) {
			bad("provenance."+p, "must be between 0 and 1, not %g", f)
		}
	}
	if len(c.Detectors) > MaxDetectors {
		bad("detectors", "must have at most %d entries, not %d", MaxDetectors, len(c.Detectors))
	}
	for id, d := range c.Detectors {
		if id == "" || len(id) > MaxIDLen {
			bad("detectors", "ids must have 1 to %d bytes, not %d", MaxIDLen, len(id))
			continue
		}
		if err := d.validate("detectors." + id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.Default.validate("default"); err != nil {
		errs = append(errs, err)
	}
	if !(c.AlertMargin >= 0 && c.AlertMargin <= maxLevelBits) {
		bad("alert_margin", "must be between 0 and %g bits, not %g", maxLevelBits, c.AlertMargin)
	}
	if c.RealertAfter < 0 || c.RealertAfter > MaxHalfLife {
		bad("realert_after", "must be between 0 and %v, not %v", MaxHalfLife, c.RealertAfter)
	}
	if len(c.Rules) > MaxRules {
		bad("rules", "must have at most %d rules, not %d", MaxRules, len(c.Rules))
	} else {
		seen := map[string]bool{}
		for i, r := range c.Rules {
			if err := r.validate(fmt.Sprintf("rules[%d]", i)); err != nil {
				errs = append(errs, err)
			}
			if seen[r.Name] {
				bad(fmt.Sprintf("rules[%d].name", i), "%q is used twice", r.Name)
			}
			seen[r.Name] = true
		}
	}
	return errors.Join(errs...)
}

func (d Detector) validate(field string) error {
	var errs []error
	if !(d.LR >= MinLR && d.LR <= MaxLR) {
		errs = append(errs, fmt.Errorf("%s.lr: must be between 2^-30 and 2^30, not %g", field, d.LR))
	}
	if d.HalfLife < 0 || d.HalfLife > MaxHalfLife {
		errs = append(errs, fmt.Errorf("%s.half_life: must be between 0 (never fades) and %v, not %v", field, MaxHalfLife, d.HalfLife))
	}
	if !(d.CapBits > 0 && d.CapBits <= MaxCapBits) {
		errs = append(errs, fmt.Errorf("%s.cap_bits: must be above 0 and at most %g, not %g", field, MaxCapBits, d.CapBits))
	}
	return errors.Join(errs...)
}

// jsonConfig is the JSON form of a Config: every field optional, so that
// a file names only what it changes.
type jsonConfig struct {
	PriorOdds    *float64                `json:"prior_odds"`
	WatchAt      *float64                `json:"watch_at"`
	HighAt       *float64                `json:"high_at"`
	SignalBits   *float64                `json:"signal_bits"`
	Provenance   map[string]float64      `json:"provenance"`
	Detectors    map[string]jsonDetector `json:"detectors"`
	Default      *jsonDetector           `json:"default"`
	Rules        *[]Rule                 `json:"rules"`
	AlertMargin  *float64                `json:"alert_margin"`
	RealertAfter *string                 `json:"realert_after"`
}

type jsonDetector struct {
	LR       *float64 `json:"lr"`
	HalfLife *string  `json:"half_life"`
	CapBits  *float64 `json:"cap_bits"`
	Reason   *string  `json:"reason"`
}

// ParseConfig reads a JSON configuration and returns [DefaultConfig] with
// its changes applied, validated. Every field is optional:
//
//	{
//	  "prior_odds": 0.002,
//	  "watch_at": -6, "high_at": 0, "signal_bits": 1,
//	  "provenance": {"agent-reported": 0.4},
//	  "detectors": {"latency.too-slow": {"lr": 16, "half_life": "14d", "cap_bits": 8}},
//	  "default": {"lr": 1, "half_life": "never", "cap_bits": 6},
//	  "rules": [{"name": "high-risk", "min_level": "high", "min_signals": 2}],
//	  "alert_margin": 2, "realert_after": "7d"
//	}
//
// A detector entry changes only the fields it names, on top of that id's
// own default, else its class's, else the default. Durations are Go
// durations ("36h"), days ("14d") or "never" (0). Rules, when given,
// replace the default rules. Unknown fields are errors.
func ParseConfig(r io.Reader) (Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxConfigBytes+1))
	if err != nil {
		return Config{}, fmt.Errorf("read risk config: %w", err)
	}
	if len(data) > MaxConfigBytes {
		return Config{}, fmt.Errorf("read risk config: must be at most %d bytes", MaxConfigBytes)
	}
	var j jsonConfig
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Config{}, fmt.Errorf("decode risk config: %w", err)
	}
	if dec.More() {
		return Config{}, errors.New("decode risk config: more than one JSON value")
	}
	c := DefaultConfig()
	setF := func(dst *float64, src *float64) {
		if src != nil {
			*dst = *src
		}
	}
	setF(&c.PriorOdds, j.PriorOdds)
	setF(&c.WatchAt, j.WatchAt)
	setF(&c.HighAt, j.HighAt)
	setF(&c.SignalBits, j.SignalBits)
	setF(&c.AlertMargin, j.AlertMargin)
	maps.Copy(c.Provenance, j.Provenance)
	if len(j.Detectors) > MaxDetectors {
		return Config{}, fmt.Errorf("risk config detectors: must have at most %d entries, not %d", MaxDetectors, len(j.Detectors))
	}
	var errs []error
	for id, jd := range j.Detectors {
		d, err := jd.apply(c.detector(id), "detectors."+id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Detectors[id] = d
	}
	if j.Default != nil {
		d, err := j.Default.apply(c.Default, "default")
		if err != nil {
			errs = append(errs, err)
		}
		c.Default = d
	}
	if j.Rules != nil {
		c.Rules = *j.Rules
	}
	if j.RealertAfter != nil {
		d, err := parseDuration(*j.RealertAfter)
		if err != nil {
			errs = append(errs, fmt.Errorf("realert_after: %w", err))
		}
		c.RealertAfter = d
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	return c, nil
}

func (j jsonDetector) apply(d Detector, field string) (Detector, error) {
	if j.LR != nil {
		d.LR = *j.LR
	}
	if j.CapBits != nil {
		d.CapBits = *j.CapBits
	}
	if j.Reason != nil {
		d.Reason = *j.Reason
	}
	if j.HalfLife != nil {
		h, err := parseDuration(*j.HalfLife)
		if err != nil {
			return d, fmt.Errorf("%s.half_life: %w", field, err)
		}
		d.HalfLife = h
	}
	return d, nil
}

// parseDuration reads "36h", "14d" or "never".
func parseDuration(s string) (time.Duration, error) {
	if s == "never" || s == "0" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || !(days >= 0 && days <= float64(MaxHalfLife/day)) {
			return 0, fmt.Errorf("%q: must be days from 0 to %d, e.g. \"14d\"", s, MaxHalfLife/day)
		}
		return time.Duration(days * float64(day)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: must be a duration such as \"36h\", \"14d\" or \"never\"", s)
	}
	return d, nil
}
