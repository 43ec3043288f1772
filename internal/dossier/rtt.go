package dossier

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
)

// maxRTT is the longest RTT a report sample may have (report.Case.Validate);
// longer samples are left out.
const maxRTT = time.Minute

// series is one device's samples from one landmark, of one provenance.
type series struct {
	lm        store.Landmark
	dev       store.Device
	prov      store.Provenance
	samples   []report.RTTSample // oldest first
	min       time.Duration
	threshold float64
}

// rttSections builds the RTT series and the map's disks from the samples
// of every device.
func rttSections(evs []deviceEvidence, lms []store.Landmark, maxSamples int, log *slog.Logger) ([]report.RTTSeries, []report.Disk) {
	byName := make(map[string]store.Landmark, len(lms))
	for _, l := range lms {
		byName[l.Name] = l
	}
	var all []series
	devices := map[string]bool{}
	for _, e := range evs {
		findings := map[string]latency.Finding{}
		for _, f := range e.verdict.Verdict.Findings {
			findings[f.Landmark] = f
		}
		groups := map[string][]store.RTTSample{}
		for _, x := range e.samples {
			groups[x.Landmark] = append(groups[x.Landmark], x)
		}
		for name, xs := range groups {
			lm, ok := byName[name]
			if !ok {
				log.Debug("samples of an unknown landmark left out", "device_id", e.dev.ID, "landmark", name, "samples", len(xs))
				continue
			}
			s := series{lm: lm, dev: e.dev, prov: strongest(xs)}
			if f, ok := findings[name]; ok {
				s.prov = store.Provenance(f.Provenance)
				if !math.IsNaN(f.ThresholdMs) && f.ThresholdMs > 0 && f.ThresholdMs <= msOf(maxRTT) {
					s.threshold = f.ThresholdMs
				}
			}
			for _, x := range xs {
				if x.Provenance == s.prov && x.RTT >= 0 && x.RTT <= maxRTT {
					s.samples = append(s.samples, report.RTTSample{At: x.At, RTT: x.RTT})
				}
			}
			if len(s.samples) == 0 {
				continue
			}
			slices.SortStableFunc(s.samples, func(a, b report.RTTSample) int { return a.At.Compare(b.At) })
			s.min = slices.MinFunc(s.samples, func(a, b report.RTTSample) int { return cmp.Compare(a.RTT, b.RTT) }).RTT
			s.samples = thin(s.samples, maxSamples)
			all = append(all, s)
			devices[e.dev.ID] = true
		}
	}
	slices.SortFunc(all, func(a, b series) int {
		return cmp.Or(cmp.Compare(a.lm.Name, b.lm.Name), cmp.Compare(deviceName(a.dev), deviceName(b.dev)), cmp.Compare(a.dev.ID, b.dev.ID))
	})
	if len(all) > report.MaxSeries {
		log.Warn("too many RTT series: the last ones left out", "series", len(all), "kept", report.MaxSeries)
		all = all[:report.MaxSeries]
	}

	var out []report.RTTSeries
	var disks []report.Disk
	for i, s := range all {
		var notes []string
		if len(devices) > 1 {
			notes = append(notes, deviceName(s.dev))
		}
		if s.prov == store.Agent {
			notes = append(notes, "agent-reported")
		}
		out = append(out, report.RTTSeries{Landmark: clip(label(s.lm.Name, notes)), Place: clip(s.lm.Location),
			Point: geo.Point{Lat: s.lm.Lat, Lon: s.lm.Lon}, Samples: s.samples, ThresholdMs: s.threshold})
		// One disk per landmark, from its series' smallest RTT.
		if i > 0 && all[i-1].lm.Name == s.lm.Name {
			continue
		}
		low := s
		for _, t := range all[i+1:] {
			if t.lm.Name != s.lm.Name {
				break
			}
			if t.min < low.min {
				low = t
			}
		}
		r := geo.MaxDistance(low.min)
		var dn []string
		if low.prov == store.Agent {
			dn = append(dn, "agent-reported")
		}
		disks = append(disks, report.Disk{Label: clip(label(fmt.Sprintf("%s ≤ %s km", s.lm.Name, thousands(r)), dn)),
			Center: geo.Point{Lat: s.lm.Lat, Lon: s.lm.Lon}, RadiusKm: r})
	}
	return out, disks
}

// strongest returns the strongest provenance among xs.
func strongest(xs []store.RTTSample) store.Provenance {
	best := xs[0].Provenance
	for _, x := range xs[1:] {
		if rank(x.Provenance) < rank(best) {
			best = x.Provenance
		}
	}
	return best
}

// rank orders provenances, strongest first, as package analyze does.
func rank(p store.Provenance) int {
	switch p {
	case store.ServerTCP:
		return 0
	case store.ServerApp:
		return 1
	case store.Agent:
		return 2
	}
	return 3
}

// thin keeps n of xs (oldest first), evenly spaced in order from the first
// to the last, with the minimum in place of the pick nearest to it, so that
// the report's minimum matches the disk.
func thin(xs []report.RTTSample, n int) []report.RTTSample {
	if len(xs) <= n {
		return xs
	}
	low := 0
	for i, x := range xs {
		if x.RTT < xs[low].RTT {
			low = i
		}
	}
	if n <= 1 {
		return []report.RTTSample{xs[low]}
	}
	picks := make([]int, n)
	near := 0
	for i := range picks {
		picks[i] = i * (len(xs) - 1) / (n - 1)
		if abs(picks[i]-low) < abs(picks[near]-low) {
			near = i
		}
	}
	picks[near] = low
	out := make([]report.RTTSample, n)
	for i, j := range picks {
		out[i] = xs[j]
	}
	return out
}

func abs(x int) int { return max(x, -x) }

// deviceName names a device by hostname, else ID.
func deviceName(d store.Device) string { return cmp.Or(d.Hostname, d.ID) }

// label appends notes in parentheses to name.
func label(name string, notes []string) string {
	if len(notes) == 0 {
		return name
	}
	return name + " (" + strings.Join(notes, ", ") + ")"
}

// thousands formats x rounded to an integer with comma separators.
func thousands(x float64) string {
	s := fmt.Sprint(int64(math.Round(x)))
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
