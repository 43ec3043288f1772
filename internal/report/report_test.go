package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

func render(t *testing.T, c Case) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, c); err != nil {
		t.Fatalf("HTML(%s) = %v", c.ID, err)
	}
	return b.String()
}

var svgRE = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)

// checkSVGs parses every inline SVG of page as strict XML and returns how
// many there were.
func checkSVGs(t *testing.T, page string) int {
	t.Helper()
	svgs := svgRE.FindAllString(page, -1)
	for i, s := range svgs {
		d := xml.NewDecoder(strings.NewReader(s))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("svg %d is not well-formed XML: %v\n%.300s", i, err, s)
			}
		}
	}
	return len(svgs)
}

func TestHTMLLaptopFarm(t *testing.T) {
	page := render(t, laptopFarmCase())
	for _, want := range []string{
		`id="summary"`, `id="risk"`, `id="timeline"`, `id="measurements"`, `id="ic3"`, `id="notes"`, `id="audit"`,
		"Case C-2025-0042: Claimed Phoenix worker operated from abroad",
		"2025-03-09 00:00 UTC",                            // opened
		"Phoenix, AZ (33.4484,-112.0740)",                 // claim with coordinates
		"&#43;8.00 bits", "-1.40 bits", "&#43;13.40 bits", // contributions and their sum (html/template writes + as &#43;)
		"probability 99.99 %",
		"5.7 ms",  // fibre minimum Los Angeles - Phoenix
		"80.0 ms", // expected-band threshold
		"below the fibre minimum",
		"fibre minimum 93.", // Tokyo - Phoenix
		"40 %",              // injected share
		"ic3.gov", "Example Corp", "account ending 4411", "9f86d081884c7d65",
		"Total loss (USD)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report does not contain %q", want)
		}
	}
	if n := checkSVGs(t, page); n != 4 {
		t.Errorf("report has %d inline SVGs, want 4 (RTT, operator, provenance, map)", n)
	}
	// Distance Los Angeles - Phoenix is about 574 km.
	if !regexp.MustCompile(`57\d km`).MatchString(page) {
		t.Errorf("report does not show the Los Angeles - Phoenix distance (~574 km)")
	}
}

func TestHTMLOffline(t *testing.T) {
	page := render(t, laptopFarmCase())
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url(", "<iframe", "<img"} {
		if strings.Contains(low, bad) {
			t.Errorf("report contains %q: it must be self-contained and script-free", bad)
		}
	}
	for _, m := range regexp.MustCompile(`https?://[^"'\s<]*`).FindAllString(page, -1) {
		if m != "http://www.w3.org/2000/svg" {
			t.Errorf("report references %q", m)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	const evil = `<script>alert(1)</script>"><img src=x onerror=alert(2)></text></svg><svg onload=alert(3)>&amp;`
	c := laptopFarmCase()
	c.Title = evil
	c.Summary = evil
	c.Subject.Name = evil
	c.RTT[0].Landmark = evil
	c.Map.Disks[1].Label = evil
	c.Map.IPLabel = evil
	c.Subject.ClaimedPlace = evil
	c.Risk.Contributions[0].Explanation = evil
	c.Timeline[0].Refs = []string{evil}
	c.IC3.Subject.Emails = []string{evil}
	c.IC3.Description = evil
	c.Notes[0].Text = evil
	c.Audit[0].Detail = evil
	page := render(t, c)
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "<img", "<svg onload"} {
		if strings.Contains(low, bad) {
			t.Errorf("hostile text reached the page unescaped: found %q", bad)
		}
	}
	if n := checkSVGs(t, page); n != 4 {
		t.Errorf("hostile labels changed the SVG count to %d, want 4", n)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("escaped hostile text missing from page")
	}
}

func TestHTMLMinimal(t *testing.T) {
	page := render(t, Case{ID: "C-1"})
	if n := checkSVGs(t, page); n != 0 {
		t.Errorf("empty case drew %d plots, want 0", n)
	}
	for _, absent := range []string{`id="timeline"`, `id="notes"`, `id="audit"`, "4.1 Round-trip"} {
		if strings.Contains(page, absent) {
			t.Errorf("empty case shows %q", absent)
		}
	}
	if !strings.Contains(page, `id="ic3"`) {
		t.Errorf("empty case lacks the IC3 worksheet")
	}
}

func TestValidate(t *testing.T) {
	bad := geo.Point{Lat: 91}
	tests := []struct {
		name  string
		edit  func(*Case)
		field string
	}{
		{"no id", func(c *Case) { c.ID = "" }, "id: required"},
		{"long title", func(c *Case) { c.Title = strings.Repeat("x", MaxTextBytes+1) }, "title:"},
		{"nan bits", func(c *Case) { c.Risk.Bits = math.NaN() }, "risk.bits"},
		{"probability", func(c *Case) { c.Risk.Probability = 1.5 }, "risk.probability"},
		{"claim", func(c *Case) { c.Subject.ClaimedPoint = &bad }, "subject.claimed_point"},
		{"landmark point", func(c *Case) { c.RTT[1].Point = geo.Point{Lon: 200} }, "rtt[1].point"},
		{"negative rtt", func(c *Case) { c.RTT[0].Samples[3].RTT = -time.Millisecond }, "rtt[0].samples[3].rtt"},
		{"inf threshold", func(c *Case) { c.RTT[0].ThresholdMs = math.Inf(1) }, "rtt[0].threshold_ms"},
		{"too many series", func(c *Case) { c.RTT = make([]RTTSeries, MaxSeries+1) }, "rtt: 33 entries"},
		{"confidence", func(c *Case) { c.Operator[2].Confidence = -0.1 }, "operator[2].confidence"},
		{"negative share", func(c *Case) { c.Provenance[0].Injected = -1 }, "provenance[0].injected"},
		{"disk radius", func(c *Case) { c.Map.Disks[0].RadiusKm = math.NaN() }, "map.disks[0].radius_km"},
		{"ip", func(c *Case) { c.Map.IP = &bad }, "map.ip"},
		{"too many notes", func(c *Case) { c.Notes = make([]Note, MaxRows+1) }, "notes: 10001 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := laptopFarmCase()
			tt.edit(&c)
			err := HTML(io.Discard, c)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("HTML(%s) = %v, want an error naming %q", tt.name, err, tt.field)
			}
		})
	}
	if err := laptopFarmCase().Validate(); err != nil {
		t.Errorf("fixture: Validate() = %v, want nil", err)
	}
}

