package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// FuzzDecodeWorld checks that the outline decoder rejects or accepts any
// input without panicking, and that what it accepts is in range.
func FuzzDecodeWorld(f *testing.F) {
	f.Add([]byte(`{"rings":[[0,0,10,0,10,10,0,10]]}`))
	f.Add([]byte(`{"rings":[[1,2,3]]}`))
	f.Add([]byte(`{"rings":[[-1800,900,1800,-900]]}`))
	f.Add(worldJSON[:200])
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1<<16 {
			return
		}
		rings, err := decodeWorld(raw)
		if err != nil {
			return
		}
		for _, r := range rings {
			for _, p := range r {
				if !p.Valid() {
					t.Fatalf("decodeWorld accepted %v", p)
				}
			}
		}
	})
}

// marked returns s with mark after each "<".
func marked(s, mark string) string { return strings.ReplaceAll(s, "<", "<"+mark) }

// FuzzHTML puts arbitrary text and numbers into a case and checks that HTML
// either rejects it or writes a page whose SVGs are well-formed XML and that
// carries no markup from the input.
func FuzzHTML(f *testing.F) {
	f.Add("lax1", "Phoenix, AZ", "<script>alert(1)</script>", 210.0, 80.0, 34.05, -118.24, 150.0, 0.4)
	f.Add("</text></svg>", "]]>&amp;", "\x00\xff", math.NaN(), -1.0, 91.0, 181.0, math.Inf(1), 2.0)
	f.Add("", "", "", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, landmark, place, text string, rttMs, threshold, lat, lon, added, share float64) {
		// Every "<" the input brings is followed by a marker the page
		// never writes, so "<"+mark in the page can only be input that
		// went in unescaped (a bare "<", or one input followed by the
		// page's own markup, is in every page anyway).
		const mark = "QZXJ"
		landmark, place, text = marked(landmark, mark), marked(place, mark), marked(text, mark)
		c := laptopFarmCase()
		c.RTT = c.RTT[:1]
		c.RTT[0].Landmark, c.RTT[0].Place, c.RTT[0].ThresholdMs = landmark, place, threshold
		c.RTT[0].Point = geo.Point{Lat: lat, Lon: lon}
		if !math.IsNaN(rttMs) && math.Abs(rttMs) < 1e9 {
			c.RTT[0].Samples[0].RTT = time.Duration(rttMs * float64(time.Millisecond))
		}
		c.Map.Disks = []Disk{{Label: landmark, Center: geo.Point{Lat: lat, Lon: lon}, RadiusKm: rttMs * 100}}
		c.Map.IPLabel, c.Subject.ClaimedPlace, c.Summary, c.Title = text, place, text, text
		c.Operator[0].AddedMs, c.Provenance[0].Injected = added, share
		var b bytes.Buffer
		if err := HTML(&b, c); err != nil {
			return
		}
		page := b.String()
		checkSVGs(t, page)
		if i := strings.Index(page, "<"+mark); i >= 0 {
			t.Fatalf("input reached the page unescaped: %q", page[max(0, i-40):min(len(page), i+40)])
		}
	})
}
