package web

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/latency"
)

//go:embed templates/*.html static/style.css
var assets embed.FS

// Config configures a [Handler].
type Config struct {
	// Verdicts returns the verdicts to show. It is called once per
	// dashboard or API request, with the request's context. Required.
	Verdicts func(ctx context.Context) ([]analyze.DeviceVerdict, error)
	// Logger receives the errors behind 500 responses. Nil discards them.
	Logger *slog.Logger
	// Title heads the dashboard; "lagwatch" when empty.
	Title string
	// IPCityCredit shows the "IP Geolocation by DB-IP" link that the DB-IP
	// Lite licence (CC BY 4.0) requires wherever its city data is used. Set
	// it when a city database is configured; the link also appears whenever
	// a shown location came from one.
	IPCityCredit bool
	// Applicants, when set, adds the applicant review queue, the ring view
	// and their API (see the package documentation).
	Applicants Applicants
	// Import, when set with Applicants, adds the import API.
	Import ImportFunc
	// Risks, when set, adds the risk page (/risk) and its API: every
	// worker's fused risk with the evidence behind it.
	Risks RisksFunc
	// RisksEvaluated, when set with Risks, tells the risk page when the
	// risks Risks returned were evaluated (zero for not known), for a
	// Risks that keeps an evaluation for a while (riskfeed.Memo).
	RisksEvaluated func() time.Time
	// Worker, when set, adds the worker page (/workers/{id}) and its API:
	// the worker's evidence file with plots, their risk when Risks is
	// set, and a button to open a case.
	Worker WorkerFunc
	// Auth, when set, requires a session for every route but the public
	// ones (/healthz, /static/, /login, /logout) and checks the user's role
	// against each route's permission (see [Handler.Routes]). It adds
	// GET and POST /login and POST /logout. Nil serves every route to
	// anyone, for a dashboard that listens on loopback only.
	Auth *auth.Authenticator
	// Cases, when set with CaseStore, adds the case pages (/cases and
	// below; see the package documentation). Nil serves no case routes.
	Cases *cases.Service
	// CaseStore is where the case pages read cases, notes and the audit
	// log, and record report exports; required with Cases.
	CaseStore CaseStore
	// Alerts, when set, adds the alert pages (/alerts and below) and their
	// API, and the newest alerts on the overview. With Cases, an alert
	// opens a case carrying its cited evidence.
	Alerts Alerts
	// ReportPDF, when set with Cases, adds the PDF export of the case
	// report (GET /cases/{id}/report.pdf). Nil serves no PDF export.
	ReportPDF ReportPDFFunc
}

// Handler serves the dashboard, the API and the health check; see the
// package documentation for its routes. It is safe for concurrent use.
type Handler struct {
	cfg  Config
	csrf *http.CrossOriginProtection
	log  *slog.Logger
	page *template.Template
	mux  *http.ServeMux
	// routes is every registered route; see [Handler.handle].
	routes []Route
}

// New returns a Handler serving cfg.Verdicts.
func New(cfg Config) (*Handler, error) {
	if cfg.Verdicts == nil {
		return nil, errors.New("web: Config.Verdicts is required")
	}
	if cfg.Cases != nil && cfg.CaseStore == nil {
		return nil, errors.New("web: Config.CaseStore is required with Config.Cases")
	}
	if cfg.Title == "" {
		cfg.Title = "lagwatch"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	page, err := template.New("").Funcs(template.FuncMap{"hasPrefix": strings.HasPrefix, "navOf": navOf}).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse dashboard template: %w", err)
	}
	h := &Handler{cfg: cfg, log: log, page: page, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	h.handle("GET /{$}", auth.ViewDevices, h.serveDashboard)
	h.handle("GET /api/v1/verdicts", auth.ViewDevices, h.serveVerdicts)
	h.handle("GET /healthz", "", serveHealth)
	h.handle("GET /static/style.css", "", serveStyle)
	if cfg.Auth != nil {
		h.handle("GET /login", "", h.serveLogin)
		h.handle("POST /login", "", h.postLogin)
		h.handle("POST /logout", "", h.postLogout)
	}
	if cfg.Applicants != nil {
		h.routeApplicants()
	}
	if cfg.Risks != nil {
		h.routeRisks()
	}
	if cfg.Cases != nil {
		h.routeCases()
	}
	if cfg.Worker != nil {
		h.routeWorkers()
	}
	if cfg.Alerts != nil {
		h.routeAlerts()
	}
	return h, nil
}

// contentSecurityPolicy allows only same-origin resources: the pages have no
// scripts or inline styles, post forms only to themselves, and must not be
// framed.
const contentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ServeHTTP sets the security headers and routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	// Refuse cross-origin POSTs (a decision form submitted from another
	// site): the browser's Sec-Fetch-Site and Origin headers tell.
	if err := h.csrf.Check(r); err != nil {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) serveDashboard(w http.ResponseWriter, r *http.Request) {
	dvs, err := h.cfg.Verdicts(r.Context())
	if err != nil {
		h.fail(w, r, false, "list verdicts", err)
		return
	}
	p := newPage(h.cfg, h.viewerOf(r), sorted(dvs))
	if p.Over, err = h.overviewOf(r.Context()); err != nil {
		h.fail(w, r, false, "read alerts and risks", err)
		return
	}
	var buf bytes.Buffer
	if err := h.page.ExecuteTemplate(&buf, "index.html", p); err != nil {
		h.fail(w, r, false, "render dashboard", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

func (h *Handler) serveVerdicts(w http.ResponseWriter, r *http.Request) {
	dvs, err := h.cfg.Verdicts(r.Context())
	if err != nil {
		h.fail(w, r, true, "list verdicts", err)
		return
	}
	body, err := json.Marshal(apiVerdicts(sorted(dvs)))
	if err != nil {
		h.fail(w, r, true, "encode verdicts", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(body, '\n'))
}

func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func serveStyle(w http.ResponseWriter, r *http.Request) {
	http.ServeFileFS(w, r, assets, "static/style.css")
}

// apiError is the body of an API error response.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// fail logs err and answers 500 without revealing it. A request the client
// abandoned is logged at debug level only.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, api bool, msg string, err error) {
	level := slog.LevelError
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		level = slog.LevelDebug
	}
	h.log.Log(r.Context(), level, msg, "method", r.Method, "path", r.URL.Path, "err", err)
	if !api {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	var e apiError
	e.Error.Code = "internal"
	e.Error.Message = "internal server error"
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(append(body, '\n'))
}

// statusOrder orders statuses for display: strongest evidence against the
// claim first, then consistent, then no verdict.
var statusOrder = map[latency.Status]int{
	latency.Impossible:   0,
	latency.TooSlow:      1,
	latency.Inconsistent: 2,
	latency.Consistent:   3,
	latency.Insufficient: 4,
}

func orderOf(s latency.Status) int {
	if o, ok := statusOrder[s]; ok {
		return o
	}
	return len(statusOrder)
}

// sorted returns a copy of dvs in display order: by status (flagged first),
// then by worker ID and device ID.
func sorted(dvs []analyze.DeviceVerdict) []analyze.DeviceVerdict {
	out := slices.Clone(dvs)
	slices.SortStableFunc(out, func(a, b analyze.DeviceVerdict) int {
		return cmp.Or(
			cmp.Compare(orderOf(a.Verdict.Status), orderOf(b.Verdict.Status)),
			cmp.Compare(a.Worker.ID, b.Worker.ID),
			cmp.Compare(a.Device.ID, b.Device.ID),
		)
	})
	return out
}
