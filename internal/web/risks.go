package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/risk"
)

// risksPage is what templates/risks.html renders.
type risksPage struct {
	Title string
	Root  string
	Who   viewer
	Rows  []riskRow
	// Evaluated is when the risks were evaluated, "" for not known.
	Evaluated string
}

type riskRow struct {
	Subject     string
	Badge       badge
	Probability string
	Signals     int
	Evidence    []riskEvidence
	Link        string // the worker's page, relative to the root; "" for none
}

type riskEvidence struct {
	Bits, Detector, Provenance, Explanation string
}

func riskBadge(level string) badge {
	switch level {
	case risk.LevelHigh:
		return badge{Class: "bad", Label: "high"}
	case risk.LevelWatch:
		return badge{Class: "warn", Label: "watch"}
	case risk.LevelClear:
		return badge{Class: "ok", Label: "clear"}
	}
	return badge{Class: "none", Label: level}
}

func (h *Handler) routeRisks() {
	h.handle("GET /risk", auth.ViewDevices, h.serveRisks)
	h.handle("GET /api/v1/risks", auth.ViewDevices, h.apiRisks)
}

func (h *Handler) serveRisks(w http.ResponseWriter, r *http.Request) {
	rs, err := h.cfg.Risks(r.Context())
	if err != nil {
		h.fail(w, r, false, "fuse risks", err)
		return
	}
	p := risksPage{Title: h.cfg.Title, Who: h.viewerOf(r)}
	if h.cfg.RisksEvaluated != nil {
		if at := h.cfg.RisksEvaluated(); !at.IsZero() {
			p.Evaluated = at.UTC().Format("2006-01-02 15:04:05 UTC")
		}
	}
	for _, rk := range rs {
		p.Rows = append(p.Rows, h.linkedRowOf(rk))
	}
	h.render(w, r, "risks.html", p)
}

// rowOf is how a risk is shown: its level, probability, signals and the
// evidence that counted.
func rowOf(rk risk.Risk) riskRow {
	row := riskRow{Subject: rk.Subject.String(), Badge: riskBadge(rk.Level), Probability: fmt.Sprintf("%.3f", rk.Probability), Signals: rk.Signals}
	for _, c := range rk.Contributions {
		if c.Bits == 0 {
			continue
		}
		row.Evidence = append(row.Evidence, riskEvidence{Bits: fmt.Sprintf("%+.1f", c.Bits), Detector: c.Evidence.Detector,
			Provenance: c.Evidence.Provenance, Explanation: c.Evidence.Explanation})
	}
	return row
}

// linkedRowOf is rowOf with a link to the subject's worker page, when
// worker pages are served.
func (h *Handler) linkedRowOf(rk risk.Risk) riskRow {
	row := rowOf(rk)
	row.Link = h.workerLink(rk.Subject)
	return row
}

// workerLink is the path of the subject's worker page relative to the
// root, or "" when the subject is not a worker or there are no worker
// pages.
func (h *Handler) workerLink(s risk.Subject) string {
	if h.cfg.Worker == nil || s.Kind != risk.KindWorker {
		return ""
	}
	return "workers/" + url.PathEscape(s.ID)
}

func (h *Handler) apiRisks(w http.ResponseWriter, r *http.Request) {
	rs, err := h.cfg.Risks(r.Context())
	if err != nil {
		h.fail(w, r, true, "fuse risks", err)
		return
	}
	if rs == nil {
		rs = []risk.Risk{}
	}
	h.writeJSON(w, r, http.StatusOK, rs)
}

// RisksFunc returns the fused risk of every worker, highest first.
type RisksFunc func(ctx context.Context) ([]risk.Risk, error)
