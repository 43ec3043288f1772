package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

//go:embed report.tmpl
var reportTmpl string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"when": when, "inc": func(i int) int { return i + 1 }, "ms": ms, "km": km, "pct": pct, "prob": prob, "bits": bits, "join": func(l []string) string { return strings.Join(l, ", ") },
}).Parse(reportTmpl))

// maxTableRows bounds the rows of the estimate tables; the plots show all.
const maxTableRows = 200

// rttRow is one landmark's line of the RTT table.
type rttRow struct {
	Landmark, Place, Color                  string
	N                                       int
	DistanceKm, FibreMs, ThresholdMs, MinMs float64
	MedianMs, OverMs                        float64
	HasClaim, HasThreshold, BreaksPhysics   bool
}

// view is what the template renders.
type view struct {
	Case
	RiskPct      float64
	RTTRows      []rttRow
	RTTPlot      template.HTML
	OperatorPlot template.HTML
	OperatorRows []OperatorEstimate
	OperatorMore int
	ProvDays     []provenanceDay
	ProvPlot     template.HTML
	MapPlot      template.HTML
	ClaimedPoint string
	ContribSum   float64
}

// HTML validates c and writes its report to w as one self-contained HTML
// page: inline CSS and SVG only, nothing fetched, no scripts. All text from
// c is escaped.
func HTML(w io.Writer, c Case) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	v := view{Case: c}
	if p := c.Subject.ClaimedPoint; p != nil {
		v.ClaimedPoint = p.String()
	}
	for _, k := range c.Risk.Contributions {
		v.ContribSum += k.Bits
	}
	for i, s := range c.RTT {
		r := rttRow{Landmark: s.Landmark, Place: s.Place, Color: palette[i%len(palette)], N: len(s.Samples), ThresholdMs: s.ThresholdMs, HasThreshold: s.ThresholdMs > 0}
		if len(s.Samples) > 0 {
			xs := make([]float64, len(s.Samples))
			for j, x := range s.Samples {
				xs[j] = msOf(x.RTT)
			}
			slices.Sort(xs)
			r.MinMs, r.MedianMs = xs[0], xs[len(xs)/2]
		}
		if c.Subject.ClaimedPoint != nil {
			r.HasClaim = true
			r.DistanceKm = geo.Distance(s.Point, *c.Subject.ClaimedPoint)
			r.FibreMs = s.MinimumMs(*c.Subject.ClaimedPoint)
			r.BreaksPhysics = r.N > 0 && r.MinMs < r.FibreMs
		}
		if r.HasThreshold && r.N > 0 {
			r.OverMs = r.MinMs - s.ThresholdMs
		}
		v.RTTRows = append(v.RTTRows, r)
	}
	v.RTTPlot = template.HTML(rttPlot(c))
	v.OperatorPlot = template.HTML(operatorPlot(c))
	v.OperatorRows = c.Operator
	if n := len(v.OperatorRows); n > maxTableRows {
		v.OperatorMore = n - maxTableRows
		v.OperatorRows = v.OperatorRows[n-maxTableRows:]
	}
	v.ProvDays = provenanceDays(c.Provenance)
	v.ProvPlot = template.HTML(provenancePlot(v.ProvDays))
	m, err := mapPlot(c)
	if err != nil {
		return fmt.Errorf("render report for case %.64q: %w", c.ID, err)
	}
	v.MapPlot = template.HTML(m)
	if err := tmpl.Execute(w, v); err != nil {
		return fmt.Errorf("render report for case %.64q: %w", c.ID, err)
	}
	return nil
}

// when formats a time in UTC to the minute; the zero time is "—".
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ms formats milliseconds with one decimal.
func ms(x float64) string { return fmt.Sprintf("%.1f ms", x) }

// km formats kilometres with thousands separators.
func km(x float64) string { return thousands(x) + " km" }

// pct formats a 0..1 share as a percentage.
func pct(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) }

// prob formats a probability as a percentage with two decimals, so 0.9999
// does not read as certainty.
func prob(x float64) string { return fmt.Sprintf("%.2f %%", 100*x) }

// bits formats signed log-odds in bits.
func bits(x float64) string { return fmt.Sprintf("%+.2f bits", x) }

// thousands formats x rounded to an integer with comma separators.
func thousands(x float64) string {
	n := int64(math.Round(x))
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
