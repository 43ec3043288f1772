package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Alerts is where the alert pages read alerts and record suppressions;
// *alerts.Service has it.
type Alerts interface {
	Newest(ctx context.Context, subject risk.Subject, limit int) ([]alerts.Stored, error)
	Get(ctx context.Context, id string) (alerts.Stored, error)
	Suppress(ctx context.Context, actor string, subject risk.Subject, rule, reason string, until time.Time) error
	Suppressions() []risk.Suppression
	Rules() []string
}

// Limits of the alert pages.
const (
	alertsPageSize  = 200 // alerts the alert list shows
	overviewAlerts  = 10  // newest alerts on the overview
	overviewRisks   = 10  // workers by risk on the overview
	maxSuppressDays = 365 // longest suppression the form accepts
)

// alertsPage is what templates/alerts.html renders.
type alertsPage struct {
	Title        string
	Root         string
	Who          viewer
	Rows         []alertRow
	Suppressions []suppressionRow
}

type alertRow struct {
	ID, Subject, Rule, Summary string
	Badge                      badge
	Bits                       string
	At                         stamp
	Sent                       bool
	Link                       string // the subject's worker page, relative to the root; "" for none
}

type suppressionRow struct {
	Subject, Rule, Reason, By string
	Until                     stamp
}

// alertPage is what templates/alert.html renders.
type alertPage struct {
	Title    string
	Root     string
	Who      viewer
	A        alertRow
	Evidence []riskEvidence
	Cases    []caseRow // cases opened from this alert
	Rules    []string  // rule choices for a suppression
	MaxDays  int
	Error    string
	SentAt   stamp
}

func (h *Handler) routeAlerts() {
	h.handle("GET /alerts", auth.ViewDevices, h.serveAlerts)
	h.handle("GET /alerts/{id}", auth.ViewDevices, h.serveAlert)
	h.handle("POST /alerts/{id}/suppress", auth.WorkCases, h.postSuppress)
	h.handle("GET /api/v1/alerts", auth.ViewDevices, h.apiAlerts)
	h.handle("GET /api/v1/alerts/{id}", auth.ViewDevices, h.apiAlert)
	if h.cfg.Cases != nil {
		h.handle("POST /alerts/{id}/case", auth.WorkCases, h.postAlertCase)
		h.handle("POST /api/v1/alerts/{id}/case", auth.WorkCases, h.apiAlertCase)
	}
}

func (h *Handler) alertRowOf(a alerts.Stored) alertRow {
	return alertRow{ID: a.ID, Subject: a.Subject.String(), Rule: a.Rule, Summary: a.Summary, Badge: riskBadge(a.Level),
		Bits: fmt.Sprintf("%+.1f", a.LogOdds), At: stampOf(a.At, ""), Sent: !a.SentAt.IsZero(), Link: h.workerLink(a.Subject)}
}

func (h *Handler) serveAlerts(w http.ResponseWriter, r *http.Request) {
	as, err := h.cfg.Alerts.Newest(r.Context(), risk.Subject{}, alertsPageSize)
	if err != nil {
		h.fail(w, r, false, "list alerts", err)
		return
	}
	p := alertsPage{Title: h.cfg.Title, Who: h.viewerOf(r)}
	for _, a := range as {
		p.Rows = append(p.Rows, h.alertRowOf(a))
	}
	for _, s := range h.cfg.Alerts.Suppressions() {
		rule := s.Rule
		if rule == "" {
			rule = "every rule"
		}
		p.Suppressions = append(p.Suppressions, suppressionRow{Subject: s.Subject.String(), Rule: rule, Reason: s.Reason, By: s.By, Until: stampOf(s.Until, "")})
	}
	h.render(w, r, "alerts.html", p)
}

// alertOf reads the {id} alert; on failure it answers and returns false.
func (h *Handler) alertOf(w http.ResponseWriter, r *http.Request, api bool) (alerts.Stored, bool) {
	id := r.PathValue("id")
	if id == "" || len(id) > risk.MaxIDLen {
		msg := fmt.Sprintf("alert ID: want 1 to %d bytes, not %d", risk.MaxIDLen, len(id))
		if api {
			h.apiFail(w, r, http.StatusBadRequest, "bad_request", msg)
		} else {
			http.Error(w, msg, http.StatusBadRequest)
		}
		return alerts.Stored{}, false
	}
	a, err := h.cfg.Alerts.Get(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		msg := fmt.Sprintf("alert %q not found", clipText(id, 64))
		if api {
			h.apiFail(w, r, http.StatusNotFound, "not_found", msg)
		} else {
			http.Error(w, msg, http.StatusNotFound)
		}
		return alerts.Stored{}, false
	case err != nil:
		h.fail(w, r, api, "read alert", err)
		return alerts.Stored{}, false
	}
	return a, true
}

func (h *Handler) alertView(r *http.Request, a alerts.Stored) (alertPage, error) {
	p := alertPage{Title: h.cfg.Title, Root: "../", Who: h.viewerOf(r), A: h.alertRowOf(a), Rules: h.cfg.Alerts.Rules(),
		MaxDays: maxSuppressDays, SentAt: stampOf(a.SentAt, "not sent")}
	for _, c := range a.Cites {
		p.Evidence = append(p.Evidence, riskEvidence{Bits: fmt.Sprintf("%+.1f", c.Bits), Detector: c.Evidence.Detector,
			Provenance: c.Evidence.Provenance, Explanation: c.Evidence.Explanation})
	}
	if h.cfg.CaseStore != nil && p.Who.Cases {
		cs, err := h.cfg.CaseStore.Cases(r.Context(), store.CaseFilter{Subject: store.CaseSubject{Kind: a.Subject.Kind, ID: a.Subject.ID}, AlertID: a.ID, Limit: 100})
		if err != nil {
			return p, err
		}
		for _, c := range cs {
			p.Cases = append(p.Cases, caseRowOf(c))
		}
	}
	return p, nil
}

