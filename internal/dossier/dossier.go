// Package dossier builds the evidence file of one worker, for the
// dashboard's worker page and for case reports: a [report.Case] whose
// subject, RTT, map, input-provenance and operator sections are filled from
// what the store holds about the worker over a recent window (default 7
// days). Render it with [report.HTML], or its plots alone with
// [report.RenderPlots]; a case report copies the sections into its own
// Case.
//
// The sections come from these records, and say whose measurement they are:
//
//   - Subject: the worker record (name, claimed location as entered, that
//     location: its stored coordinates, else resolved with [place.Resolve]) and its devices (hostname and
//     OS as the agent last reported them; last IP address and last-seen
//     time as the server saw them).
//   - RTT: the RTT samples of each device, one series per landmark (per
//     landmark and device when several devices have samples). Of each
//     landmark's samples only one provenance is plotted: the one the
//     device's verdict (package analyze) used, else the strongest present.
//     Server-measured samples (server-tcp, server-app) outrank samples the
//     agent reported; a series or disk that rests on agent-reported samples
//     says so in its label. The dashed threshold is the verdict's
//     expected-band threshold for the claimed place.
//   - Map: the claim; one disk per landmark whose radius is the farthest a
//     device can be from the landmark given the smallest plotted RTT, by
//     the fibre bound alone ([geo.MaxDistance], no access allowance, so the
//     disk is never too small); and, when a [ipgeo.Locator] is configured
//     and knows coordinates for it, where the last IP address of the most
//     recently seen device geolocates. With several devices a landmark's disk uses the smallest
//     RTT of any of them, so the drawn intersection is where the nearest
//     devices could be; it is one device's feasible region only when the
//     worker has one device.
//   - Provenance: one share per input window the agent reported, counting
//     physical, virtual, injected and unknown keystrokes. Agent-reported.
//   - Operator: one estimate per endpoint report whose remote-access tools
//     had an established session with a known kernel RTT (the session's
//     minimum RTT, else its smoothed RTT, as package ingest reads it): the
//     smallest such RTT is the added delay, and [operator.Fuse] turns it
//     (rounded down to the millisecond) into the distance the typist is at
//     least away, with its confidence: a statistical lower bound from the
//     latency band, not the fibre limit, which bounds the far end from
//     above only. Agent-reported.
//
// Everything [Worker] returns passes [report.Case.Validate]: series, samples,
// disks and rows are clipped to the report's limits, thinned series keep
// their minimum, and text is cut to [report.MaxTextBytes]. To bound memory,
// at most 10 × Config.MaxSamples × (number of landmarks) samples and
// report.MaxRows endpoint reports are read per device, newest first; past
// those the oldest part of the window is left out (logged for samples).
//
// Worker keeps no state between calls: it is safe for concurrent use when
// the store is.
package dossier

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is what [Worker] reads. The SQLite store (package store) and the
// PostgreSQL store (package store/postgres) implement it.
type Store interface {
	analyze.Store
	Samples(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.RTTSample, error)
	CompactWindows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error)
	EndpointReports(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.EndpointReport, error)
}

// Defaults of [Config].
const (
	DefaultWindow     = 7 * 24 * time.Hour
	DefaultMaxSamples = 5000
)

// fetchFactor bounds the samples read per device: fetchFactor times
// MaxSamples per landmark, newest first. Past it the oldest part of the
// window is left out, and logged.
const fetchFactor = 10

// Config configures [Worker].
type Config struct {
	Band *latency.Band // required: the latency model the verdicts use
	// Window is how far back records count (default DefaultWindow).
	Window time.Duration
	// MaxSamples is the most samples one RTT series keeps (default
	// DefaultMaxSamples, at most report.MaxSamples); longer series are
	// thinned evenly in time, keeping their minimum.
	MaxSamples int
	Locator    *ipgeo.Locator   // optional: places the last IP address on the map
	Now        func() time.Time // default time.Now
	Logger     *slog.Logger     // nil: discard
}

