package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
)

// CaseStore is what the case pages read from a store besides what
// [cases.Service] does; store.Store and postgres.Store have it.
type CaseStore interface {
	Case(ctx context.Context, id int64) (store.Case, error)
	Cases(ctx context.Context, f store.CaseFilter) ([]store.Case, error)
	CaseNotes(ctx context.Context, id int64) ([]store.Note, error)
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
	RecordAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}

// ReportPDFFunc prints a case report page (an HTML document) to PDF.
type ReportPDFFunc func(ctx context.Context, html []byte) ([]byte, error)

// AuditReportExported is the audit action recorded when a case report is
// exported as PDF.
const AuditReportExported = "report.exported"

// DashboardActor is the actor recorded for case changes made while the
// dashboard runs without log-in.
const DashboardActor = "dashboard"

// casesPageSize is how many cases one page of the list shows.
const casesPageSize = 100

// casesPage is what templates/cases.html renders.
type casesPage struct {
	Title    string
	Root     string
	Who      viewer
	Status   string   // the status filter; "" for all
	Statuses []string // the filter's choices
	Kinds    []string // subject kinds for the open form
	Rows     []caseRow
	Next     string // query string of the next page; "" when none
	Error    string
	Form     openForm // what was posted, shown again after an error
}

type openForm struct{ Kind, SubjectID, Title, Reason string }

type caseRow struct {
	ID       int64
	Title    string
	Subject  string
	Badge    badge
	Assignee string
	Opened   stamp
	Updated  stamp
}

// casePage is what templates/case.html renders.
type casePage struct {
	Title       string
	Root        string
	Who         viewer
	C           store.Case
	Badge       badge
	Opened      stamp
	Updated     stamp
	Closed      stamp
	Timeline    []timelineRow
	Notes       []noteRow
	Next        []string // statuses the case may move to
	Resolutions []string
	PDF         bool // the PDF export is served
	Error       string
}

type timelineRow struct {
	At     stamp
	Kind   string // cases.ItemEvidence, ItemNote or ItemAudit
	What   string // detector, "note" or audit action
	Text   string
	Source string // provenance, author or actor
	Refs   []string
}

type noteRow struct {
	At           stamp
	Author, Text string
}

func caseBadge(status string) badge {
	switch status {
	case store.CaseOpen:
		return badge{Class: "warn", Label: status}
	case store.CaseInvestigating, store.CaseEscalated:
		return badge{Class: "bad", Label: status}
	case store.CaseClosed:
		return badge{Class: "ok", Label: status}
	}
	return badge{Class: "none", Label: status}
}

func (h *Handler) routeCases() {
	h.handle("GET /cases", auth.ViewCases, h.serveCases)
	h.handle("POST /cases", auth.WorkCases, h.postCase)
	h.handle("GET /cases/{id}", auth.ViewCases, h.serveCase)
	h.handle("POST /cases/{id}/assign", auth.WorkCases, h.postAssign)
	h.handle("POST /cases/{id}/status", auth.WorkCases, h.postStatus)
	h.handle("POST /cases/{id}/notes", auth.WorkCases, h.postNote)
	h.handle("GET /cases/{id}/report", auth.ViewCases, h.serveReport)
	if h.cfg.ReportPDF != nil {
		h.handle("GET /cases/{id}/report.pdf", auth.ViewCases, h.serveReportPDF)
	}
}

// actorOf is who a case change is recorded as: the signed-in user when
// auth is on, else DashboardActor.
func actorOf(r *http.Request) string {
	if id, ok := auth.IdentityFrom(r.Context()); ok {
		return id.Name
	}
	return DashboardActor
}

