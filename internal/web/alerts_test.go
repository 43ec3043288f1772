package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// seedAlerts raises the default rules' alerts on fixedRisks and stores
// them in st as package alerts does, returning them.
func seedAlerts(t *testing.T, st *store.Store) []risk.Alert {
	t.Helper()
	rs, err := fixedRisks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	al, err := risk.NewAlerter(risk.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	raised := al.Evaluate(rs, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	if len(raised) == 0 {
		t.Fatal("fixedRisks raise no alert")
	}
	var rows []store.Alert
	for _, a := range raised {
		body, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, store.Alert{ID: a.ID, SubjectKind: a.Subject.Kind, SubjectID: a.Subject.ID, Rule: a.Rule, Level: a.Level,
			At: a.At, LogOdds: a.LogOdds, Summary: a.Summary, Body: body})
	}
	state, err := json.Marshal(al.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveAlerts(t.Context(), state, rows); err != nil {
		t.Fatal(err)
	}
	return raised
}

func alertService(t *testing.T, st *store.Store) *alerts.Service {
	t.Helper()
	s, err := alerts.New(t.Context(), st, alerts.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAlertPages(t *testing.T) {
	st := applicantStore(t)
	raised := seedAlerts(t, st)
	first := raised[0]
	svc := cases.New(st, nil)
	base, logs := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks, Worker: fixedWorker, Alerts: alertService(t, st), Cases: svc, CaseStore: st})

	// The overview lists the newest alerts and the riskiest workers.
	resp, body := do(t, "GET", base+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="newest-alerts"`) || !strings.Contains(body, `href="alerts/`+first.ID+`"`) ||
		!strings.Contains(body, `id="top-risks"`) || !strings.Contains(body, `href="workers/w-farm"`) {
		t.Fatalf("overview = %d without the newest alerts and workers by risk:\n%s", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", base+"/alerts")
	if resp.StatusCode != 200 || strings.Count(body, `href="alerts/risk-`) != len(raised) {
		t.Fatalf("GET /alerts = %d, want %d alerts listed:\n%s", resp.StatusCode, len(raised), body)
	}
	// The alert page cites its evidence, escaped.
	resp, body = do(t, "GET", base+"/alerts/"+first.ID)
	if resp.StatusCode != 200 || !strings.Contains(body, "latency.too-slow") || !strings.Contains(body, "Too slow for &lt;Phoenix&gt;") ||
		!strings.Contains(body, `action="../alerts/`+first.ID+`/case"`) {
		t.Fatalf("alert page = %d without its cited evidence or the case button:\n%s", resp.StatusCode, body)
	}
	if resp, _ := do(t, "GET", base+"/alerts/risk-999"); resp.StatusCode != 404 {
		t.Errorf("GET unknown alert = %d, want 404; log:\n%s", resp.StatusCode, logs.String())
	}

	// Opening a case from the alert carries its evidence; opening again
	// finds the same case.
	c := client(t)
	var ids []string
	for range 2 {
		resp, err := c.PostForm(base+"/alerts/"+first.ID+"/case", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "../../cases/") {
			t.Fatalf("POST case from alert = %d, Location %q; want 303 to the case", resp.StatusCode, loc)
		}
		ids = append(ids, strings.TrimPrefix(loc, "../../cases/"))
	}
	if ids[0] != ids[1] {
		t.Errorf("opening a case from the same alert twice gave cases %s and %s, want one", ids[0], ids[1])
	}
	cs, err := st.Cases(t.Context(), store.CaseFilter{})
	if err != nil || len(cs) != 1 || cs[0].AlertID != first.ID || cs[0].Subject.ID != first.Subject.ID {
		t.Fatalf("cases = %+v, %v; want one from %s", cs, err, first.ID)
	}
	full, err := st.Case(t.Context(), cs[0].ID)
	if err != nil || len(full.Evidence) != len(first.Cites) {
		t.Fatalf("case evidence = %d items, %v; want the alert's %d cites", len(full.Evidence), err, len(first.Cites))
	}
	if _, body := do(t, "GET", base+"/alerts/"+first.ID); !strings.Contains(body, `href="../cases/`+ids[0]+`"`) {
		t.Errorf("alert page does not link its case %s:\n%s", ids[0], body)
	}

	// Suppression: bad fields are named; a good one is listed and audited.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"rule": {"*"}, "days": {"0"}, "reason": {"x"}}, "days: want a whole number from 1 to 365"},
		{url.Values{"rule": {"*"}, "days": {"400"}, "reason": {"x"}}, "days: want a whole number from 1 to 365"},
		{url.Values{"rule": {"*"}, "days": {"7"}, "reason": {" "}}, "reason: required"},
		{url.Values{"rule": {"no-such-rule"}, "days": {"7"}, "reason": {"x"}}, `rule &#34;no-such-rule&#34;`},
	} {
		resp, err := c.PostForm(base+"/alerts/"+first.ID+"/suppress", tc.form)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("suppress %v = %d, want 400 naming %q:\n%s", tc.form, resp.StatusCode, tc.want, body)
		}
	}
	resp, err = c.PostForm(base+"/alerts/"+first.ID+"/suppress", url.Values{"rule": {"*"}, "days": {"7"}, "reason": {"verified <in person>"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suppress = %d, want 303", resp.StatusCode)
	}
	if _, body := do(t, "GET", base+"/alerts"); !strings.Contains(body, "verified &lt;in person&gt;") {
		t.Errorf("alert list does not show the suppression:\n%s", body)
	}
	log, err := st.Audit(t.Context(), store.AuditFilter{Action: alerts.AuditAlertSuppressed})
	if err != nil || len(log) != 1 || log[0].Actor != web.DashboardActor {
		t.Errorf("audit of the suppression = %+v, %v; want one by %s", log, err, web.DashboardActor)
	}

	// API.
	resp, body = do(t, "GET", base+"/api/v1/alerts?subject=worker:w-farm&limit=1")
	var list []alerts.Stored
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 || list[0].Subject != first.Subject || len(list[0].Cites) == 0 {
		t.Errorf("GET /api/v1/alerts = %d %s, want w-farm's newest alert with its cites", resp.StatusCode, body)
	}
	for q, want := range map[string]string{"limit=0": "limit: want 1 to", "limit=x": "limit", "subject=martian:x": "subject"} {
		if resp, body := do(t, "GET", base+"/api/v1/alerts?"+q); resp.StatusCode != 400 || !strings.Contains(body, want) {
			t.Errorf("GET /api/v1/alerts?%s = %d %s, want 400 naming %q", q, resp.StatusCode, body, want)
		}
	}
	if resp, body := do(t, "GET", base+"/api/v1/alerts/"+first.ID); resp.StatusCode != 200 || !strings.Contains(body, `"rule":"`+first.Rule+`"`) {
		t.Errorf("GET /api/v1/alerts/%s = %d %s", first.ID, resp.StatusCode, body)
	}
	if resp, body := do(t, "POST", base+"/api/v1/alerts/"+first.ID+"/case"); resp.StatusCode != 200 || !strings.Contains(body, `"case_id":`+ids[0]) {
		t.Errorf("POST /api/v1/alerts/%s/case = %d %s, want the open case %s", first.ID, resp.StatusCode, body, ids[0])
	}
}

// TestWorkerPageListsAlerts checks that a worker's page lists their alerts.
func TestWorkerPageListsAlerts(t *testing.T) {
	st := applicantStore(t)
	raised := seedAlerts(t, st)
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Risks: fixedRisks, Worker: fixedWorker, Alerts: alertService(t, st)})
	resp, body := do(t, "GET", base+"/workers/w-farm")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="../alerts/`+raised[0].ID+`"`) {
		t.Fatalf("worker page = %d without a link to %s:\n%s", resp.StatusCode, raised[0].ID, body)
	}
}
