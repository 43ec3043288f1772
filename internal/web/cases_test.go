package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// caseStore returns an empty SQLite store in a temporary directory.
func caseStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "cases.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fakePDF stands in for headless Chromium (tested in package report): it
// keeps the HTML it was given and answers a fixed PDF.
type fakePDF struct {
	mu   sync.Mutex
	html []byte
	err  error
}

func (f *fakePDF) print(_ context.Context, html []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.html = append([]byte(nil), html...)
	if f.err != nil {
		return nil, f.err
	}
	return []byte("%PDF-1.4\n% fake\n%%EOF\n"), nil
}

// post sends a same-origin form and returns the response and its body,
// without following redirects.
func post(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

func auditActions(t *testing.T, st *store.Store, id int64) []string {
	t.Helper()
	es, err := st.Audit(t.Context(), store.AuditFilter{CaseID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action+" by "+e.Actor)
	}
	return out
}

func TestCaseWorkflow(t *testing.T) {
	st := caseStore(t)
	pdf := &fakePDF{}
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks, Cases: cases.New(st, nil), CaseStore: st, ReportPDF: pdf.print})

	// Open a case by hand, as the risk page's button does.
	resp, body := post(t, base+"/cases", url.Values{"subject": {"worker:w-farm"}, "title": {"<b>Laptop farm</b> & co"}, "reason": {"Too slow for Phoenix."}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "cases/1" {
		t.Fatalf("POST /cases = %d, Location %q, want 303 to cases/1\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	c, err := st.Case(t.Context(), 1)
	if err != nil || c.Subject != (store.CaseSubject{Kind: "worker", ID: "w-farm"}) || c.OpenedBy != web.DashboardActor || c.Status != store.CaseOpen {
		t.Fatalf("case 1 = %+v, %v; want an open case on worker:w-farm opened by %s", c, err, web.DashboardActor)
	}
	// The list shows it, escaped; a status filter hides it.
	resp, body = do(t, "GET", base+"/cases")
	if resp.StatusCode != 200 || !strings.Contains(body, "&lt;b&gt;Laptop farm&lt;/b&gt; &amp; co") || strings.Contains(body, "<b>Laptop") || !strings.Contains(body, `href="cases/1"`) {
		t.Errorf("GET /cases = %d, want the case listed with its title escaped:\n%s", resp.StatusCode, body)
	}
	if _, body := do(t, "GET", base+"/cases?status=closed"); strings.Contains(body, `href="cases/1"`) {
		t.Errorf("GET /cases?status=closed lists the open case")
	}
	if resp, body := do(t, "GET", base+"/cases?status=bogus"); resp.StatusCode != 400 || !strings.Contains(body, "Status") {
		t.Errorf("GET /cases?status=bogus = %d %q, want 400 naming Status", resp.StatusCode, body)
	}
	// A bad subject is refused with the field named.
	if resp, body := post(t, base+"/cases", url.Values{"kind": {"planet"}, "subject_id": {"x"}}); resp.StatusCode != 400 || !strings.Contains(body, "Subject.Kind") {
		t.Errorf("POST /cases with kind planet = %d, want 400 naming Subject.Kind:\n%s", resp.StatusCode, body)
	}

	// Assign, note, investigate.
	steps := []struct {
		path string
		form url.Values
	}{
		{"/cases/1/assign", url.Values{"assignee": {"ana"}}},
		{"/cases/1/notes", url.Values{"text": {"<script>alert(1)</script> VPN exit in Lagos"}}},
		{"/cases/1/status", url.Values{"status": {"investigating"}, "resolution": {"ignored unless closing"}}},
	}
	for _, s := range steps {
		if resp, body := post(t, base+s.path, s.form); resp.StatusCode != 303 || resp.Header.Get("Location") != "../1" {
			t.Fatalf("POST %s = %d, Location %q; want 303 to ../1\n%s", s.path, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	for _, bad := range []struct {
		path string
		form url.Values
		code int
		want string
	}{
		{"/cases/1/notes", url.Values{"text": {"  "}}, 400, "Text is required"},
		{"/cases/1/status", url.Values{"status": {"closed"}}, 400, "Resolution"},
		{"/cases/1/status", url.Values{"status": {"done"}}, 400, "Status"},
		{"/cases/1/status", url.Values{"status": {"open"}}, 409, "cannot move"},
		{"/cases/99/notes", url.Values{"text": {"x"}}, 404, "no case 99"},
		{"/cases/x/assign", url.Values{"assignee": {"ana"}}, 400, "case ID"},
	} {
		if resp, body := post(t, base+bad.path, bad.form); resp.StatusCode != bad.code || !strings.Contains(body, bad.want) {
			t.Errorf("POST %s %v = %d, want %d with %q:\n%.2000s", bad.path, bad.form, resp.StatusCode, bad.code, bad.want, body)
		}
	}
	if resp, body := post(t, base+"/cases/1/status", url.Values{"status": {"closed"}, "resolution": {"confirmed-fraud"}}); resp.StatusCode != 303 {
		t.Fatalf("close case 1 = %d:\n%s", resp.StatusCode, body)
	}
	before := auditActions(t, st, 1)
	// The same form sent twice changes nothing; a different resolution
	// needs a reopen first.
	if resp, _ := post(t, base+"/cases/1/status", url.Values{"status": {"closed"}, "resolution": {"confirmed-fraud"}}); resp.StatusCode != 303 {
		t.Errorf("closing a closed case again = %d, want 303", resp.StatusCode)
	}
	if resp, _ := post(t, base+"/cases/1/status", url.Values{"status": {"closed"}, "resolution": {"false-positive"}}); resp.StatusCode != 409 {
		t.Errorf("re-closing with another resolution = %d, want 409", resp.StatusCode)
	}
	got := auditActions(t, st, 1)
	want := []string{"case.opened by dashboard", "case.assigned by dashboard", "case.note by dashboard", "case.status by dashboard", "case.status by dashboard"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") || len(before) != len(got) {
		t.Errorf("audit of case 1 = %q (before the repeats %q), want %q", got, before, want)
	}
	c, _ = st.Case(t.Context(), 1)
	if c.Status != store.CaseClosed || c.Resolution != store.ResolutionConfirmedFraud || c.Assignee != "ana" {
		t.Errorf("case 1 = %+v, want closed as confirmed-fraud, assigned to ana", c)
	}

	// The case page: timeline with the note and audit entries in order,
	// escaped; reopen is the only move offered.
	resp, body = do(t, "GET", base+"/cases/1")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /cases/1 = %d", resp.StatusCode)
	}
	i0, i1, i2 := strings.Index(body, "case.opened"), strings.Index(body, "&lt;script&gt;alert(1)&lt;/script&gt; VPN exit"), strings.Index(body, "case.status")
	if i0 < 0 || i1 < i0 || i2 < i1 || strings.Contains(body, "<script>") {
		t.Errorf("case page timeline: opened at %d, note at %d, status at %d; want them in that order, escaped:\n%s", i0, i1, i2, body)
	}
	for _, s := range []string{"worker:w-farm", "assigned to ana", "confirmed-fraud", `action="1/notes"`, `<option value="open">open</option>`, `href="1/report.pdf"`} {
		if !strings.Contains(body, s) {
			t.Errorf("case page lacks %q", s)
		}
	}
	if resp, _ := do(t, "GET", base+"/cases/99"); resp.StatusCode != 404 {
		t.Errorf("GET /cases/99 = %d, want 404", resp.StatusCode)
	}

	// The HTML report: title, notes (escaped), audit trail, the worker's risk.
	resp, body = do(t, "GET", base+"/cases/1/report")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /cases/1/report = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, s := range []string{"&lt;b&gt;Laptop farm&lt;/b&gt; &amp; co", "&lt;script&gt;alert(1)&lt;/script&gt; VPN exit in Lagos", "w-farm", "case.assigned", "latency.too-slow", "closed (confirmed-fraud)"} {
		if !strings.Contains(body, s) {
			t.Errorf("case report lacks %q", s)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>Laptop") {
		t.Errorf("case report has unescaped case text")
	}

	// The PDF export prints that report and records who exported it.
	resp, body = do(t, "GET", base+"/cases/1/report.pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-1.4") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `filename="case-1.pdf"`) {
		t.Fatalf("GET /cases/1/report.pdf = %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if !strings.Contains(string(pdf.html), "VPN exit in Lagos") {
		t.Errorf("ReportPDF was not given the case report")
	}
	es, err := st.Audit(t.Context(), store.AuditFilter{CaseID: 1, Action: web.AuditReportExported})
	if err != nil || len(es) != 1 || es[0].Actor != web.DashboardActor || es[0].Subject.ID != "w-farm" {
		t.Fatalf("report.exported entries = %+v, %v; want one by %s on w-farm", es, err, web.DashboardActor)
	}
	var d struct {
		Format, SHA256 string
		Bytes          int
	}
	if err := json.Unmarshal(es[0].Detail, &d); err != nil || d.Format != "pdf" || d.Bytes != len(body) || len(d.SHA256) != 64 {
		t.Errorf("report.exported detail = %s, want format pdf, %d bytes and a SHA-256", es[0].Detail, len(body))
	}
	if err := st.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	// A print that fails sends no PDF and records no export.
	pdf.err = errors.New("chromium crashed")
	if resp, _ := do(t, "GET", base+"/cases/1/report.pdf"); resp.StatusCode != 500 {
		t.Errorf("GET report.pdf with a failing printer = %d, want 500", resp.StatusCode)
	}
	if es, _ := st.Audit(t.Context(), store.AuditFilter{Action: web.AuditReportExported}); len(es) != 1 {
		t.Errorf("report.exported entries after a failed print = %d, want 1", len(es))
	}
}

// TestCaseEvidenceTimeline opens a case with an evidence snapshot, as
// from an alert, and checks that the page and the report show it.
func TestCaseEvidenceTimeline(t *testing.T) {
	st := caseStore(t)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	_, _, err := st.OpenCase(t.Context(), store.Case{Title: "laptop-farm: worker:w-9", Subject: store.CaseSubject{Kind: "worker", ID: "w-9"},
		OpenedBy: "alerts", OpenedAt: at.Add(time.Hour), AlertID: "a-1", Evidence: []store.CaseEvidence{{
			At: at, Detector: "latency.too-slow", Explanation: "Too slow for <Phoenix>: 210 ms.", Provenance: "server-measured", Refs: []string{"endpoint:d-1/b-9"}}}})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Cases: cases.New(st, nil), CaseStore: st})
	_, body := do(t, "GET", base+"/cases/1")
	ie, io := strings.Index(body, "Too slow for &lt;Phoenix&gt;: 210 ms."), strings.Index(body, "case.opened")
	if ie < 0 || io < ie || !strings.Contains(body, "endpoint:d-1/b-9") || !strings.Contains(body, "a-1") {
		t.Errorf("case page: evidence at %d, opening at %d; want the evidence (with its ref) before the opening:\n%s", ie, io, body)
	}
	if strings.Contains(body, "report.pdf") {
		t.Errorf("case page links a PDF export that is not served")
	}
	if resp, _ := do(t, "GET", base+"/cases/1/report.pdf"); resp.StatusCode != 404 {
		t.Errorf("GET report.pdf without Config.ReportPDF = %d, want 404", resp.StatusCode)
	}
	resp, body := do(t, "GET", base+"/cases/1/report")
	if resp.StatusCode != 200 || !strings.Contains(body, "Too slow for &lt;Phoenix&gt;: 210 ms.") || !strings.Contains(body, "laptop-farm: worker:w-9") {
		t.Errorf("case report = %d, want the evidence and the title", resp.StatusCode)
	}
}

// TestCasesSignedIn checks that changes are recorded as the signed-in
// user and that an auditor sees no forms.
func TestCasesSignedIn(t *testing.T) {
	base, _, st := authServer(t)
	an := client(t)
	login(t, an, base, "analyst")
	resp, err := an.PostForm(base+"/cases/1/notes", url.Values{"text": {"checked the VPN"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ns, err := st.CaseNotes(t.Context(), 1)
	if resp.StatusCode != 303 || err != nil || len(ns) != 1 || ns[0].Author != "analyst" {
		t.Fatalf("note as analyst = %d; notes %+v, %v; want one by analyst", resp.StatusCode, ns, err)
	}
	resp, err = an.PostForm(base+"/cases/1/status", url.Values{"status": {"investigating"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c, _ := st.Case(t.Context(), 1); c.Status != store.CaseInvestigating || c.Assignee != "analyst" {
		t.Errorf("after investigating as analyst: %+v, want investigating and assigned to analyst", c)
	}
	au := client(t)
	login(t, au, base, "auditor")
	resp, err = au.Get(base + "/cases/1")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || strings.Contains(body, "<form method=\"post\" action=\"1/") || !strings.Contains(body, "checked the VPN") {
		t.Errorf("case page as auditor = %d; want the notes and no change forms", resp.StatusCode)
	}
	resp, err = au.Get(base + "/cases/1/report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	es, _ := st.Audit(t.Context(), store.AuditFilter{Action: web.AuditReportExported})
	if resp.StatusCode != 200 || len(es) != 1 || es[0].Actor != "auditor" {
		t.Errorf("PDF export as auditor = %d, audit %+v; want one export by auditor", resp.StatusCode, es)
	}
	// The risk page offers "Open case" to those who work cases only.
	for role, want := range map[string]bool{"analyst": true, "auditor": false} {
		c := map[string]*http.Client{"analyst": an, "auditor": au}[role]
		resp, err := c.Get(base + "/risk")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if got := strings.Contains(body, `name="subject" value="worker:w-farm"`); got != want {
			t.Errorf("risk page as %s offers Open case: %v, want %v", role, got, want)
		}
		if got := strings.Contains(body, `href="cases"`); !got {
			t.Errorf("risk page as %s has no Cases link", role)
		}
	}
}

// FuzzCaseForms posts arbitrary case forms: every answer is a redirect or
// a 4xx naming the problem, never a 500 or a panic, and a case that was
// opened reads back with the posted subject.
func FuzzCaseForms(f *testing.F) {
	f.Add("worker:w-1", "title", "reason", "open", "1")
	f.Add("", "", "", "", "")
	f.Add("planet:x", "\x00", "\xff", "closed", "-1")
	f.Add("worker:", "t", "", "investigating", "99999999999999999999")
	f.Add(":::", strings.Repeat("t", 600), "r", "escalated", "0x1")
	st, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h, err := web.New(web.Config{Verdicts: noVerdicts, Cases: cases.New(st, nil), CaseStore: st})
	if err != nil {
		f.Fatal(err)
	}
	send := func(t *testing.T, path string, form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %v = %d: %s", path, form, rec.Code, rec.Body)
		}
		return rec
	}
	f.Fuzz(func(t *testing.T, subject, title, reason, status, id string) {
		rec := send(t, "/cases", url.Values{"subject": {subject}, "title": {title}, "reason": {reason}})
		if rec.Code == 303 {
			n, err := strconv.ParseInt(strings.TrimPrefix(rec.Header().Get("Location"), "cases/"), 10, 64)
			if err != nil {
				t.Fatalf("Location %q", rec.Header().Get("Location"))
			}
			c, err := st.Case(t.Context(), n)
			if err != nil || c.Subject.String() != strings.TrimSpace(subject) {
				t.Fatalf("case %d = %+v, %v; want subject %q", n, c, err, subject)
			}
		}
		send(t, "/cases/"+url.PathEscape(id)+"/status", url.Values{"status": {status}, "resolution": {reason}})
		send(t, "/cases/"+url.PathEscape(id)+"/notes", url.Values{"text": {title}})
		send(t, "/cases/"+url.PathEscape(id)+"/assign", url.Values{"assignee": {reason}})
	})
}
