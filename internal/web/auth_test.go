package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/auth"
	"github.com/lagwatch/lagwatch/internal/cases"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/web"
)

const testPassword = "correct horse battery"

// authServer serves every route (applicants and import on) with auth, on a
// store holding one user per role, named after the role.
func authServer(t *testing.T) (string, *web.Handler, *store.Store) {
	t.Helper()
	st := applicantStore(t)
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range auth.Roles {
		if err := st.PutUser(t.Context(), store.User{Name: string(r), Role: string(r), PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := auth.New(auth.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	imp := func(context.Context, string, []byte, string) (any, error) { return map[string]int{"imported": 0}, nil }
	svc := cases.New(st, nil)
	if _, err := svc.OpenManual(t.Context(), "admin", store.CaseSubject{Kind: "worker", ID: "w-farm"}, "case 1", ""); err != nil {
		t.Fatal(err)
	}
	pdf := func(context.Context, []byte) ([]byte, error) { return []byte("%PDF-1.4\n"), nil }
	if raised := seedAlerts(t, st); raised[0].ID != "risk-1" {
		t.Fatalf("first seeded alert is %s, want risk-1", raised[0].ID)
	}
	h, err := web.New(web.Config{Verdicts: noVerdicts, Applicants: st, Import: imp, Auth: a, Risks: fixedRisks, Worker: fixedWorker,
		Cases: svc, CaseStore: st, ReportPDF: pdf, Alerts: alertService(t, st)})
	if err != nil {
		t.Fatal(err)
	}
	return newHTTPTest(t, h), h, st
}

// client returns a client that keeps cookies and does not follow redirects.
func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs c in as name and fails the test unless it worked.
func login(t *testing.T, c *http.Client, base, name string) {
	t.Helper()
	resp, err := c.PostForm(base+"/login", url.Values{"name": {name}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in as %s = %d, want 303", name, resp.StatusCode)
	}
}

// access is the permission table the routes must follow: pattern → the
// roles allowed, or nil for a public route. It is written out here rather
// than derived from package auth so that a change to either shows.
var access = map[string][]auth.Role{
	"GET /{$}":                               {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /api/v1/verdicts":                   {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /healthz":                           nil,
	"GET /static/style.css":                  nil,
	"GET /login":                             nil,
	"POST /login":                            nil,
	"POST /logout":                           nil,
	"GET /applicants":                        {auth.Admin, auth.Analyst, auth.HR, auth.Auditor},
	"GET /applicants/{id}":                   {auth.Admin, auth.Analyst, auth.HR, auth.Auditor},
	"POST /applicants/{id}/decision":         {auth.Admin, auth.HR},
	"GET /rings":                             {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /rings/{id}":                        {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /api/v1/applicants":                 {auth.Admin, auth.Analyst, auth.HR, auth.Auditor},
	"GET /api/v1/applicants/{id}":            {auth.Admin, auth.Analyst, auth.HR, auth.Auditor},
	"POST /api/v1/applicants/{id}/decisions": {auth.Admin, auth.HR},
	"GET /api/v1/rings":                      {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /api/v1/rings/{id}":                 {auth.Admin, auth.Analyst, auth.Auditor},
	"POST /api/v1/applicants/import":         {auth.Admin, auth.HR},
	"GET /risk":                              {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /workers/{id}":                      {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /api/v1/workers/{id}":               {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /api/v1/risks":                      {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /cases":                             {auth.Admin, auth.Analyst, auth.Auditor},
	"POST /cases":                            {auth.Admin, auth.Analyst},
	"GET /cases/{id}":                        {auth.Admin, auth.Analyst, auth.Auditor},
	"POST /cases/{id}/assign":                {auth.Admin, auth.Analyst},
	"POST /cases/{id}/status":                {auth.Admin, auth.Analyst},
	"POST /cases/{id}/notes":                 {auth.Admin, auth.Analyst},
	"GET /cases/{id}/report":                 {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /cases/{id}/report.pdf":             {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /alerts":                            {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /alerts/{id}":                       {auth.Admin, auth.Analyst, auth.Auditor},
	"POST /alerts/{id}/case":                 {auth.Admin, auth.Analyst},
	"POST /alerts/{id}/suppress":             {auth.Admin, auth.Analyst},
	"GET /api/v1/alerts":                     {auth.Admin, auth.Analyst, auth.Auditor},
	"GET /api/v1/alerts/{id}":                {auth.Admin, auth.Analyst, auth.Auditor},
	"POST /api/v1/alerts/{id}/case":          {auth.Admin, auth.Analyst},
}

// request builds a valid request for a route pattern.
func request(t *testing.T, base, pattern string) *http.Request {
	t.Helper()
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	if strings.HasPrefix(path, "/rings/") || strings.HasPrefix(path, "/api/v1/rings/") {
		path = strings.Replace(path, "{id}", "ring-abc", 1)
	}
	if strings.HasPrefix(path, "/workers/") || strings.HasPrefix(path, "/api/v1/workers/") {
		path = strings.Replace(path, "{id}", "w-farm", 1)
	}
	if strings.HasPrefix(path, "/alerts/") || strings.HasPrefix(path, "/api/v1/alerts/") {
		path = strings.Replace(path, "{id}", "risk-1", 1) // authServer stores alert risk-1
	}
	if strings.HasPrefix(path, "/cases/") {
		path = strings.Replace(path, "{id}", "1", 1) // authServer opens case 1
	}
	path = strings.Replace(path, "{id}", "p-1", 1)
	var body string
	ctype := ""
	switch pattern {
	case "POST /applicants/{id}/decision":
		body, ctype = url.Values{"outcome": {"escalate"}, "reviewer": {"form"}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /api/v1/applicants/{id}/decisions":
		body, ctype = `{"outcome":"cleared","reviewer":"claimed"}`, "application/json"
	case "POST /api/v1/applicants/import":
		path += "?name=a.csv"
		body = "id,name\n"
	case "POST /cases":
		body, ctype = url.Values{"subject": {"worker:w-1"}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /cases/{id}/assign":
		body, ctype = url.Values{"assignee": {"ana"}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /cases/{id}/status":
		body, ctype = url.Values{"status": {"investigating"}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /alerts/{id}/suppress":
		body, ctype = url.Values{"rule": {"*"}, "days": {"1"}, "reason": {"route test"}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /cases/{id}/notes":
		body, ctype = url.Values{"text": {"seen"}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /login":
		body, ctype = url.Values{"name": {"admin"}, "password": {testPassword}}.Encode(), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req
}

// TestRouteAccess requests every route the handler registers, without a
// session and as each role, and checks the answer against access.
func TestRouteAccess(t *testing.T) {
	base, h, _ := authServer(t)
	routes := h.Routes()
	var patterns []string
	for _, r := range routes {
		patterns = append(patterns, r.Pattern)
		if _, ok := access[r.Pattern]; !ok {
			t.Errorf("route %s is not in the test's access table: add it", r.Pattern)
		}
	}
	for p := range access {
		if !slices.Contains(patterns, p) {
			t.Errorf("access table lists %s, which web.New did not register", p)
		}
	}
	clients := map[auth.Role]*http.Client{}
	for _, r := range auth.Roles {
		clients[r] = client(t)
		login(t, clients[r], base, string(r))
	}
	for _, rt := range routes {
		allowed, known := access[rt.Pattern]
		if !known {
			continue
		}
		api := strings.Contains(rt.Pattern, "/api/")
		t.Run(rt.Pattern, func(t *testing.T) {
			resp, err := client(t).Do(request(t, base, rt.Pattern))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			switch {
			case allowed == nil:
				if resp.StatusCode == 401 || resp.StatusCode == 403 || strings.Contains(resp.Header.Get("Location"), "login") && rt.Pattern != "POST /logout" {
					t.Errorf("public %s without session = %d (Location %q), want served", rt.Pattern, resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			case api:
				var e struct{ Error struct{ Code string } }
				_ = json.NewDecoder(resp.Body).Decode(&e)
				if resp.StatusCode != 401 {
					t.Errorf("%s without session = %d, want 401", rt.Pattern, resp.StatusCode)
				}
			default:
				if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasSuffix(strings.SplitN(loc, "?", 2)[0], "login") || strings.HasPrefix(loc, "/") {
					t.Errorf("%s without session = %d, Location %q; want 303 to a relative login URL", rt.Pattern, resp.StatusCode, loc)
				}
			}
			for _, role := range auth.Roles {
				resp, err := clients[role].Do(request(t, base, rt.Pattern))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if slices.Contains(allowed, role) {
					if resp.StatusCode == 401 || resp.StatusCode == 403 || resp.StatusCode >= 400 {
						t.Errorf("%s as %s = %d, want allowed", rt.Pattern, role, resp.StatusCode)
					}
				} else if resp.StatusCode != 403 {
					t.Errorf("%s as %s = %d, want 403", rt.Pattern, role, resp.StatusCode)
				} else if api && resp.Header.Get("Content-Type") != "application/json" {
					t.Errorf("%s as %s: 403 with Content-Type %q, want JSON", rt.Pattern, role, resp.Header.Get("Content-Type"))
				}
			}
		})
	}
}

func TestAuthAPIErrorShape(t *testing.T) {
	base, _, _ := authServer(t)
	resp, err := http.Get(base + "/api/v1/verdicts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 401 || e.Error.Code != "unauthenticated" {
		t.Errorf("GET /api/v1/verdicts without session = %d %+v %v; want 401 code unauthenticated", resp.StatusCode, e, err)
	}
	c := client(t)
	login(t, c, base, "hr")
	resp, err = c.Get(base + "/api/v1/verdicts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 403 || e.Error.Code != "forbidden" {
		t.Errorf("GET /api/v1/verdicts as hr = %d %+v %v; want 403 code forbidden", resp.StatusCode, e, err)
	}
}

func TestLoginFlow(t *testing.T) {
	base, _, st := authServer(t)
	c := client(t)
	// A page redirects to the log-in page and comes back after.
	resp, err := c.Get(base + "/applicants/p-1?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if want := "../login?next=" + url.QueryEscape("applicants/p-1?x=1"); loc != want {
		t.Fatalf("GET /applicants/p-1 without session: Location %q, want %q", loc, want)
	}
	resp, body := do(t, "GET", base+"/login?next="+url.QueryEscape("applicants/p-1?x=1"))
	if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) || !strings.Contains(body, `value="applicants/p-1?x=1"`) {
		t.Errorf("GET /login = %d, want the form carrying next", resp.StatusCode)
	}
	// Wrong password and unknown user: the same answer.
	var bodies []string
	for _, name := range []string{"admin", "nobody"} {
		resp, err := c.PostForm(base+"/login", url.Values{"name": {name}, "password": {"wrong password!"}})
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 1<<16)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
			t.Errorf("log in as %s with a wrong password = %d with %d cookies, want 401 and none", name, resp.StatusCode, len(resp.Cookies()))
		}
		bodies = append(bodies, strings.ReplaceAll(string(b[:n]), name, ""))
	}
	if bodies[0] != bodies[1] {
		t.Errorf("log-in failure pages differ for a known and an unknown user")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"name": {"hr"}, "password": {testPassword}, "next": {"applicants/p-1?x=1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "./applicants/p-1?x=1" {
		t.Fatalf("log in = %d, Location %q; want 303 to ./applicants/p-1?x=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == auth.CookieName {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", ck)
	}
	// The page shows the user; the reviewer comes from the session.
	resp, err = c.Get(base + "/applicants/p-1")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if !strings.Contains(page, "Signed in as <strong>hr</strong> (hr)") || strings.Contains(page, `name="reviewer"`) {
		t.Errorf("applicant page as hr lacks the signed-in user or still asks for a reviewer")
	}
	resp, err = c.PostForm(base+"/applicants/p-1/decision", url.Values{"outcome": {"rejected"}, "reviewer": {"someone else"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ds, err := st.Decisions(t.Context(), "p-1")
	if err != nil || len(ds) != 1 || ds[0].Reviewer != "hr" {
		t.Errorf("decisions after the form = %+v, %v; want one by hr", ds, err)
	}
	// Log out: the session is gone server-side, not just the cookie.
	resp, err = c.Post(base+"/logout", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "login" {
		t.Errorf("POST /logout = %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/api/v1/applicants", nil)
	req.AddCookie(ck)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("old cookie after logout = %d, want 401", resp.StatusCode)
	}
	// A cross-origin log-in is refused.
	if resp := postForm(t, base+"/login", url.Values{"name": {"hr"}, "password": {testPassword}}, "https://evil.example"); resp.StatusCode != 403 {
		t.Errorf("cross-origin POST /login = %d, want 403", resp.StatusCode)
	}
}

func TestLoginRateLimited(t *testing.T) {
	base, _, _ := authServer(t)
	c := client(t)
	for i := range auth.DefaultMaxFailures {
		resp, err := c.PostForm(base+"/login", url.Values{"name": {"admin"}, "password": {"wrong password!"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("failure #%d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, err := c.PostForm(base+"/login", url.Values{"name": {"admin"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || len(resp.Cookies()) != 0 {
		t.Errorf("log in after %d failures = %d (Retry-After %q), want 429 with Retry-After and no cookie", auth.DefaultMaxFailures, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "./",
		"applicants/p-1?x=1":    "./applicants/p-1?x=1",
		"rings":                 "./rings",
		"/applicants":           "./",
		"//evil.example/":       "./",
		"https://evil.example/": "./",
		"javascript:alert(1)":   "./",
		`\\evil.example`:        "./",
		"../admin":              "./",
		"a/../../b":             "./",
		"a\nb":                  "./",
	} {
		if got := web.SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext checks that wherever next points, the redirect stays on
// the dashboard's host, below the log-in page's directory.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"", "applicants", "//x", "/\\x", "http://x", "a/../..", "%2F%2Fx", "?next=//x", ".%2e/x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://dash.example/ui/login")
	f.Fuzz(func(t *testing.T, next string) {
		loc := web.SafeNext(next)
		u, err := base.Parse(loc)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q, which does not parse: %v", next, loc, err)
		}
		if u.Host != "dash.example" || u.Scheme != "https" || !strings.HasPrefix(u.Path, "/ui/") {
			t.Fatalf("SafeNext(%q) = %q, which leads to %s", next, loc, u)
		}
	})
}

func TestAuthSessionExpiry(t *testing.T) {
	st := applicantStore(t)
	hash, _ := auth.HashPassword(testPassword)
	if err := st.PutUser(t.Context(), store.User{Name: "ana", Role: "analyst", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	a, err := auth.New(auth.Config{Store: st, IdleTimeout: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Config{Verdicts: noVerdicts, Applicants: st, Auth: a})
	if err != nil {
		t.Fatal(err)
	}
	base := newHTTPTest(t, h)
	c := client(t)
	login(t, c, base, "ana")
	resp, err := c.Get(base + "/api/v1/rings")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/rings as analyst = %d, want 200", resp.StatusCode)
	}
	now = now.Add(time.Hour)
	resp, err = c.Get(base + "/api/v1/rings")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("GET /api/v1/rings an idle hour later = %d, want 401", resp.StatusCode)
	}
}

func newHTTPTest(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