func TestProvenanceDays(t *testing.T) {
	d0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	days := provenanceDays([]ProvenanceShare{
		{At: d0.Add(25 * time.Hour), Physical: 6, Injected: 4},
		{At: d0.Add(2 * time.Hour), Physical: 1, Virtual: 1},
		{At: d0.Add(23 * time.Hour), Physical: 2},
		{At: d0.Add(30 * time.Hour), Physical: 54, Injected: 36},
		{At: d0.Add(50 * time.Hour)}, // all zero: dropped
	})
	if len(days) != 2 {
		t.Fatalf("provenanceDays: %d days, want 2", len(days))
	}
	if !days[0].Day.Equal(d0) || math.Abs(days[0].Physical-0.75) > 1e-9 || math.Abs(days[0].Virtual-0.25) > 1e-9 {
		t.Errorf("day 0 = %+v, want %v physical 0.75 virtual 0.25", days[0], d0)
	}
	if math.Abs(days[1].Injected-0.4) > 1e-9 || math.Abs(days[1].Physical-0.6) > 1e-9 {
		t.Errorf("day 1 = %+v, want physical 0.6 injected 0.4", days[1])
	}
}

func TestFeasible(t *testing.T) {
	disk := Disk{Center: phoenix, RadiusKm: 500}
	runs, ok := feasible([]Disk{disk})
	if !ok {
		t.Fatal("feasible(500 km around Phoenix) is empty")
	}
	cells := 0
	for _, r := range runs {
		for lon := r[1]; lon < r[2]; lon += cellDeg {
			c := geo.Point{Lat: r[0] + 0.5, Lon: lon + 0.5}
			if d := geo.Distance(c, phoenix); d > 500 {
				t.Errorf("cell %v is %.0f km from Phoenix, outside the 500 km disk", c, d)
			}
			cells++
		}
	}
	// π·500² ≈ 785,000 km²; a 1° cell near 33°N is about 93 × 111 km.
	if cells < 60 || cells > 90 {
		t.Errorf("feasible(500 km disk) has %d cells, want about 76", cells)
	}
	if _, ok := feasible([]Disk{disk, {Center: tokyo, RadiusKm: 1000}}); ok {
		t.Errorf("disjoint disks around Phoenix and Tokyo intersect")
	}
	c := laptopFarmCase()
	c.Map.Disks = []Disk{disk, {Label: "tokyo1", Center: tokyo, RadiusKm: 1000}}
	if page := render(t, c); !strings.Contains(page, "do not intersect") {
		t.Errorf("map of disjoint disks does not say they do not intersect")
	}
}

func TestWorldOutline(t *testing.T) {
	rings, err := world()
	if err != nil {
		t.Fatalf("world() = %v", err)
	}
	n := 0
	for _, r := range rings {
		n += len(r)
	}
	if len(rings) < 100 || n < 4000 {
		t.Errorf("world outline has %d rings and %d points, want at least 100 and 4000", len(rings), n)
	}
	if len(worldJSON) > 200<<10 {
		t.Errorf("world.json is %d bytes, want under 200 KiB", len(worldJSON))
	}
	for _, in := range []string{`{"rings":[[1,2,3]]}`, `{"rings":[[1900,0]]}`, `{"rings":"x"}`} {
		if _, err := decodeWorld([]byte(in)); err == nil {
			t.Errorf("decodeWorld(%s) = nil error, want one", in)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{km(12345.6), "12,346 km"}, {km(-1234), "-1,234 km"}, {km(999), "999 km"},
		{ms(5.74), "5.7 ms"}, {pct(0.4), "40 %"}, {bits(-1.4), "-1.40 bits"},
		{when(time.Time{}), "—"}, {trimNum(50), "50"}, {trimNum(2.5), "2.5"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestPDFErrors(t *testing.T) {
	_, err := PDF(t.Context(), []byte("<p>x</p>"), PDFOptions{ChromiumPath: "/nonexistent/chromium-browser"})
	if !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "/nonexistent/chromium-browser") {
		t.Errorf("PDF with a missing browser = %v, want ErrNoBrowser naming the path", err)
	}
	if _, err := PDF(t.Context(), []byte("<p>x</p>"), PDFOptions{Paper: "A5"}); err == nil || !strings.Contains(err.Error(), `paper "A5"`) {
		t.Errorf("PDF(paper A5) = %v, want an error naming the paper", err)
	}
	if _, err := PDF(t.Context(), nil, PDFOptions{}); err == nil {
		t.Errorf("PDF(empty html) = nil error")
	}
}

func BenchmarkHTML(b *testing.B) {
	c := laptopFarmCase()
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}
