package presence

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type client struct {
	t   *testing.T
	srv *httptest.Server
	// token, when set, is sent as "Authorization: Bearer token", as the
	// page does with a signed link.
	token string
}

// post sends body to path and decodes the answer into out (when not nil),
// returning the status.
func (c client) post(path string, body any, out any) int {
	c.t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			c.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, c.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Fatalf("POST %s: Content-Type %q, want application/json", path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("POST %s: decode %s: %v", path, raw, err)
		}
	}
	return resp.StatusCode
}

func newTestServer(t *testing.T, cfg Config) client {
	srv := httptest.NewServer(http.StripPrefix("/presence", Handler(cfg)))
	t.Cleanup(srv.Close)
	return client{t: t, srv: srv}
}

// runSession plays one whole session through the API with the given
// reaction times, advancing clk as a real page would take, and returns the
// result.
func runSession(t *testing.T, c client, clk *fakeClock, worker string, enrol bool, rts []time.Duration) resultJSON {
	t.Helper()
	var st startResponse
	if code := c.post("/presence/api/start", startRequest{WorkerID: worker, Enrol: enrol}, &st); code != 200 {
		t.Fatalf("start: status %d", code)
	}
	for i := range st.Pings {
		clk.Advance(20 * time.Millisecond)
		rtt := 21.5
		if code := c.post("/presence/api/ping", pingRequest{Session: st.Session, Seq: i, ClientRTT: &rtt}, nil); code != 200 {
			t.Fatalf("ping %d: status %d", i, code)
		}
	}
	page := 1000.0 // ms since the page loaded
	for i, rt := range rts {
		fp := time.Duration(st.Foreperiods[i] * float64(time.Millisecond))
		clk.Advance(fp + rt + 10*time.Millisecond)
		page += ms(fp)
		var rr reactionResponse
		req := reactionRequest{Session: st.Session, Seq: i, ShownMs: page, KeyMs: page + ms(rt), Trusted: true}
		if code := c.post("/presence/api/reaction", req, &rr); code != 200 {
			t.Fatalf("reaction %d: status %d", i, code)
		}
		page += ms(rt) + 10
		if rr.Done {
			return *rr.Result
		}
	}
	var rr reactionResponse
	if code := c.post("/presence/api/finish", finishRequest{Session: st.Session}, &rr); code != 200 {
		t.Fatalf("finish: status %d", code)
	}
	return *rr.Result
}

func drawRTs(r *rand.Rand, n int, add time.Duration) []time.Duration {
	rts := make([]time.Duration, n)
	for i := range rts {
		rts[i] = dur(220+25*r.NormFloat64()+50*r.ExpFloat64()) + add
	}
	return rts
}

// TestHandlerSessions enrols a worker through the API, then runs a local
// and a delayed session against the enrolment, and checks the verdicts,
// the added-delay estimate, the server-timed page RTT and what was stored.
func TestHandlerSessions(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	store := NewMemStore()
	c := newTestServer(t, Config{Store: store, Now: clk.Now})
	r := rand.New(rand.NewPCG(3, 4))

	first := runSession(t, c, clk, "w-1", false, drawRTs(r, MaxPrompts, 0))
	if first.Baseline != "population" {
		t.Errorf("before enrolment: baseline %q, want population", first.Baseline)
	}
	enrol := runSession(t, c, clk, "w-1", true, drawRTs(r, 20, 0))
	if !enrol.Enrol {
		t.Errorf("enrolment: enrol %v, want true", enrol.Enrol)
	}
	if got := store.Sessions("w-1"); len(got) != 2 || len(got[1].Reactions) != 20 {
		t.Fatalf("enrolment not stored with 20 reactions (no early stop): %d sessions", len(got))
	}
	local := runSession(t, c, clk, "w-1", false, drawRTs(r, MaxPrompts, 0))
	if local.Verdict != Consistent || local.Baseline != "worker" {
		t.Errorf("local session: %s against %s, want consistent against worker: %s", local.Verdict, local.Baseline, local.Explanation)
	}
	remote := runSession(t, c, clk, "w-1", false, drawRTs(r, MaxPrompts, 150*time.Millisecond))
	if remote.Verdict != Delayed || remote.AddedDelay < 110 || remote.AddedDelay > 190 {
		t.Errorf("remote session: %s, added %.0f ms, want delayed, 150 ± 40 ms: %s", remote.Verdict, remote.AddedDelay, remote.Explanation)
	}
	if remote.CILow > 150 || remote.CIHigh < 150 {
		t.Errorf("remote session: CI %.0f..%.0f ms does not cover 150", remote.CILow, remote.CIHigh)
	}
	if remote.PageRTT == nil || *remote.PageRTT != 20 || remote.ClientRTT == nil || *remote.ClientRTT != 21.5 {
		t.Errorf("remote session: page RTT %v, client RTT %v, want 20 and 21.5", remote.PageRTT, remote.ClientRTT)
	}
	ss := store.Sessions("w-1")
	if len(ss) != 4 {
		t.Fatalf("stored %d sessions, want 4", len(ss))
	}
	if got := ss[3].Result.Verdict; got != Delayed {
		t.Errorf("stored verdict %s, want delayed", got)
	}
	if _, err := store.Baseline(t.Context(), "w-2"); !errors.Is(err, ErrNoBaseline) {
		t.Errorf("Baseline(w-2) error %v, want ErrNoBaseline", err)
	}
}

