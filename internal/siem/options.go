package siem

import (
	"fmt"
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// Options are what an encoder needs beyond the alert itself.
type Options struct {
	// ProductVersion is lagwatch's version, reported as OCSF
	// metadata.product.version and as the CEF device version.
	ProductVersion string
	// Host is the name of the lagwatch server that raised the alert: CEF
	// dvchost and the syslog HOSTNAME. Empty leaves it out.
	Host string
	// Update marks an alert that re-raises an open finding of the same
	// subject and rule (OCSF activity 2 Update instead of 1 Create).
	Update bool
}

// Product identifies lagwatch in exported events.
const (
	ProductName = "lagwatch"
	VendorName  = "lagwatch"
)

// probability turns posterior log2-odds into a probability, as package
// risk does.
func probability(logOdds float64) float64 {
	return 1 / (1 + math.Exp2(-logOdds))
}

// riskScore is the probability of fraud as a whole percentage, 0 to 100.
func riskScore(logOdds float64) int {
	return int(math.Round(100 * probability(logOdds)))
}

// ms returns t as milliseconds since the Unix epoch.
func ms(t time.Time) int64 { return t.UnixMilli() }

// checkAlert reports what keeps a from being exported faithfully.
func checkAlert(a *risk.Alert) error {
	if a.ID == "" {
		return fmt.Errorf("alert id: must be set")
	}
	if a.At.IsZero() {
		return fmt.Errorf("alert %s at: must be set", a.ID)
	}
	if math.IsNaN(a.LogOdds) || math.IsInf(a.LogOdds, 0) {
		return fmt.Errorf("alert %s log_odds: must be finite, not %v", a.ID, a.LogOdds)
	}
	for i, c := range a.Cites {
		for _, v := range []float64{c.Bits, c.LR} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("alert %s cites[%d] (%s): bits and lr must be finite, not %v", a.ID, i, c.Evidence.Detector, v)
			}
		}
	}
	return nil
}