func (h *Handler) casesView(r *http.Request) (casesPage, int, error) {
	q := r.URL.Query()
	p := casesPage{Title: h.cfg.Title, Who: h.viewerOf(r), Status: q.Get("status"), Statuses: store.CaseStatuses, Kinds: store.SubjectKinds,
		Form: openForm{Kind: store.SubjectWorker}}
	f := store.CaseFilter{Status: p.Status, Limit: casesPageSize}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return p, http.StatusBadRequest, fmt.Errorf("before %q: want a case ID above 0", clipText(b, 64))
		}
		f.Before = n
	}
	if err := f.Validate(); err != nil {
		return p, http.StatusBadRequest, err
	}
	cs, err := h.cfg.CaseStore.Cases(r.Context(), f)
	if err != nil {
		return p, http.StatusInternalServerError, err
	}
	for _, c := range cs {
		p.Rows = append(p.Rows, caseRowOf(c))
	}
	if len(cs) == casesPageSize {
		v := url.Values{"before": {strconv.FormatInt(cs[len(cs)-1].ID, 10)}}
		if p.Status != "" {
			v.Set("status", p.Status)
		}
		p.Next = v.Encode()
	}
	return p, http.StatusOK, nil
}

// caseRowOf is how a case is listed.
func caseRowOf(c store.Case) caseRow {
	return caseRow{ID: c.ID, Title: c.Title, Subject: c.Subject.String(), Badge: caseBadge(c.Status),
		Assignee: c.Assignee, Opened: stampOf(c.OpenedAt, ""), Updated: stampOf(c.UpdatedAt, "")}
}

func (h *Handler) serveCases(w http.ResponseWriter, r *http.Request) {
	p, code, err := h.casesView(r)
	switch {
	case code == http.StatusBadRequest:
		http.Error(w, "case list: "+err.Error(), code)
		return
	case err != nil:
		h.fail(w, r, false, "list cases", err)
		return
	}
	h.render(w, r, "cases.html", p)
}

// parseSubject reads "kind:id", e.g. "worker:w-1".
func parseSubject(s string) store.CaseSubject {
	kind, id, _ := strings.Cut(strings.TrimSpace(s), ":")
	return store.CaseSubject{Kind: kind, ID: id}
}

// postCase opens a case by hand from the case list's form (fields kind,
// subject_id, title, reason) or the risk page's button (field subject,
// "kind:id"), and sends the browser to the new case. An empty title
// becomes "Investigate kind:id".
func (h *Handler) postCase(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r, "case form") {
		return
	}
	f := openForm{Kind: r.PostForm.Get("kind"), SubjectID: strings.TrimSpace(r.PostForm.Get("subject_id")),
		Title: strings.TrimSpace(r.PostForm.Get("title")), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	subj := store.CaseSubject{Kind: f.Kind, ID: f.SubjectID}
	if s := r.PostForm.Get("subject"); s != "" {
		subj = parseSubject(s)
		f.Kind, f.SubjectID = subj.Kind, subj.ID
	}
	title := f.Title
	if title == "" && subj.Validate() == nil {
		title = "Investigate " + subj.String()
	}
	c := store.Case{Title: title, Subject: subj, OpenedBy: actorOf(r), Reason: f.Reason, OpenedAt: time.Now()}
	if err := c.Validate(); err != nil {
		p, code, lerr := h.casesView(r)
		if lerr != nil && code != http.StatusBadRequest {
			h.fail(w, r, false, "list cases", lerr)
			return
		}
		p.Error, p.Form = err.Error(), f
		w.WriteHeader(http.StatusBadRequest)
		h.render(w, r, "cases.html", p)
		return
	}
	// A worker's case starts with the evidence behind their current risk.
	var rk risk.Risk
	var ok bool
	if h.cfg.Risks != nil && subj.Kind == store.SubjectWorker {
		var err error
		if rk, ok, err = h.riskOf(r.Context(), risk.Worker(subj.ID)); err != nil {
			h.fail(w, r, false, "open case", err)
			return
		}
	}
	var err error
	if ok {
		c, err = h.cfg.Cases.OpenOnRisk(r.Context(), c.OpenedBy, rk, title, f.Reason)
	} else {
		c, err = h.cfg.Cases.OpenManual(r.Context(), c.OpenedBy, subj, title, f.Reason)
	}
	if err != nil {
		h.fail(w, r, false, "open case", err)
		return
	}
	// Relative to /cases, so that it works under a path prefix.
	seeOther(w, "cases/"+strconv.FormatInt(c.ID, 10))
}

