package report

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Plot geometry in SVG user units (CSS pixels); the SVGs scale to the page.
const (
	plotW, plotH                         = 720, 260
	padL, padR, padT, padB               = 60, 20, 14, 44
	innerW, innerH                       = plotW - padL - padR, plotH - padT - padB
	maxPointsPerSeries                   = 2 * innerW // kept per landmark after binning
	colorPhysical, colorVirtual          = "#2e7d32", "#1565c0"
	colorInjected, colorUnknown, colorBg = "#c62828", "#9e9e9e", "#ffffff"
)

// palette colours landmarks, in order.
var palette = []string{"#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e", "#ad1457"}

// esc escapes text for SVG (XML) content and attribute values. Invalid
// UTF-8 and characters XML forbids become U+FFFD.
func esc(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return html.EscapeString(s)
}

// f1 formats a coordinate with one decimal.
func f1(x float64) string { return fmt.Sprintf("%.1f", x) }

// svgOpen starts an SVG of w×h with an accessible title.
func svgOpen(b *strings.Builder, w, h int, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`, w, h, esc(title))
	fmt.Fprintf(b, `<title>%s</title>`, esc(title))
}

// axes maps data to plot coordinates.
type axes struct {
	t0, t1 time.Time
	y0, y1 float64
}

func (a axes) x(t time.Time) float64 {
	span := a.t1.Sub(a.t0)
	if span <= 0 {
		return padL + innerW/2
	}
	return padL + innerW*float64(t.Sub(a.t0))/float64(span)
}

func (a axes) y(v float64) float64 {
	if a.y1 <= a.y0 {
		return padT + innerH/2
	}
	return padT + innerH*(1-(v-a.y0)/(a.y1-a.y0))
}

// timeRange returns the padded time span of ts.
func timeRange(ts []time.Time) (time.Time, time.Time) {
	if len(ts) == 0 {
		return time.Time{}, time.Time{}
	}
	lo, hi := ts[0], ts[0]
	for _, t := range ts {
		if t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
	}
	pad := hi.Sub(lo) / 40
	if pad < time.Hour {
		pad = time.Hour
	}
	return lo.Add(-pad), hi.Add(pad)
}

// niceStep returns 1, 2 or 5 times a power of ten near span/n.
func niceStep(span float64, n int) float64 {
	if span <= 0 || math.IsInf(span, 0) || math.IsNaN(span) {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// timeSteps are the tick spacings of a time axis, and how to label them.
var timeSteps = []struct {
	d      time.Duration
	layout string
}{
	{time.Hour, "Jan 2 15:04"}, {3 * time.Hour, "Jan 2 15:04"}, {6 * time.Hour, "Jan 2 15:04"},
	{12 * time.Hour, "Jan 2 15:04"}, {24 * time.Hour, "Jan 2"}, {48 * time.Hour, "Jan 2"},
	{7 * 24 * time.Hour, "Jan 2"}, {14 * 24 * time.Hour, "Jan 2"}, {28 * 24 * time.Hour, "Jan 2006"},
	{91 * 24 * time.Hour, "Jan 2006"}, {365 * 24 * time.Hour, "2006"},
}

// drawAxes draws the frame, grid lines, tick labels and axis titles.
func drawAxes(b *strings.Builder, a axes, yLabel string) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#444" stroke-width="1"/>`, padL, padT, innerW, innerH, colorBg)
	step := niceStep(a.y1-a.y0, 5)
	for v := math.Ceil(a.y0/step) * step; v <= a.y1+step/1e6; v += step {
		y := a.y(v)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#ddd"/>`, padL, padL+innerW, f1(y), f1(y))
		fmt.Fprintf(b, `<text x="%d" y="%s" font-size="11" text-anchor="end" dominant-baseline="middle">%s</text>`, padL-6, f1(y), esc(trimNum(v)))
	}
	fmt.Fprintf(b, `<text x="14" y="%d" font-size="11" text-anchor="middle" transform="rotate(-90 14 %d)">%s</text>`, padT+innerH/2, padT+innerH/2, esc(yLabel))
	span := a.t1.Sub(a.t0)
	st := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s.d <= 7 {
			st = s
			break
		}
	}
	for t := a.t0.UTC().Truncate(st.d); !t.After(a.t1); t = t.Add(st.d) {
		if t.Before(a.t0) {
			continue
		}
		x := a.x(t)
		fmt.Fprintf(b, `<line x1="%s" x2="%s" y1="%d" y2="%d" stroke="#eee"/>`, f1(x), f1(x), padT, padT+innerH)
		fmt.Fprintf(b, `<text x="%s" y="%d" font-size="11" text-anchor="middle">%s</text>`, f1(x), padT+innerH+16, esc(t.UTC().Format(st.layout)))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" text-anchor="middle">time (UTC)</text>`, padL+innerW/2, plotH-6)
}