// Worker builds the evidence file of the worker workerID as a case: ID is
// the worker ID and Title names the worker, so that it validates and
// renders on its own; a case report replaces them with the case's. An
// unknown worker is an error wrapping [store.ErrNotFound].
func Worker(ctx context.Context, st Store, cfg Config, workerID string) (report.Case, error) {
	if cfg.Band == nil {
		return report.Case{}, errors.New("build dossier: Config.Band is required")
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxSamples <= 0 {
		cfg.MaxSamples = DefaultMaxSamples
	}
	cfg.MaxSamples = min(cfg.MaxSamples, report.MaxSamples)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now()
	since := now.Add(-cfg.Window)
	fail := func(err error) (report.Case, error) {
		return report.Case{}, fmt.Errorf("build dossier of worker %q: %w", workerID, err)
	}

	w, err := st.Worker(ctx, workerID)
	if err != nil {
		return fail(err)
	}
	all, err := st.Devices(ctx)
	if err != nil {
		return fail(err)
	}
	devs := slices.DeleteFunc(all, func(d store.Device) bool { return d.WorkerID != w.ID })
	lms, err := st.Landmarks(ctx)
	if err != nil {
		return fail(err)
	}
	// The verdicts give thresholds and provenances; the map draws its own
	// feasible region from the disks, so the verdicts' is not computed.
	an, err := analyze.New(st, analyze.Config{Band: cfg.Band, Window: cfg.Window, Locator: cfg.Locator,
		Options: latency.Options{SkipRegion: true}, Now: func() time.Time { return now }, Logger: log})
	if err != nil {
		return fail(err)
	}

	c := report.Case{ID: clip(w.ID), Title: clip("Evidence file of " + cmp.Or(w.Name, w.ID)), Generated: now.UTC()}
	c.Subject = report.Person{ID: clip(w.ID), Name: clip(w.Name), ClaimedPlace: clip(w.ClaimedLocation)}
	// The stored coordinates are the ones the verdicts use; a worker
	// stored without them gets the place resolved now.
	if w.Lat != 0 || w.Lon != 0 {
		c.Subject.ClaimedPoint = &geo.Point{Lat: w.Lat, Lon: w.Lon}
	} else if p, err := place.Resolve(w.ClaimedLocation); err == nil {
		c.Subject.ClaimedPoint = &p.Point
	} else {
		log.Debug("resolve claimed location", "worker_id", w.ID, "err", err)
	}
	c.Map.Claimed, c.Map.ClaimedLabel = c.Subject.ClaimedPoint, c.Subject.ClaimedPlace

	var evs []deviceEvidence
	for _, d := range devs {
		e, err := gather(ctx, st, an, cfg, d, since, len(lms), log)
		if err != nil {
			return fail(err)
		}
		evs = append(evs, e)
		if len(c.Subject.Devices) < report.MaxRows {
			c.Subject.Devices = append(c.Subject.Devices, report.Device{ID: clip(d.ID), Hostname: clip(d.Hostname), OS: clip(d.OS), IP: clip(d.LastIP), LastSeen: d.LastSeen})
		}
	}
	c.RTT, c.Map.Disks = rttSections(evs, lms, cfg.MaxSamples, log)
	c.Map.IP, c.Map.IPLabel = ipSection(evs)
	c.Provenance = provenanceSection(evs)
	c.Operator, err = operatorSection(evs, cfg.Band)
	if err != nil {
		return fail(err)
	}
	if err := c.Validate(); err != nil {
		return fail(err) // a bug here: everything above is clipped to the limits
	}
	return c, nil
}

// deviceEvidence is what the store holds about one device in the window.
type deviceEvidence struct {
	dev     store.Device
	verdict analyze.DeviceVerdict
	samples []store.RTTSample
	windows []store.InputWindow
	reports []store.EndpointReport
}

// gather reads the verdict and the records of device d since since.
func gather(ctx context.Context, st Store, an *analyze.Analyzer, cfg Config, d store.Device, since time.Time, landmarks int, log *slog.Logger) (deviceEvidence, error) {
	e := deviceEvidence{dev: d}
	var err error
	if e.verdict, err = an.Device(ctx, d.ID); err != nil {
		return e, err
	}
	limit := fetchFactor * cfg.MaxSamples * max(landmarks, 1)
	if e.samples, err = st.Samples(ctx, d.ID, since, limit); err != nil {
		return e, err
	}
	if len(e.samples) == limit {
		log.Warn("sample limit reached: older samples of the window left out", "device_id", d.ID, "limit", limit, "since", since)
	}
	if e.windows, err = st.CompactWindows(ctx, d.ID, since, time.Time{}); err != nil {
		return e, err
	}
	if e.reports, err = st.EndpointReports(ctx, d.ID, since, report.MaxRows); err != nil {
		return e, err
	}
	return e, nil
}

// ipSection returns where the last IP address of the most recently seen
// device geolocates, when the locator gave coordinates.
func ipSection(evs []deviceEvidence) (*geo.Point, string) {
	var best *deviceEvidence
	for i := range evs {
		e := &evs[i]
		if e.dev.LastIP != "" && (best == nil || e.dev.LastSeen.After(best.dev.LastSeen)) {
			best = e
		}
	}
	if best == nil || !best.verdict.IP.HasPoint {
		return nil, ""
	}
	loc := best.verdict.IP
	var where []string
	for _, s := range []string{loc.City, loc.Region, loc.Country} {
		if s != "" {
			where = append(where, s)
		}
	}
	label := best.dev.LastIP
	if len(where) > 0 {
		label += " (" + strings.Join(where, ", ") + ")"
	}
	p := loc.Point
	return &p, clip(label)
}

// clip cuts s to report.MaxTextBytes on a character boundary.
func clip(s string) string {
	if len(s) <= report.MaxTextBytes {
		return s
	}
	n := report.MaxTextBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
