package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

// applicantStore is a real SQLite store holding three screened applicants,
// two of them in a ring.
func applicantStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	result := func(score float64, level string, ev ...string) json.RawMessage {
		var items []map[string]any
		for _, e := range ev {
			items = append(items, map[string]any{"check": "shared.phone", "weight": score, "sentence": e})
		}
		b, _ := json.Marshal(map[string]any{"score": score, "level": level, "evidence": items})
		return b
	}
	shared := json.RawMessage(`[{"kind":"phone","value":"+16025550134","with":["p-2"]}]`)
	b := store.ApplicantBatch{ImportID: "imp-1", Source: "week1.csv", At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		Applicants: []store.StoredApplicant{
			{Applicant: hiring.Applicant{ID: "p-1", Name: "Persona <One>", Phones: []string{"(602) 555-0134"}}, Score: 7, Level: "high",
				Result: result(7, "high", "The phone number +16025550134 is also on applicant p-2."), Shared: shared},
			{Applicant: hiring.Applicant{ID: "p-2", Name: "Persona Two"}, Score: 4, Level: "review", Result: result(4, "review", "Shares a phone with p-1.")},
			{Applicant: hiring.Applicant{ID: "h-1", Name: "Honest Person"}, Score: 0, Level: "low", Result: result(0, "low")},
		}}
	if _, err := st.SaveApplicants(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if err := st.ReplaceRings(t.Context(), []store.StoredRing{{ID: "ring-abc", Members: []string{"p-1", "p-2"}, Shared: json.RawMessage(`[{"kind":"phone","value":"+16025550134","members":["p-1","p-2"],"linked":true}]`)}}); err != nil {
		t.Fatal(err)
	}
	return st
}

func noVerdicts(context.Context) ([]analyze.DeviceVerdict, error) { return nil, nil }

func TestApplicantPages(t *testing.T) {
	st := applicantStore(t)
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Applicants: st})

	resp, body := do(t, "GET", base+"/applicants")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /applicants = %d", resp.StatusCode)
	}
	i1, i2, i3 := strings.Index(body, "p-1"), strings.Index(body, "p-2"), strings.Index(body, "h-1")
	if i1 < 0 || i2 < i1 || i3 < i2 {
		t.Errorf("queue not ordered by score (p-1, p-2, h-1): %d %d %d", i1, i2, i3)
	}
	if !strings.Contains(body, escaped(t, "Persona <One>")) || strings.Contains(body, "Persona <One>") {
		t.Error("applicant name not escaped on the queue page")
	}
	_, body = do(t, "GET", base+"/applicants?level=high")
	if !strings.Contains(body, "p-1") || strings.Contains(body, "h-1") {
		t.Error("level=high filter shows the wrong applicants")
	}
	if resp, _ := do(t, "GET", base+"/applicants?undecided=maybe"); resp.StatusCode != 400 {
		t.Errorf("bad undecided parameter = %d, want 400", resp.StatusCode)
	}

	resp, body = do(t, "GET", base+"/applicants/p-1")
	if resp.StatusCode != 200 || !strings.Contains(body, escaped(t, "The phone number +16025550134 is also on applicant p-2.")) ||
		!strings.Contains(body, "ring-abc") || !strings.Contains(body, `name="outcome"`) {
		t.Errorf("applicant page lacks evidence, ring or decision form (status %d)", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", base+"/applicants/nobody"); resp.StatusCode != 404 {
		t.Errorf("unknown applicant = %d, want 404", resp.StatusCode)
	}

	resp, body = do(t, "GET", base+"/rings/ring-abc")
	if resp.StatusCode != 200 || !strings.Contains(body, "Persona Two") || !strings.Contains(body, escaped(t, "+16025550134")) {
		t.Errorf("ring page lacks members or shared details (status %d)", resp.StatusCode)
	}
	_, body = do(t, "GET", base+"/rings")
	if !strings.Contains(body, "ring-abc") {
		t.Error("ring list lacks ring-abc")
	}
}

