package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
)

// WorkerFunc returns the evidence file of one worker: what they claim,
// their devices, the RTT series against the physics bounds, the map,
// input provenance and operator-delay estimates (package dossier builds
// it from a store). An unknown worker's error wraps store.ErrNotFound.
type WorkerFunc func(ctx context.Context, id string) (report.Case, error)

// workerPage is what templates/worker.html renders.
type workerPage struct {
	Title string
	Root  string
	Who   viewer
	Case  report.Case
	Plots report.Plots
	// Risk is the worker's fused risk; HasRisk is false without
	// Config.Risks or when the worker has no evidence.
	HasRisk  bool
	Risk     riskRow
	raw      risk.Risk
	LogOdds  string
	CanCases bool // case pages exist and the viewer may open one
	Subject  string
	// Alerts are the worker's newest alerts, when Config.Alerts is set.
	Alerts    []alertRow
	HasAlerts bool
}

// workerAlerts is how many of a worker's newest alerts the page lists.
const workerAlerts = 20

// maxWorkerID bounds the worker ID in a path.
const maxWorkerID = 256

func (h *Handler) routeWorkers() {
	h.handle("GET /workers/{id}", auth.ViewDevices, h.serveWorker)
	h.handle("GET /api/v1/workers/{id}", auth.ViewDevices, h.apiWorker)
}

// workerView gathers the worker's file and risk; a missing worker is
// reported as store.ErrNotFound.
func (h *Handler) workerView(r *http.Request) (workerPage, error) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxWorkerID {
		return workerPage{}, fmt.Errorf("worker id %.64q: %w", id, store.ErrNotFound)
	}
	c, err := h.cfg.Worker(r.Context(), id)
	if err != nil {
		return workerPage{}, err
	}
	p := workerPage{Title: h.cfg.Title, Root: "../", Who: h.viewerOf(r), Case: c, Subject: risk.Worker(id).String()}
	p.CanCases = h.cfg.Cases != nil && p.Who.WorkCases
	if h.cfg.Risks != nil {
		rk, ok, err := h.riskOf(r.Context(), risk.Worker(id))
		if err != nil {
			return workerPage{}, err
		}
		if ok {
			p.HasRisk, p.Risk, p.raw, p.LogOdds = true, rowOf(rk), rk, fmt.Sprintf("%+.1f", rk.LogOdds)
		}
	}
	if h.cfg.Alerts != nil {
		p.HasAlerts = true
		as, err := h.cfg.Alerts.Newest(r.Context(), risk.Worker(id), workerAlerts)
		if err != nil {
			return workerPage{}, err
		}
		for _, a := range as {
			p.Alerts = append(p.Alerts, h.alertRowOf(a))
		}
	}
	return p, nil
}

// riskOf returns the fused risk of one subject.
func (h *Handler) riskOf(ctx context.Context, s risk.Subject) (risk.Risk, bool, error) {
	rs, err := h.cfg.Risks(ctx)
	if err != nil {
		return risk.Risk{}, false, fmt.Errorf("fuse risks: %w", err)
	}
	i := slices.IndexFunc(rs, func(rk risk.Risk) bool { return rk.Subject == s })
	if i < 0 {
		return risk.Risk{}, false, nil
	}
	return rs[i], true, nil
}

func (h *Handler) serveWorker(w http.ResponseWriter, r *http.Request) {
	p, err := h.workerView(r)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no such worker", http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, false, "show worker", err)
		return
	}
	if p.Plots, err = report.RenderPlots(p.Case); err != nil {
		h.fail(w, r, false, "plot worker", err)
		return
	}
	h.render(w, r, "worker.html", p)
}

// apiWorker answers the worker's evidence file and risk as JSON.
func (h *Handler) apiWorker(w http.ResponseWriter, r *http.Request) {
	p, err := h.workerView(r)
	if errors.Is(err, store.ErrNotFound) {
		h.apiFail(w, r, http.StatusNotFound, "not_found", "no such worker")
		return
	}
	if err != nil {
		h.fail(w, r, true, "show worker", err)
		return
	}
	body := struct {
		Worker report.Case `json:"worker"`
		Risk   *risk.Risk  `json:"risk,omitempty"`
	}{Worker: p.Case}
	if p.HasRisk {
		body.Risk = &p.raw
	}
	h.writeJSON(w, r, http.StatusOK, body)
}