func seeOther(w http.ResponseWriter, loc string) {
	w.Header().Set("Location", loc)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

const maxCaseFormBytes = 64 << 10 // bytes in a case form; notes are up to store.MaxCaseTextLen

func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request, what string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxCaseFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, fmt.Sprintf("%s: %v (at most %d bytes)", what, err, maxCaseFormBytes), http.StatusBadRequest)
		return false
	}
	return true
}

// caseID reads the {id} path value; on failure it answers and returns
// false.
func caseID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, fmt.Sprintf("case ID %q: want a number above 0", clipText(s, 64)), http.StatusBadRequest)
		return 0, false
	}
	return id, true
}

func (h *Handler) caseView(r *http.Request, id int64) (casePage, error) {
	ctx := r.Context()
	c, err := h.cfg.CaseStore.Case(ctx, id)
	if err != nil {
		return casePage{}, err
	}
	items, err := h.cfg.Cases.Timeline(ctx, id)
	if err != nil {
		return casePage{}, err
	}
	p := casePage{Title: h.cfg.Title, Root: "../", Who: h.viewerOf(r), C: c, Badge: caseBadge(c.Status),
		Opened: stampOf(c.OpenedAt, ""), Updated: stampOf(c.UpdatedAt, ""), Closed: stampOf(c.ClosedAt, ""),
		Next: store.CaseTransitions[c.Status], Resolutions: store.Resolutions, PDF: h.cfg.ReportPDF != nil}
	for _, it := range items {
		row := timelineRow{At: stampOf(it.At, ""), Kind: it.Kind}
		switch {
		case it.Evidence != nil:
			row.What, row.Text, row.Source, row.Refs = it.Evidence.Detector, it.Evidence.Explanation, it.Evidence.Provenance, it.Evidence.Refs
		case it.Note != nil:
			row.What, row.Text, row.Source = "note", it.Note.Text, it.Note.Author
			p.Notes = append(p.Notes, noteRow{At: row.At, Author: it.Note.Author, Text: it.Note.Text})
		case it.Audit != nil:
			row.What, row.Text, row.Source = it.Audit.Action, string(it.Audit.Detail), it.Audit.Actor
		}
		p.Timeline = append(p.Timeline, row)
	}
	return p, nil
}

func (h *Handler) serveCase(w http.ResponseWriter, r *http.Request) {
	id, ok := caseID(w, r)
	if !ok {
		return
	}
	p, err := h.caseView(r, id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, fmt.Sprintf("no case %d", id), http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, false, "read case", err)
		return
	}
	h.render(w, r, "case.html", p)
}

// caseChange runs change for a case form and sends the browser back to
// the case page, or shows the page again with the error: 400 for what
// check rejects, 404 for an unknown case, 409 for a change the case's
// current state does not allow.
func (h *Handler) caseChange(w http.ResponseWriter, r *http.Request, what string, check func(id int64) error, change func(id int64) error) {
	id, ok := caseID(w, r)
	if !ok || !h.parseForm(w, r, what+" form") {
		return
	}
	code, err := 0, check(id)
	if err != nil {
		code = http.StatusBadRequest
	} else if err = change(id); err != nil {
		switch {
		case errors.Is(err, store.ErrNotFound):
			http.Error(w, fmt.Sprintf("no case %d", id), http.StatusNotFound)
			return
		case errors.Is(err, store.ErrConflict):
			code = http.StatusConflict
		default:
			h.fail(w, r, false, what, err)
			return
		}
	}
	if code == 0 {
		seeOther(w, "../"+strconv.FormatInt(id, 10))
		return
	}
	p, verr := h.caseView(r, id)
	if errors.Is(verr, store.ErrNotFound) {
		http.Error(w, fmt.Sprintf("no case %d", id), http.StatusNotFound)
		return
	}
	if verr != nil {
		h.fail(w, r, false, "read case", verr)
		return
	}
	p.Error = what + ": " + err.Error()
	w.WriteHeader(code)
	h.render(w, r, "case.html", p)
}