func postForm(t *testing.T, u string, form url.Values, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestDecisionForm(t *testing.T) {
	st := applicantStore(t)
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Applicants: st})
	u := base + "/applicants/p-1/decision"

	resp := postForm(t, u, url.Values{"outcome": {"escalate"}, "reviewer": {"rita"}, "note": {"same phone as p-2"}}, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "../p-1" {
		t.Fatalf("decision POST = %d to %q, want 303 to ../p-1", resp.StatusCode, resp.Header.Get("Location"))
	}
	ds, err := st.Decisions(t.Context(), "p-1")
	if err != nil || len(ds) != 1 || ds[0].Outcome != "escalate" || ds[0].Reviewer != "rita" {
		t.Fatalf("stored decisions = %+v, %v", ds, err)
	}
	_, body := do(t, "GET", base+"/applicants/p-1")
	if !strings.Contains(body, "same phone as p-2") {
		t.Error("the decision does not show on the applicant page")
	}

	if resp := postForm(t, u, url.Values{"outcome": {"hire"}, "reviewer": {"rita"}}, ""); resp.StatusCode != 400 {
		t.Errorf("unknown outcome = %d, want 400", resp.StatusCode)
	}
	if resp := postForm(t, u, url.Values{"outcome": {"cleared"}}, ""); resp.StatusCode != 400 {
		t.Errorf("no reviewer = %d, want 400", resp.StatusCode)
	}
	if resp := postForm(t, u, url.Values{"outcome": {"cleared"}, "reviewer": {"mallory"}}, "https://evil.example"); resp.StatusCode != 403 {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
	if resp := postForm(t, base+"/applicants/nobody/decision", url.Values{"outcome": {"cleared"}, "reviewer": {"rita"}}, ""); resp.StatusCode != 404 {
		t.Errorf("decision on unknown applicant = %d, want 404", resp.StatusCode)
	}
	if ds, _ := st.Decisions(t.Context(), "p-1"); len(ds) != 1 {
		t.Errorf("refused decisions were stored: %+v", ds)
	}
}

func TestApplicantAPI(t *testing.T) {
	st := applicantStore(t)
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Applicants: st})

	_, body := do(t, "GET", base+"/api/v1/applicants?limit=2")
	var q struct {
		Applicants []struct {
			ID    string  `json:"id"`
			Score float64 `json:"score"`
		} `json:"applicants"`
		Next *string `json:"next"`
	}
	if err := json.Unmarshal([]byte(body), &q); err != nil {
		t.Fatal(err)
	}
	if len(q.Applicants) != 2 || q.Applicants[0].ID != "p-1" || q.Next == nil {
		t.Fatalf("first page = %s", body)
	}
	_, body = do(t, "GET", base+"/api/v1/applicants?limit=2&"+*q.Next)
	if !strings.Contains(body, `"h-1"`) || strings.Contains(body, `"p-1"`) {
		t.Errorf("second page = %s, want only h-1", body)
	}

	post := func(id, body, ctype string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/api/v1/applicants/"+id+"/decisions", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post("p-2", `{"outcome":"rejected","reviewer":"sam","note":"ring"}`, "application/json"); c != 201 {
		t.Errorf("API decision = %d, want 201", c)
	}
	if c := post("p-2", `{"outcome":"rejected","reviewer":"sam","extra":1}`, "application/json"); c != 400 {
		t.Errorf("unknown field = %d, want 400", c)
	}
	if c := post("p-2", `outcome=rejected`, "application/x-www-form-urlencoded"); c != 415 {
		t.Errorf("form body on the API = %d, want 415", c)
	}
	if c := post("zz", `{"outcome":"rejected","reviewer":"sam"}`, "application/json"); c != 404 {
		t.Errorf("unknown applicant = %d, want 404", c)
	}
	_, body = do(t, "GET", base+"/api/v1/applicants/p-2")
	if !strings.Contains(body, `"outcome":"rejected"`) || !strings.Contains(body, `"ring_id":"ring-abc"`) {
		t.Errorf("applicant API = %s", body)
	}
	_, body = do(t, "GET", base+"/api/v1/rings")
	if !strings.Contains(body, `"id":"ring-abc"`) {
		t.Errorf("rings API = %s", body)
	}
	if resp, _ := do(t, "GET", base+"/api/v1/rings/none"); resp.StatusCode != 404 {
		t.Errorf("unknown ring = %d, want 404", resp.StatusCode)
	}
}

func TestImportAPI(t *testing.T) {
	st := applicantStore(t)
	var got struct {
		name, layout string
		n            int
	}
	imp := func(_ context.Context, name string, data []byte, layout string) (any, error) {
		if strings.HasPrefix(string(data), "bad") {
			return nil, &hiring.RecordError{Source: name, Err: errBad}
		}
		got.name, got.layout, got.n = name, layout, len(data)
		return map[string]int{"imported": 1}, nil
	}
	base, _ := serve(t, web.Config{Verdicts: noVerdicts, Applicants: st, Import: imp})
	send := func(q, body string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/api/v1/applicants/import?"+q, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if c, b := send("name=a.csv&layout=lever", "id,name\n1,x\n"); c != 200 || got.name != "a.csv" || got.layout != "lever" || !strings.Contains(b, `"imported":1`) {
		t.Errorf("import = %d %s, got %+v", c, b, got)
	}
	if c, _ := send("name=../etc/passwd", "x"); c != 400 {
		t.Errorf("name with a slash = %d, want 400", c)
	}
	if c, b := send("name=b.csv", "bad file"); c != 400 || !strings.Contains(b, "b.csv") {
		t.Errorf("unusable file = %d %s, want 400 naming it", c, b)
	}
}

var errBad = &badErr{}

type badErr struct{}

func (*badErr) Error() string { return "header lacks an id, name or e-mail column" }