// trimNum formats an axis value without needless decimals.
func trimNum(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// rttPlot draws every landmark's samples as points, with the fibre minimum
// (solid) and the expected-band threshold (dashed) for the claimed place.
func rttPlot(c Case) string {
	var ts []time.Time
	ymax := 0.0
	claim := c.Subject.ClaimedPoint
	for _, s := range c.RTT {
		for _, x := range s.Samples {
			ts = append(ts, x.At)
			ymax = math.Max(ymax, msOf(x.RTT))
		}
		ymax = math.Max(ymax, s.ThresholdMs)
		if claim != nil {
			ymax = math.Max(ymax, s.MinimumMs(*claim))
		}
	}
	if len(ts) == 0 {
		return ""
	}
	t0, t1 := timeRange(ts)
	a := axes{t0: t0, t1: t1, y0: 0, y1: niceCeil(ymax * 1.08)}
	var b strings.Builder
	svgOpen(&b, plotW, plotH+22, "Round-trip time per landmark against the physics bounds of the claimed place")
	drawAxes(&b, a, "round-trip time (ms)")
	for i, s := range c.RTT {
		col := palette[i%len(palette)]
		fmt.Fprintf(&b, `<g fill="%s" fill-opacity="0.7">`, col)
		for _, x := range thin(s.Samples, a) {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.2"/>`, f1(a.x(x.At)), f1(a.y(msOf(x.RTT))))
		}
		b.WriteString(`</g>`)
		line := func(v float64, dash, label string) {
			y := a.y(v)
			fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1.5"%s><title>%s</title></line>`,
				padL, padL+innerW, f1(y), f1(y), col, dash, esc(label))
		}
		if claim != nil {
			line(s.MinimumMs(*claim), "", fmt.Sprintf("%s: fibre minimum %s", s.Landmark, ms(s.MinimumMs(*claim))))
		}
		if s.ThresholdMs > 0 {
			line(s.ThresholdMs, ` stroke-dasharray="6 4"`, fmt.Sprintf("%s: expected-band threshold %s", s.Landmark, ms(s.ThresholdMs)))
		}
	}
	// Legend: one swatch per landmark, then the two line styles.
	x := padL
	for i, s := range c.RTT {
		if x > plotW-240 {
			break
		}
		label := s.Landmark
		if len(label) > 24 {
			label = label[:24] + "…"
		}
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="4" fill="%s"/><text x="%d" y="%d" font-size="11">%s</text>`, x+4, plotH+10, palette[i%len(palette)], x+12, plotH+14, esc(label))
		x += 24 + 7*len([]rune(label))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#444" stroke-width="1.5"/><text x="%d" y="%d" font-size="11">fibre minimum</text>`, plotW-230, plotW-210, plotH+10, plotH+10, plotW-206, plotH+14)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#444" stroke-width="1.5" stroke-dasharray="6 4"/><text x="%d" y="%d" font-size="11">band threshold</text>`, plotW-112, plotW-92, plotH+10, plotH+10, plotW-88, plotH+14)
	b.WriteString(`</svg>`)
	return b.String()
}

// thin keeps at most the lowest and highest sample per horizontal pixel, so a
// long series draws in bounded size without hiding its extremes.
func thin(xs []RTTSample, a axes) []RTTSample {
	if len(xs) <= maxPointsPerSeries {
		return xs
	}
	type mm struct{ lo, hi RTTSample }
	bins := make(map[int]*mm)
	for _, x := range xs {
		k := int(a.x(x.At))
		m := bins[k]
		if m == nil {
			bins[k] = &mm{x, x}
			continue
		}
		if x.RTT < m.lo.RTT {
			m.lo = x
		}
		if x.RTT > m.hi.RTT {
			m.hi = x
		}
	}
	keys := make([]int, 0, len(bins))
	for k := range bins {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]RTTSample, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, bins[k].lo)
		if bins[k].hi != bins[k].lo {
			out = append(out, bins[k].hi)
		}
	}
	return out
}

// niceCeil rounds v up to a tidy axis maximum.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	s := niceStep(v, 5)
	return math.Ceil(v/s) * s
}