func (h *Handler) postAssign(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	var assignee string
	h.caseChange(w, r, "assign", func(int64) error {
		assignee = strings.TrimSpace(r.PostForm.Get("assignee"))
		return store.ValidateAssign(assignee, actor, time.Now())
	}, func(id int64) error {
		_, err := h.cfg.Cases.Assign(r.Context(), actor, id, assignee)
		return err
	})
}

// postStatus moves a case to the posted status (with resolution when
// closing). Posting the status the case already has, with the same
// resolution, changes nothing: a form sent twice is not an error.
func (h *Handler) postStatus(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	var ch store.StatusChange
	h.caseChange(w, r, "change status", func(int64) error {
		ch = store.StatusChange{Status: r.PostForm.Get("status"), Actor: actor, At: time.Now()}
		if ch.Status == store.CaseClosed {
			ch.Resolution = r.PostForm.Get("resolution")
		}
		return ch.Validate()
	}, func(id int64) error {
		c, err := h.cfg.CaseStore.Case(r.Context(), id)
		if err != nil {
			return err
		}
		if c.Status == ch.Status && c.Resolution == ch.Resolution {
			return nil
		}
		_, err = h.cfg.Cases.Transition(r.Context(), actor, id, ch.Status, ch.Resolution)
		return err
	})
}

func (h *Handler) postNote(w http.ResponseWriter, r *http.Request) {
	actor := actorOf(r)
	var text string
	h.caseChange(w, r, "add note", func(id int64) error {
		text = strings.TrimSpace(r.PostForm.Get("text"))
		return store.Note{CaseID: id, Author: actor, Text: text, At: time.Now()}.Validate()
	}, func(id int64) error {
		_, err := h.cfg.Cases.Note(r.Context(), actor, id, text)
		return err
	})
}