// TestHandlerErrors checks that bad requests get the right status, code and
// field.
func TestHandlerErrors(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	c := newTestServer(t, Config{Now: clk.Now, MinForeperiod: time.Second, MaxForeperiod: time.Second})
	var st startResponse
	c.post("/presence/api/start", `{"worker_id":"w-1"}`, &st)
	var fresh startResponse
	c.post("/presence/api/start", `{"worker_id":"w-1"}`, &fresh)
	for i := range pings {
		c.post("/presence/api/ping", pingRequest{Session: st.Session, Seq: i}, nil)
	}
	react := func(seq int, shown, key float64, trusted bool) reactionRequest {
		return reactionRequest{Session: st.Session, Seq: seq, ShownMs: shown, KeyMs: key, Trusted: trusted}
	}
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
		field      string
	}{
		{"not json", "start", `{"worker_id":`, 400, "invalid", "body"},
		{"unknown field", "start", `{"worker_id":"w","key":"a"}`, 400, "invalid", "body"},
		{"trailing", "start", `{"worker_id":"w"} {}`, 400, "invalid", "body"},
		{"bad worker", "start", `{"worker_id":"w 1"}`, 400, "invalid", "worker_id"},
		{"no worker", "start", `{}`, 400, "invalid", "worker_id"},
		{"worker too long", "start", startRequest{WorkerID: strings.Repeat("w", 65)}, 400, "invalid", "worker_id"},
		{"too large", "start", `{"worker_id":"` + strings.Repeat("w", 2000) + `"}`, 413, "too_large", "body"},
		{"bad session", "ping", `{"session":"xyz","seq":0}`, 400, "invalid", "session"},
		{"seq type", "ping", `{"session":"` + st.Session + `","seq":1.5}`, 400, "invalid", "seq"},
		{"ping seq range", "ping", pingRequest{Session: st.Session, Seq: 9}, 400, "invalid", "seq"},
		{"negative rtt", "ping", `{"session":"` + st.Session + `","seq":0,"client_rtt_ms":-1}`, 400, "invalid", "client_rtt_ms"},
		{"ping again", "ping", pingRequest{Session: st.Session, Seq: 0}, 409, "out_of_order", "seq"},
		{"unknown session", "reaction", reactionRequest{Session: strings.Repeat("a", 32), Trusted: true}, 404, "no_session", "session"},
		{"before pings", "reaction", reactionRequest{Session: fresh.Session, Trusted: true, KeyMs: 300}, 409, "out_of_order", "seq"},
		{"key before shown", "reaction", react(0, 500, 400, true), 400, "invalid", "key_ms"},
		{"untrusted", "reaction", react(0, 500, 800, false), 400, "invalid", "trusted"},
		{"huge time", "reaction", react(0, 1e12, 1e12, true), 400, "invalid", "shown_ms"},
		{"wrong seq", "reaction", react(1, 500, 800, true), 409, "out_of_order", "seq"},
		{"too soon", "reaction", react(0, 500, 800, true), 422, "implausible_timing", "key_ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			if got := c.post("/presence/api/"+tc.path, tc.body, &e); got != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field {
				t.Errorf("POST %s %v = %d %q field %q (%s), want %d %q field %q",
					tc.path, tc.body, got, e.Error.Code, e.Error.Field, e.Error.Message, tc.status, tc.code, tc.field)
			}
		})
	}
	// After the foreperiod and the reaction have passed, the same reaction
	// is accepted.
	clk.Advance(1400 * time.Millisecond)
	var rr reactionResponse
	if got := c.post("/presence/api/reaction", react(0, 500, 800, true), &rr); got != 200 || rr.Done {
		t.Errorf("reaction after the foreperiod: %d, done %v; want 200, not done", got, rr.Done)
	}
}

