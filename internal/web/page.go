package web

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
)

// page is what templates/index.html renders. Every value is text already
// formatted for display; html/template escapes it.
type page struct {
	Title      string
	Counts     string
	ComputedAt stamp
	Rows       []row
	// CityCredit and CountryCredit show the attributions the IP location
	// databases' licences require (see package ipgeo).
	CityCredit, CountryCredit bool
	// Nav links the applicant pages, when they are served.
	Nav bool
	// Who is the signed-in user, when auth is on.
	Who viewer
	// Over is the newest alerts and the riskiest workers, when served.
	Over overview
}

type row struct {
	Badge       badge
	WorkerName  string
	WorkerID    string
	Claimed     string
	Access      string
	Hostname    string
	DeviceID    string
	LastSeen    stamp
	LastIP      string // "" when none
	IPLocation  string
	Landmarks   []landmark
	Summary     string
	Explanation []string
	Region      string // the region sentence, when there is a region
}

type landmark struct {
	Name      string
	Place     string
	Distance  string
	MinRTT    string
	Samples   string
	Window    string
	Expected  string
	Threshold string
	Badge     badge
}

// badge is a verdict status in words, with the CSS class that colours it:
// "bad" (red), "ok" (green) or "none" (grey).
type badge struct {
	Class string
	Label string
}

// stamp is a time for a <time> element; Text is shown, ISO goes into its
// datetime attribute and is empty when there is no time.
type stamp struct {
	Text string
	ISO  string
}

func newPage(cfg Config, who viewer, dvs []analyze.DeviceVerdict) page {
	p := page{Title: cfg.Title, CityCredit: cfg.IPCityCredit, Nav: cfg.Applicants != nil, Who: who}
	var flagged, consistent, other int
	var latest time.Time
	for _, dv := range dvs {
		switch s := dv.Verdict.Status; {
		case s.Flagged():
			flagged++
		case s == latency.Consistent:
			consistent++
		default:
			other++
		}
		if dv.ComputedAt.After(latest) {
			latest = dv.ComputedAt
		}
		switch dv.IP.Source {
		case ipgeo.SourceMMDB:
			p.CityCredit = true
		case ipgeo.SourceIPLoc:
			if dv.IP.Country != "" {
				p.CountryCredit = true
			}
		}
		p.Rows = append(p.Rows, newRow(dv))
	}
	p.Counts = fmt.Sprintf("%s: %d flagged, %d consistent, %d without a verdict.",
		plural(len(dvs), "device"), flagged, consistent, other)
	p.ComputedAt = stampOf(latest, "")
	return p
}

func newRow(dv analyze.DeviceVerdict) row {
	v := dv.Verdict
	r := row{
		Badge:      badgeOf(v.Status),
		WorkerName: dv.Worker.Name,
		WorkerID:   dv.Worker.ID,
		Claimed:    dv.Worker.ClaimedLocation,
		Access:     cmp.Or(dv.Worker.Access, "undeclared"),
		Hostname:   cmp.Or(dv.Device.Hostname, "(no hostname)"),
		DeviceID:   dv.Device.ID,
		LastSeen:   stampOf(dv.Device.LastSeen, "never"),
		LastIP:     dv.Device.LastIP,
		IPLocation: ipLocationText(dv),
		Summary:    v.Summary,
	}
	// The explanation ends with the region sentence; show it on its own.
	// Without findings it only repeats the summary.
	if v.Region != nil {
		r.Region = v.Region.Text(v.Claim.Place)
	}
	for _, line := range v.Explanation {
		if line != r.Region && line != r.Summary {
			r.Explanation = append(r.Explanation, line)
		}
	}
	for _, f := range v.Findings {
		r.Landmarks = append(r.Landmarks, landmark{
			Name:      f.Landmark,
			Place:     f.Place,
			Distance:  km(f.DistanceKm) + " from the claim",
			MinRTT:    ms(f.MinMs),
			Samples:   plural(f.Count, "sample") + ", " + provenanceWords(f.Provenance),
			Window:    window(f.From, f.To),
			Expected:  ms(f.ExpectedMs),
			Threshold: ms(f.ThresholdMs),
			Badge:     badgeOf(f.Status),
		})
	}
	return r
}

func badgeOf(s latency.Status) badge {
	switch s {
	case latency.Impossible:
		return badge{"bad", "Impossible"}
	case latency.TooSlow:
		return badge{"bad", "Too slow"}
	case latency.Inconsistent:
		return badge{"bad", "Inconsistent"}
	case latency.Consistent:
		return badge{"ok", "Consistent"}
	case latency.Insufficient, "":
		return badge{"none", "Insufficient"}
	}
	return badge{"none", string(s)}
}

// ipLocationText says where the device's last IP is registered.
func ipLocationText(dv analyze.DeviceVerdict) string {
	loc := dv.IP
	switch {
	case dv.Device.LastIP == "":
		return ""
	case loc.Source == ipgeo.SourceReserved:
		return "reserved (not globally routable)"
	case loc == (ipgeo.Location{}):
		return "not located"
	}
	var parts []string
	for _, s := range []string{loc.City, loc.Region, loc.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "unknown location"
	}
	return strings.Join(parts, ", ")
}

var provenance = map[string]string{
	"server-tcp": "server-measured TCP",
	"server-app": "server-measured ping",
	"agent":      "agent-reported",
}

func provenanceWords(p string) string {
	if w, ok := provenance[p]; ok {
		return w
	}
	return p
}

const timeLayout = "2006-01-02 15:04 UTC"

func stampOf(t time.Time, zero string) stamp {
	if t.IsZero() {
		return stamp{Text: zero}
	}
	t = t.UTC()
	return stamp{Text: t.Format(timeLayout), ISO: t.Format(time.RFC3339)}
}

// window describes the span of a landmark's samples.
func window(from, to time.Time) string {
	switch {
	case from.IsZero() || to.IsZero():
		return ""
	case from.UTC().Format(time.DateOnly) == to.UTC().Format(time.DateOnly):
		return from.UTC().Format("2006-01-02 15:04") + "–" + to.UTC().Format("15:04 UTC")
	}
	return from.UTC().Format("2006-01-02 15:04") + " – " + to.UTC().Format(timeLayout)
}

// ms formats milliseconds as package latency does in its explanations, so
// the numbers in the table match the ones in the sentences.
func ms(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "–"
	case math.Abs(x) >= 10:
		return fmt.Sprintf("%.0f ms", x)
	}
	return fmt.Sprintf("%.1f ms", x)
}

func km(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return thousands(x) + " km"
}

// thousands formats x rounded to an integer with comma separators.
func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", math.Abs(x))
	var b strings.Builder
	if x <= -0.5 {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(float64(n)) + " " + noun + "s"
}
