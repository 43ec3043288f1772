package store

import (
	"cmp"
	"slices"
	"time"
)

// RTTHour is one hourly RTT rollup: the summary of one device's samples
// for one landmark and provenance within one UTC hour. Both stores keep
// them beside the samples, updated in the transaction that inserts the
// samples, so that [LandmarkRTT] summaries over days read one row per hour
// instead of every sample.
type RTTHour struct {
	DeviceID    string
	Hour        time.Time // the hour's start, UTC
	LandmarkRTT           // times and RTTs in whole µs, times in UTC
}

// add widens l to cover m, a summary of other samples of the same
// landmark and provenance.
func (l *LandmarkRTT) add(m LandmarkRTT) {
	l.Min = min(l.Min, m.Min)
	l.Count += m.Count
	if m.First.Before(l.First) {
		l.First = m.First
	}
	if m.Last.After(l.Last) {
		l.Last = m.Last
	}
}

// HourOf returns the start of the UTC hour holding t.
func HourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// RollUp summarises samples into hourly rollups, one per device, landmark,
// provenance and hour, sorted by them in that order (so that concurrent
// upserts take row locks in one order). Times and RTTs go to whole
// microseconds first, as the stores keep them. A sample with DeviceID ""
// belongs to deviceID.
func RollUp(deviceID string, samples []RTTSample) []RTTHour {
	type key struct {
		dev, landmark string
		prov          Provenance
		hour          int64
	}
	idx := make(map[key]int, 4)
	var out []RTTHour
	for _, x := range samples {
		dev := x.DeviceID
		if dev == "" {
			dev = deviceID
		}
		at := x.At.UTC().Truncate(time.Microsecond)
		rtt := x.RTT.Truncate(time.Microsecond)
		h := HourOf(at)
		k := key{dev, x.Landmark, x.Provenance, h.UnixMicro()}
		one := LandmarkRTT{Landmark: x.Landmark, Provenance: x.Provenance, Min: rtt, Count: 1, First: at, Last: at}
		if i, ok := idx[k]; ok {
			out[i].add(one)
			continue
		}
		idx[k] = len(out)
		out = append(out, RTTHour{DeviceID: dev, Hour: h, LandmarkRTT: one})
	}
	slices.SortFunc(out, func(a, b RTTHour) int {
		return cmp.Or(cmp.Compare(a.DeviceID, b.DeviceID), cmp.Compare(a.Landmark, b.Landmark),
			cmp.Compare(a.Provenance, b.Provenance), a.Hour.Compare(b.Hour))
	})
	return out
}

// MergeSummaries merges summaries of disjoint stretches of one device's
// samples (the rollups of whole hours and the raw samples of a partial
// hour) into one, per landmark and provenance, sorted by landmark, then
// provenance.
func MergeSummaries(parts ...[]LandmarkRTT) []LandmarkRTT {
	var out []LandmarkRTT
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.SortStableFunc(out, func(a, b LandmarkRTT) int {
		return cmp.Or(cmp.Compare(a.Landmark, b.Landmark), cmp.Compare(a.Provenance, b.Provenance))
	})
	merged := out[:0]
	for _, l := range out {
		n := len(merged)
		if n == 0 || merged[n-1].Landmark != l.Landmark || merged[n-1].Provenance != l.Provenance {
			merged = append(merged, l)
			continue
		}
		merged[n-1].add(l)
	}
	return merged
}