// TestHandlerFalseStarts checks that repeated keys before the prompt end a
// session as insufficient.
func TestHandlerFalseStarts(t *testing.T) {
	c := newTestServer(t, Config{})
	var st startResponse
	c.post("/presence/api/start", `{"worker_id":"w-1"}`, &st)
	for i := range pings {
		c.post("/presence/api/ping", pingRequest{Session: st.Session, Seq: i}, nil)
	}
	var rr reactionResponse
	for i := 0; !rr.Done; i++ {
		if i > maxFalseStarts {
			t.Fatalf("not done after %d false starts", i)
		}
		c.post("/presence/api/reaction", reactionRequest{Session: st.Session, Seq: i, FalseStart: true}, &rr)
	}
	if rr.Result.Verdict != Insufficient || rr.Result.FalseStarts != maxFalseStarts+1 {
		t.Errorf("result %s with %d false starts, want insufficient with %d", rr.Result.Verdict, rr.Result.FalseStarts, maxFalseStarts+1)
	}
}

// TestHandlerIdentify checks that Config.Identify overrides the body and
// that its refusal is a 403.
func TestHandlerIdentify(t *testing.T) {
	store := NewMemStore()
	c := newTestServer(t, Config{Store: store, Identify: func(r *http.Request) (Subject, error) {
		if r.Header.Get("X-Test-Worker") == "" {
			return Subject{}, errors.New("no login")
		}
		return Subject{WorkerID: r.Header.Get("X-Test-Worker")}, nil
	}})
	var e apiError
	if got := c.post("/presence/api/start", `{"worker_id":"w-1"}`, &e); got != 403 || e.Error.Code != "forbidden" {
		t.Errorf("start without login = %d %q, want 403 forbidden", got, e.Error.Code)
	}
	req, _ := http.NewRequest("POST", c.srv.URL+"/presence/api/start", strings.NewReader(`{"worker_id":"w-1","enrol":true}`))
	req.Header.Set("X-Test-Worker", "w-9")
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st startResponse
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != 200 || st.Enrol {
		t.Errorf("start with login = %d, enrol %v; want 200, not enrol (the body's enrol is ignored)", resp.StatusCode, st.Enrol)
	}
	c.post("/presence/api/finish", finishRequest{Session: st.Session}, nil)
	if got := store.Sessions("w-9"); len(got) != 1 {
		t.Errorf("sessions of w-9: %d, want 1", len(got))
	}
}

// TestHandlerMaxSessions checks the bound on unfinished sessions and that
// expired ones make room.
func TestHandlerMaxSessions(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	c := newTestServer(t, Config{Now: clk.Now, MaxSessions: 2, SessionTTL: time.Minute})
	for i, want := range []int{200, 200, 503} {
		if got := c.post("/presence/api/start", `{"worker_id":"w-1"}`, nil); got != want {
			t.Errorf("start %d = %d, want %d", i, got, want)
		}
	}
	clk.Advance(2 * time.Minute)
	if got := c.post("/presence/api/start", `{"worker_id":"w-1"}`, nil); got != 200 {
		t.Errorf("start after expiry = %d, want 200", got)
	}
}

// TestPage checks the page, its headers and that the script never reads
// which key was pressed.
func TestPage(t *testing.T) {
	c := newTestServer(t, Config{})
	get := func(path string) (*http.Response, string) {
		resp, err := c.srv.Client().Get(c.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/presence/")
	if resp.StatusCode != 200 || !strings.Contains(page, `<script src="presence.js" defer></script>`) {
		t.Fatalf("GET /presence/ = %d, page without its script:\n%s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "style=") {
		t.Error("page has inline script or style, which the CSP blocks")
	}
	_, js := get("/presence/presence.js")
	for _, bad := range []string{".key", ".code", "keyCode", ".which", ".charCode"} {
		if strings.Contains(js, bad) {
			t.Errorf("presence.js reads %s: the page must never read which key was pressed", bad)
		}
	}
	if resp, _ := get("/presence/nothing"); resp.StatusCode != 404 {
		t.Errorf("GET /presence/nothing = %d, want 404", resp.StatusCode)
	}
}