func (h *Handler) serveAlert(w http.ResponseWriter, r *http.Request) {
	a, ok := h.alertOf(w, r, false)
	if !ok {
		return
	}
	p, err := h.alertView(r, a)
	if err != nil {
		h.fail(w, r, false, "list the alert's cases", err)
		return
	}
	h.render(w, r, "alert.html", p)
}

// postAlertCase opens a case from the alert, with its cited evidence, or
// finds the one already open, and sends the browser to it.
func (h *Handler) postAlertCase(w http.ResponseWriter, r *http.Request) {
	a, ok := h.alertOf(w, r, false)
	if !ok {
		return
	}
	c, err := h.cfg.Cases.OpenFromAlert(r.Context(), actorOf(r), a.Alert)
	if err != nil {
		h.fail(w, r, false, "open case from alert", err)
		return
	}
	// Relative to /alerts/{id}/case.
	seeOther(w, "../../cases/"+strconv.FormatInt(c.ID, 10))
}

func (h *Handler) apiAlertCase(w http.ResponseWriter, r *http.Request) {
	a, ok := h.alertOf(w, r, true)
	if !ok {
		return
	}
	c, err := h.cfg.Cases.OpenFromAlert(r.Context(), actorOf(r), a.Alert)
	if err != nil {
		h.fail(w, r, true, "open case from alert", err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"case_id": c.ID, "status": c.Status, "alert_id": c.AlertID})
}

// postSuppress silences the alert's rule (field rule: the rule's name, or
// "*" for every rule) for its subject for some days (field days, 1 to
// maxSuppressDays) with a reason (field reason, required).
func (h *Handler) postSuppress(w http.ResponseWriter, r *http.Request) {
	a, ok := h.alertOf(w, r, false)
	if !ok {
		return
	}
	if !h.parseForm(w, r, "suppression form") {
		return
	}
	rule := r.PostForm.Get("rule")
	if rule == "*" {
		rule = ""
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	var ferr error
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	switch {
	case err != nil || days < 1 || days > maxSuppressDays:
		ferr = fmt.Errorf("days: want a whole number from 1 to %d, not %q", maxSuppressDays, clipText(r.PostForm.Get("days"), 32))
	case reason == "":
		ferr = errors.New("reason: required: say why these alerts should be silenced")
	default:
		ferr = h.cfg.Alerts.Suppress(r.Context(), actorOf(r), a.Subject, rule, reason, time.Now().Add(time.Duration(days)*24*time.Hour))
	}
	if ferr != nil {
		p, err := h.alertView(r, a)
		if err != nil {
			h.fail(w, r, false, "list the alert's cases", err)
			return
		}
		p.Error = ferr.Error()
		w.WriteHeader(http.StatusBadRequest)
		h.render(w, r, "alert.html", p)
		return
	}
	// Relative to /alerts/{id}/suppress.
	seeOther(w, "../../alerts")
}

func (h *Handler) apiAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := alertsPageSize
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxAlertList {
			h.apiFail(w, r, http.StatusBadRequest, "bad_request", fmt.Sprintf("limit: want 1 to %d, not %q", store.MaxAlertList, clipText(s, 32)))
			return
		}
		limit = n
	}
	var subj risk.Subject
	if s := q.Get("subject"); s != "" {
		kind, id, _ := strings.Cut(s, ":")
		subj = risk.Subject{Kind: kind, ID: id}
		if err := subj.Validate(); err != nil {
			h.apiFail(w, r, http.StatusBadRequest, "bad_request", fmt.Sprintf("subject: want kind:id: %v", err))
			return
		}
	}
	as, err := h.cfg.Alerts.Newest(r.Context(), subj, limit)
	if err != nil {
		h.fail(w, r, true, "list alerts", err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, as)
}

func (h *Handler) apiAlert(w http.ResponseWriter, r *http.Request) {
	a, ok := h.alertOf(w, r, true)
	if !ok {
		return
	}
	h.writeJSON(w, r, http.StatusOK, a)
}

// overview is the overview's risk and alert panels.
type overview struct {
	Alerts []alertRow
	Risks  []riskRow
	// HasAlerts and HasRisks say whether the panels are served at all.
	HasAlerts, HasRisks bool
}

// overviewOf reads the newest alerts and the riskiest workers for the
// overview, for a viewer who may see them.
func (h *Handler) overviewOf(ctx context.Context) (overview, error) {
	var o overview
	if h.cfg.Alerts != nil {
		o.HasAlerts = true
		as, err := h.cfg.Alerts.Newest(ctx, risk.Subject{}, overviewAlerts)
		if err != nil {
			return o, err
		}
		for _, a := range as {
			o.Alerts = append(o.Alerts, h.alertRowOf(a))
		}
	}
	if h.cfg.Risks != nil {
		o.HasRisks = true
		rs, err := h.cfg.Risks(ctx)
		if err != nil {
			return o, err
		}
		for _, rk := range rs[:min(len(rs), overviewRisks)] {
			o.Risks = append(o.Risks, h.linkedRowOf(rk))
		}
	}
	return o, nil
}
