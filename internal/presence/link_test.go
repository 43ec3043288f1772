package presence

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

var testLinkKey = bytes.Repeat([]byte{7}, MinLinkKey)

func testLinks(t testing.TB, clk *fakeClock) *Links {
	t.Helper()
	l, err := NewLinks(testLinkKey, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLinksRoundTrip: a token names its worker, its enrol flag, a fresh
// link ID and its expiry.
func TestLinksRoundTrip(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := testLinks(t, clk)
	seen := map[string]bool{}
	for _, want := range []Subject{{WorkerID: "w-1"}, {WorkerID: "ana.ruiz@example.com", Enrol: true}, {WorkerID: strings.Repeat("x", maxWorkerID)}} {
		tok, err := l.Token(Subject{WorkerID: want.WorkerID, Enrol: want.Enrol, Link: "ignored"}, 24*time.Hour)
		if err != nil {
			t.Fatalf("Token(%+v) = %v", want, err)
		}
		if len(tok) > maxToken {
			t.Errorf("token of %d bytes, over the %d-byte limit Parse enforces", len(tok), maxToken)
		}
		got, err := l.Parse(tok)
		if err != nil {
			t.Fatalf("Parse(Token(%+v)) = %v", want, err)
		}
		if got.WorkerID != want.WorkerID || got.Enrol != want.Enrol || checkSession(got.Link) != nil || seen[got.Link] ||
			!got.Expires.Equal(clk.Now().Add(24*time.Hour)) {
			t.Errorf("Parse(Token(%+v)) = %+v; want the worker, enrol flag, a fresh 32-hex link ID and the expiry", want, got)
		}
		seen[got.Link] = true
		r, _ := http.NewRequest(http.MethodPost, "/api/start", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		if id, err := l.Identify(r); err != nil || id != got {
			t.Errorf("Identify = %+v, %v; want %+v", id, err, got)
		}
	}
}

// TestLinksRefuse: tokens that are missing, malformed, altered, signed
// with another key or expired are refused with an error wrapping ErrLink
// that says why.
func TestLinksRefuse(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := testLinks(t, clk)
	tok, err := l.Token(Subject{WorkerID: "w-1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewLinks(bytes.Repeat([]byte{8}, MinLinkKey), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	otherTok, err := other.Token(Subject{WorkerID: "w-1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	body, sig, _ := strings.Cut(tok, ".")
	// The same payload with the enrol flag set, under the old signature.
	enrolTok, err := l.Token(Subject{WorkerID: "w-1", Enrol: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	enrolBody, _, _ := strings.Cut(enrolTok, ".")
	for _, tc := range []struct{ name, tok, want string }{
		{"empty", "", "no signature"},
		{"no signature", body, "no signature"},
		{"bad base64", "!!." + sig, "token payload"},
		{"bad signature base64", body + ".!!", "token signature"},
		{"another payload", enrolBody + "." + sig, "bad signature"},
		{"another key", otherTok, "bad signature"},
		{"truncated signature", body + "." + sig[:10], "bad signature"},
		{"too long", strings.Repeat("a", maxToken+1), "limit 256"},
	} {
		_, err := l.Parse(tc.tok)
		if !errors.Is(err, ErrLink) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v; want an ErrLink saying %q", tc.name, err, tc.want)
		}
	}
	clk.Advance(time.Hour)
	if _, err := l.Parse(tok); !errors.Is(err, ErrLink) || !strings.Contains(err.Error(), "expired at 2026-03-01T10:00:00Z") {
		t.Errorf("Parse(expired) = %v; want an ErrLink naming the expiry", err)
	}
	r, _ := http.NewRequest(http.MethodPost, "/api/start", nil)
	if _, err := l.Identify(r); !errors.Is(err, ErrLink) || !strings.Contains(err.Error(), "no Authorization") {
		t.Errorf("Identify(no header) = %v; want an ErrLink", err)
	}
}

func TestLinksLimits(t *testing.T) {
	if _, err := NewLinks(make([]byte, MinLinkKey-1), nil); err == nil || !strings.Contains(err.Error(), "31 bytes, want at least 32") {
		t.Errorf("NewLinks(31-byte key) = %v; want an error naming the limit", err)
	}
	l := testLinks(t, &fakeClock{t: time.Now()})
	for _, tc := range []struct {
		s    Subject
		ttl  time.Duration
		want string
	}{
		{Subject{}, time.Hour, "worker_id: required"},
		{Subject{WorkerID: "w 1"}, time.Hour, "worker_id: byte 1"},
		{Subject{WorkerID: strings.Repeat("x", maxWorkerID+1)}, time.Hour, "limit 64"},
		{Subject{WorkerID: "w-1"}, 0, "want more than 0"},
		{Subject{WorkerID: "w-1"}, MaxLinkTTL + time.Second, "at most 168h0m0s"},
	} {
		if _, err := l.Token(tc.s, tc.ttl); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Token(%+v, %v) = %v; want an error containing %q", tc.s, tc.ttl, err, tc.want)
		}
	}
}

// TestHandlerLinks runs the handler as lagwatch serve does, with
// Links.Identify: a start needs a signed link, the link and not the body
// says who and whether to enrol, the session takes the link's ID, a
// reload restarts it, and once a session from a link is stored the link
// is refused: at start, by this handler or, after a restart, because the
// store holds the session; and when a session started before the first
// was stored would be saved.
func TestHandlerLinks(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	store := NewMemStore()
	links := testLinks(t, clk)
	cfg := Config{Store: store, Now: clk.Now, Identify: links.Identify}
	c := newTestServer(t, cfg)
	r := rand.New(rand.NewPCG(5, 6))

	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if code := c.post("/presence/api/start", startRequest{WorkerID: "w-1", Enrol: true}, &e); code != http.StatusForbidden || e.Error.Code != "forbidden" {
		t.Fatalf("start without a link = %d %+v; want 403 forbidden", code, e)
	}
	tok, err := links.Token(Subject{WorkerID: "w-1", Enrol: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := links.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	c.token = tok
	// A first start, abandoned (the page was reloaded), then the whole session.
	var st startResponse
	if code := c.post("/presence/api/start", startRequest{WorkerID: "w-2"}, &st); code != 200 || st.Session != sub.Link || !st.Enrol {
		t.Fatalf("start with a link = %d %+v; want session %s, an enrolment", code, st, sub.Link)
	}
	res := runSession(t, c, clk, "w-2", false, drawRTs(r, 20, 0))
	if !res.Enrol {
		t.Errorf("session from an enrolment link: enrol %v, want true", res.Enrol)
	}
	got := store.Sessions("w-1")
	if len(got) != 1 || got[0].ID != sub.Link || !got[0].Enrol || len(store.Sessions("w-2")) != 0 {
		t.Fatalf("stored sessions of w-1 = %+v; want one enrolment with the link's ID, none for the body's w-2", got)
	}
	if code := c.post("/presence/api/start", startRequest{}, &e); code != http.StatusForbidden || e.Error.Code != "link_used" {
		t.Errorf("start from a used link = %d %+v; want 403 link_used", code, e)
	}

	// After a restart the handler has forgotten the link; the store has
	// not, so the link is refused at start, before a second session.
	c2 := newTestServer(t, cfg)
	c2.token = tok
	if code := c2.post("/presence/api/start", startRequest{}, &e); code != http.StatusForbidden || e.Error.Code != "link_used" {
		t.Errorf("start from a used link after a restart = %d %+v; want 403 link_used", code, e)
	}
	// A second session that was already running when the first was stored
	// (two tabs) is refused when it would be saved.
	tokB, err := links.Token(Subject{WorkerID: "w-1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.token, c2.token = tokB, tokB
	var stA, stB startResponse
	if code := c.post("/presence/api/start", startRequest{}, &stA); code != 200 {
		t.Fatalf("start in a first tab = %d", code)
	}
	if code := c2.post("/presence/api/start", startRequest{}, &stB); code != 200 || stB.Session != stA.Session {
		t.Fatalf("start in a second tab = %d %+v; want the link's session %s", code, stB, stA.Session)
	}
	c.token = tokB
	runSession(t, c, clk, "", false, drawRTs(r, MaxPrompts, 0))
	var rr struct {
		reactionResponse
		Error struct{ Code, Message string } `json:"error"`
	}
	if code := c2.post("/presence/api/finish", finishRequest{Session: stB.Session}, &rr); code != http.StatusConflict || rr.Error.Code != "link_used" {
		t.Errorf("finishing a second session from a link = %d %+v; want 409 link_used", code, rr)
	}
	if got := store.Sessions("w-1"); len(got) != 2 {
		t.Errorf("w-1 has %d stored sessions after two links were used, one of them twice; want 2", len(got))
	}

	// A link for another worker is not touched by any of this.
	tok2, err := links.Token(Subject{WorkerID: "w-3"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.token = tok2
	if res := runSession(t, c, clk, "", false, drawRTs(r, MaxPrompts, 0)); res.Enrol || res.Baseline != "population" {
		t.Errorf("session from w-3's test link = %+v; want a test against the population", res)
	}
	if got := store.Sessions("w-3"); len(got) != 1 {
		t.Errorf("w-3 has %d stored sessions, want 1", len(got))
	}
}

// FuzzLinksParse: no token, however malformed, panics Parse, and one it
// accepts names a valid worker, a 32-hex link ID and an expiry still ahead.
func FuzzLinksParse(f *testing.F) {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := testLinks(f, clk)
	for _, s := range []Subject{{WorkerID: "w-1"}, {WorkerID: "a@b.c", Enrol: true}} {
		tok, err := l.Token(s, time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	f.Add("")
	f.Add(".")
	f.Add("AQ.AQ")
	f.Fuzz(func(t *testing.T, tok string) {
		s, err := l.Parse(tok)
		if err != nil {
			if !errors.Is(err, ErrLink) {
				t.Fatalf("Parse(%q) = %v; want it to wrap ErrLink", tok, err)
			}
			return
		}
		if s.WorkerID == "" || checkWorkerID(s.WorkerID) != nil || checkSession(s.Link) != nil || !s.Expires.After(clk.Now()) {
			t.Fatalf("Parse(%q) accepted %+v", tok, s)
		}
	})
}