// operatorPlot draws the added-delay estimates; fainter points are less
// confident.
func operatorPlot(c Case) string {
	if len(c.Operator) == 0 {
		return ""
	}
	ts := make([]time.Time, len(c.Operator))
	lo, hi := 0.0, 0.0
	for i, o := range c.Operator {
		ts[i] = o.At
		lo, hi = math.Min(lo, o.AddedMs), math.Max(hi, o.AddedMs)
	}
	t0, t1 := timeRange(ts)
	a := axes{t0: t0, t1: t1, y0: -niceCeil(-lo), y1: niceCeil(hi * 1.1)}
	if lo == 0 {
		a.y0 = 0
	}
	var b strings.Builder
	svgOpen(&b, plotW, plotH, "Operator-delay estimates over time")
	drawAxes(&b, a, "added delay (ms)")
	for _, o := range c.Operator {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="4" fill="%s" fill-opacity="%.2f"><title>%s</title></circle>`,
			f1(a.x(o.At)), f1(a.y(o.AddedMs)), colorInjected, 0.25+0.75*o.Confidence,
			esc(fmt.Sprintf("%s: %s added, at least %s away, confidence %s", when(o.At), ms(o.AddedMs), km(o.AtLeastKm), pct(o.Confidence))))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// provenanceDay is the input provenance of one UTC day, as fractions.
type provenanceDay struct {
	Day                                  time.Time
	Physical, Virtual, Injected, Unknown float64
}

// provenanceDays sums shares per UTC day and normalises each day to 1.
func provenanceDays(ps []ProvenanceShare) []provenanceDay {
	byDay := map[time.Time]*provenanceDay{}
	for _, p := range ps {
		d := p.At.UTC().Truncate(24 * time.Hour)
		x := byDay[d]
		if x == nil {
			x = &provenanceDay{Day: d}
			byDay[d] = x
		}
		x.Physical += p.Physical
		x.Virtual += p.Virtual
		x.Injected += p.Injected
		x.Unknown += p.Unknown
	}
	out := make([]provenanceDay, 0, len(byDay))
	for _, x := range byDay {
		sum := x.Physical + x.Virtual + x.Injected + x.Unknown
		if sum <= 0 || math.IsInf(sum, 0) {
			continue
		}
		x.Physical, x.Virtual, x.Injected, x.Unknown = x.Physical/sum, x.Virtual/sum, x.Injected/sum, x.Unknown/sum
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}

// provenancePlot draws one stacked bar per day.
func provenancePlot(days []provenanceDay) string {
	if len(days) == 0 {
		return ""
	}
	var b strings.Builder
	svgOpen(&b, plotW, plotH, "Input provenance per day")
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#444"/>`, padL, padT, innerW, innerH, colorBg)
	for v := 0; v <= 100; v += 25 {
		y := padT + innerH*(1-float64(v)/100)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#ddd"/>`, padL, padL+innerW, f1(y), f1(y))
		fmt.Fprintf(&b, `<text x="%d" y="%s" font-size="11" text-anchor="end" dominant-baseline="middle">%d %%</text>`, padL-6, f1(y), v)
	}
	fmt.Fprintf(&b, `<text x="14" y="%d" font-size="11" text-anchor="middle" transform="rotate(-90 14 %d)">share of input events</text>`, padT+innerH/2, padT+innerH/2)
	slot := float64(innerW) / float64(len(days))
	labelEvery := int(math.Ceil(float64(len(days)) / 10))
	for i, d := range days {
		x := padL + slot*float64(i) + slot*0.12
		w := slot * 0.76
		y := float64(padT + innerH)
		for _, part := range []struct {
			v   float64
			col string
		}{{d.Physical, colorPhysical}, {d.Virtual, colorVirtual}, {d.Injected, colorInjected}, {d.Unknown, colorUnknown}} {
			h := part.v * innerH
			y -= h
			if h > 0 {
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, f1(x), f1(y), f1(w), f1(h), part.col)
			}
		}
		if i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text x="%s" y="%d" font-size="11" text-anchor="middle">%s</text>`, f1(x+w/2), padT+innerH+16, d.Day.Format("Jan 2"))
		}
	}
	legend := []struct{ name, col string }{{"physical", colorPhysical}, {"virtual", colorVirtual}, {"injected", colorInjected}, {"unknown", colorUnknown}}
	for i, l := range legend {
		x := padL + 110*i
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="11">%s</text>`, x, plotH-14, l.col, x+14, plotH-5, l.name)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