// reportOf builds the report model of case id: the case's fields, its
// subject, its evidence as the timeline, its notes and audit trail and,
// when [Config.Risks] is set and the subject is a worker, the worker's
// current fused risk and, when [Config.Worker] is set, the worker's
// evidence file: devices, RTT series, map, input provenance and operator
// delay, as of now.
func (h *Handler) reportOf(ctx context.Context, id int64) (report.Case, store.Case, error) {
	c, err := h.cfg.CaseStore.Case(ctx, id)
	if err != nil {
		return report.Case{}, c, err
	}
	notes, err := h.cfg.CaseStore.CaseNotes(ctx, id)
	if err != nil {
		return report.Case{}, c, fmt.Errorf("read notes of case %d: %w", id, err)
	}
	audit, err := h.cfg.CaseStore.Audit(ctx, store.AuditFilter{CaseID: id, Limit: report.MaxRows})
	if err != nil {
		return report.Case{}, c, fmt.Errorf("read audit of case %d: %w", id, err)
	}
	status := c.Status
	if c.Resolution != "" {
		status += " (" + c.Resolution + ")"
	}
	rc := report.Case{ID: strconv.FormatInt(id, 10), Title: c.Title, Status: status, Assignee: c.Assignee,
		Opened: c.OpenedAt, Generated: time.Now().UTC(), Summary: c.Reason}
	rc.Subject.ID = c.Subject.String()
	if c.Subject.Kind == store.SubjectWorker {
		rc.Subject.ID = c.Subject.ID
	}
	for _, e := range c.Evidence {
		rc.Timeline = append(rc.Timeline, report.Event{At: e.At, Kind: e.Detector, Text: e.Explanation, Source: e.Provenance, Refs: e.Refs})
	}
	for _, n := range notes {
		rc.Notes = append(rc.Notes, report.Note{At: n.At, Author: n.Author, Text: n.Text})
	}
	for _, a := range audit {
		rc.Audit = append(rc.Audit, report.AuditEntry{At: a.At, Actor: a.Actor, Action: a.Action, Detail: string(a.Detail)})
	}
	if h.cfg.Worker != nil && c.Subject.Kind == store.SubjectWorker {
		wc, err := h.cfg.Worker(ctx, c.Subject.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// The worker is gone; the case keeps its own records.
		case err != nil:
			return report.Case{}, c, fmt.Errorf("read evidence file of worker %s for case %d: %w", c.Subject.ID, id, err)
		default:
			rc.Subject, rc.RTT, rc.Map, rc.Provenance, rc.Operator = wc.Subject, wc.RTT, wc.Map, wc.Provenance, wc.Operator
			rc.IC3.Subject.Names = append(rc.IC3.Subject.Names, wc.Subject.Name)
			for _, d := range wc.Subject.Devices {
				if d.IP != "" && !slices.Contains(rc.IC3.Subject.IPs, d.IP) {
					rc.IC3.Subject.IPs = append(rc.IC3.Subject.IPs, d.IP)
				}
			}
		}
	}
	if h.cfg.Risks != nil && c.Subject.Kind == store.SubjectWorker {
		rs, err := h.cfg.Risks(ctx)
		if err != nil {
			return report.Case{}, c, fmt.Errorf("fuse risks for case %d: %w", id, err)
		}
		if i := slices.IndexFunc(rs, func(rk risk.Risk) bool { return rk.Subject == risk.Worker(c.Subject.ID) }); i >= 0 {
			rk := rs[i]
			rc.Risk = report.RiskSummary{Bits: rk.LogOdds, Probability: rk.Probability, Level: rk.Level}
			for _, k := range rk.Contributions {
				if k.Bits != 0 {
					rc.Risk.Contributions = append(rc.Risk.Contributions, report.Contribution{Detector: k.Evidence.Detector, Bits: k.Bits, Explanation: k.Evidence.Explanation})
				}
			}
		}
	}
	return rc, c, nil
}

// reportHTML renders case id's report; on failure it answers and returns
// false.
func (h *Handler) reportHTML(w http.ResponseWriter, r *http.Request) ([]byte, store.Case, bool) {
	id, ok := caseID(w, r)
	if !ok {
		return nil, store.Case{}, false
	}
	rc, c, err := h.reportOf(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, fmt.Sprintf("no case %d", id), http.StatusNotFound)
		return nil, c, false
	}
	var buf bytes.Buffer
	if err == nil {
		err = report.HTML(&buf, rc)
	}
	if err != nil {
		h.fail(w, r, false, "build case report", err)
		return nil, c, false
	}
	return buf.Bytes(), c, true
}

func (h *Handler) serveReport(w http.ResponseWriter, r *http.Request) {
	page, _, ok := h.reportHTML(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}

// serveReportPDF prints the case report with [Config.ReportPDF] and
// records an AuditReportExported entry by the actor, with the PDF's size
// and SHA-256, before sending it: an export that cannot be audited is not
// sent.
func (h *Handler) serveReportPDF(w http.ResponseWriter, r *http.Request) {
	page, c, ok := h.reportHTML(w, r)
	if !ok {
		return
	}
	pdf, err := h.cfg.ReportPDF(r.Context(), page)
	if err != nil {
		h.fail(w, r, false, "print case report", err)
		return
	}
	sum := sha256.Sum256(pdf)
	_, err = h.cfg.CaseStore.RecordAudit(r.Context(), store.AuditEntry{At: time.Now(), Actor: actorOf(r), Action: AuditReportExported,
		CaseID: c.ID, Subject: c.Subject, Detail: store.AuditDetail(map[string]any{"format": "pdf", "bytes": len(pdf), "sha256": hex.EncodeToString(sum[:])})})
	if err != nil {
		h.fail(w, r, false, "record report export", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="case-%d.pdf"`, c.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pdf)
}

// clipText shortens s to at most n bytes for an error message.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
