// Package riskfeed reads a store's evidence about each worker for risk
// fusion (package risk): the device-distance verdicts, endpoint reports and
// input windows of the worker's devices, and the screening of the
// applications the worker was hired from, linked to the worker.
package riskfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is what Gather reads. The SQLite and PostgreSQL stores implement it.
type Store interface {
	analyze.Store
	EndpointReports(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.EndpointReport, error)
	Windows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error)
	Applicant(ctx context.Context, id string) (store.ApplicantRecord, error)
}

// Risks gathers the evidence of the last window and fuses it with cfg.
func Risks(ctx context.Context, st Store, hired map[string][]string, window time.Duration, cfg risk.Config) ([]risk.Risk, error) {
	now := time.Now()
	ev, links, err := Gather(ctx, st, hired, now.Add(-window), now, nil)
	if err != nil {
		return nil, err
	}
	return risk.Fuse(ev, links, cfg, time.Now()), nil
}

// Gather reads each worker's devices' verdicts, endpoint reports
// and input windows, and the screening of the applications the workers
// were hired from, linking devices and applicants to their workers.
func Gather(ctx context.Context, st Store, hired map[string][]string, since, now time.Time, warn func(string)) ([]risk.Evidence, *risk.Links, error) {
	links := &risk.Links{}
	band, err := latency.DefaultBand()
	if err != nil {
		return nil, nil, err
	}
	an, err := analyze.New(st, analyze.Config{Band: band, Window: now.Sub(since)})
	if err != nil {
		return nil, nil, err
	}
	dvs, err := an.All(ctx)
	if err != nil {
		return nil, nil, err
	}
	var ev []risk.Evidence
	seen := map[string]bool{}
	for _, dv := range dvs {
		w := risk.Worker(dv.Worker.ID)
		if err := links.Link(risk.Device(dv.Device.ID), w); err != nil {
			return nil, nil, err
		}
		ev = append(ev, risk.FromVerdict(dv)...)
		reps, err := st.EndpointReports(ctx, dv.Device.ID, since, 500)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range reps {
			ev = append(ev, risk.FromEndpoint(dv.Device.ID, r)...)
		}
		ws, err := st.Windows(ctx, dv.Device.ID, since, now)
		if err != nil {
			return nil, nil, err
		}
		ev = append(ev, risk.FromWindows(dv.Device.ID, ws)...)
		if seen[dv.Worker.ID] {
			continue
		}
		seen[dv.Worker.ID] = true
		for _, appID := range hired[dv.Worker.ID] {
			rec, err := st.Applicant(ctx, appID)
			if errors.Is(err, store.ErrNotFound) {
				if warn != nil {
					warn(fmt.Sprintf("worker %s: applicant %s is not stored; its screening is not counted", dv.Worker.ID, appID))
				}
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			var res screen.Result
			if err := json.Unmarshal(rec.Result, &res); err != nil {
				return nil, nil, fmt.Errorf("decode screening of applicant %s: %w", appID, err)
			}
			if err := links.Link(risk.Applicant(appID), w); err != nil {
				return nil, nil, err
			}
			ev = append(ev, risk.FromScreen(appID, res, rec.ImportedAt)...)
		}
	}
	return ev, links, nil
}
