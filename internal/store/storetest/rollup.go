package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// testRTTSummaryRollups checks RTTSummary, which reads the hourly rollups,
// against a summary computed from every sample: samples stored by SaveBatch
// and by AddSamples, across hours, devices, landmarks and provenances,
// with since on, between and off hour boundaries; then again after
// PruneSamples cut an hour in two, after more samples arrived in that hour,
// and after a batch was retried (it must not count twice).
func testRTTSummaryRollups(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	rng := rand.New(rand.NewPCG(7, 11))
	landmarks := []string{"us-west", "eu-central"}
	provs := []store.Provenance{store.ServerTCP, store.ServerApp, store.Agent}
	var all []store.RTTSample
	draw := func(dev string, from, span time.Duration) store.RTTSample {
		return store.RTTSample{
			DeviceID:   dev,
			Landmark:   landmarks[rng.IntN(len(landmarks))],
			At:         t0.Add(from + time.Duration(rng.Int64N(int64(span)))),
			RTT:        time.Duration(5_000+rng.IntN(200_000))*time.Microsecond + time.Duration(rng.IntN(1000)),
			Provenance: provs[rng.IntN(len(provs))],
		}
	}
	var batches []store.Batch
	add := func(from, span time.Duration, n int) {
		t.Helper()
		for i := range n {
			dev := fmt.Sprintf("d-%d", 1+i%2)
			b := store.Batch{DeviceID: dev, ID: fmt.Sprintf("b-%d", len(batches)), ReceivedAt: t0.Add(from + span)}
			for range 1 + rng.IntN(40) {
				x := draw(dev, from, span)
				if rng.IntN(2) == 0 {
					x.DeviceID = "" // the batch's device
				}
				b.Samples = append(b.Samples, x)
			}
			if stored, err := s.SaveBatch(ctx, b); err != nil || !stored {
				t.Fatalf("SaveBatch(%s) = %v, %v", b.ID, stored, err)
			}
			batches = append(batches, b)
			for _, x := range b.Samples {
				x.DeviceID = dev
				all = append(all, x)
			}
			extra := []store.RTTSample{draw(dev, from, span), draw("d-2", from, span)}
			if err := s.AddSamples(ctx, extra); err != nil {
				t.Fatalf("AddSamples() = %v", err)
			}
			all = append(all, extra...)
		}
	}
	check := func(stage string, sinces ...time.Time) {
		t.Helper()
		for _, dev := range []string{"d-1", "d-2"} {
			for _, since := range sinces {
				got, err := s.RTTSummary(ctx, dev, since)
				if err != nil {
					t.Fatalf("%s: RTTSummary(%s, %v) = %v", stage, dev, since, err)
				}
				want := summaryOf(all, dev, since)
				if len(got) != 0 || len(want) != 0 {
					if !same(got, want) {
						t.Errorf("%s: RTTSummary(%s, %v) =\n%+v\nwant\n%+v", stage, dev, since, got, want)
					}
				}
			}
		}
	}
	add(-90*time.Minute, 5*time.Hour, 60)
	sinces := []time.Time{
		t0.Add(-3 * time.Hour), t0.Add(-time.Hour), t0, t0.Add(time.Hour),
		t0.Add(-89*time.Minute - 7*time.Microsecond), t0.Add(17 * time.Minute), t0.Add(2*time.Hour + 59*time.Minute + 59*time.Second),
		t0.Add(10 * time.Hour),
	}
	for range 10 {
		sinces = append(sinces, t0.Add(-90*time.Minute+time.Duration(rng.Int64N(int64(5*time.Hour)))))
	}
	check("stored", sinces...)

	for _, b := range batches[:5] { // retries change nothing
		if stored, err := s.SaveBatch(ctx, b); err != nil || stored {
			t.Fatalf("SaveBatch(%s) again = %v, %v; want false, nil", b.ID, stored, err)
		}
	}
	check("after retries", sinces...)

	cut := t0.Add(time.Hour + 23*time.Minute + 11*time.Second)
	if _, err := s.PruneSamples(ctx, cut); err != nil {
		t.Fatalf("PruneSamples(%v) = %v", cut, err)
	}
	all = slices.DeleteFunc(all, func(x store.RTTSample) bool { return x.At.Before(cut) })
	check("after prune", append(sinces, cut, cut.Add(-time.Minute), cut.Add(time.Minute))...)

	add(time.Hour+23*time.Minute+11*time.Second, 30*time.Minute, 10) // into the hour the prune cut
	check("after prune and more samples", append(sinces, cut, cut.Add(time.Minute))...)

	aligned := t0.Add(3 * time.Hour)
	if _, err := s.PruneSamples(ctx, aligned); err != nil {
		t.Fatalf("PruneSamples(%v) = %v", aligned, err)
	}
	all = slices.DeleteFunc(all, func(x store.RTTSample) bool { return x.At.Before(aligned) })
	check("after prune on the hour", append(sinces, aligned)...)
}

// summaryOf summarises the samples of deviceID taken at or after since,
// at the stores' microsecond precision.
func summaryOf(samples []store.RTTSample, deviceID string, since time.Time) []store.LandmarkRTT {
	since = utc(since)
	var out []store.LandmarkRTT
	for _, x := range samples {
		at, rtt := utc(x.At), x.RTT.Truncate(time.Microsecond)
		if x.DeviceID != deviceID || at.Before(since) {
			continue
		}
		i := slices.IndexFunc(out, func(l store.LandmarkRTT) bool { return l.Landmark == x.Landmark && l.Provenance == x.Provenance })
		if i < 0 {
			out = append(out, store.LandmarkRTT{Landmark: x.Landmark, Provenance: x.Provenance, Min: rtt, Count: 1, First: at, Last: at})
			continue
		}
		l := &out[i]
		l.Min = min(l.Min, rtt)
		l.Count++
		if at.Before(l.First) {
			l.First = at
		}
		if at.After(l.Last) {
			l.Last = at
		}
	}
	slices.SortFunc(out, func(a, b store.LandmarkRTT) int {
		return cmp.Or(cmp.Compare(a.Landmark, b.Landmark), cmp.Compare(a.Provenance, b.Provenance))
	})
	return out
}
