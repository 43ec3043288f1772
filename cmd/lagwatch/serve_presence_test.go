package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store"
)

// presenceResult is the part of the presence API's result the tests read.
type presenceResult struct {
	Verdict    presence.Verdict `json:"verdict"`
	AddedDelay float64          `json:"added_delay_ms"`
	Prompts    int              `json:"prompts"`
	Baseline   string           `json:"baseline"`
	Enrol      bool             `json:"enrol"`
}

// presencePost posts body as JSON to base+"presence/api/"+route, with
// token (a signed link's) as a bearer token when not empty, and decodes
// the 200 answer into out.
func presencePost(t *testing.T, base, token, route string, body, out any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"presence/api/"+route, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", route, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s %s = %s %s, %v", route, b, resp.Status, answer, err)
	}
	if err := json.Unmarshal(answer, out); err != nil {
		t.Fatalf("POST %s: decode %s: %v", route, answer, err)
	}
}

// takePresence runs one presence challenge for worker (or for the
// signed link token, when not empty) through the API at base, answering prompt i after reactions[i] until the server decides
// (or calling finish when the reactions run out). wait is called before
// each reaction with the foreperiod plus the reaction: the server refuses
// answers that come sooner. It returns the result and the reactions sent.
func takePresence(t *testing.T, base, token, worker string, enrol bool, reactions []time.Duration, wait func(time.Duration)) (presenceResult, []time.Duration) {
	t.Helper()
	var start struct {
		Session     string    `json:"session"`
		Foreperiods []float64 `json:"foreperiods_ms"`
		Prompts     int       `json:"prompts"`
		Pings       int       `json:"pings"`
	}
	presencePost(t, base, token, "start", map[string]any{"worker_id": worker, "enrol": enrol}, &start)
	for seq := range start.Pings {
		var ping struct{ Seq int }
		presencePost(t, base, token, "ping", map[string]any{"session": start.Session, "seq": seq, "client_rtt_ms": 1.5}, &ping)
	}
	type answer struct {
		Done   bool            `json:"done"`
		Result *presenceResult `json:"result"`
	}
	for seq, rt := range reactions {
		fp := time.Duration(math.Round(start.Foreperiods[seq] * 1e6))
		wait(fp + rt)
		var a answer
		ms := float64(rt) / 1e6
		presencePost(t, base, token, "reaction", map[string]any{"session": start.Session, "seq": seq, "shown_ms": 1000.0, "key_ms": 1000.0 + ms, "trusted": true}, &a)
		if a.Done {
			return *a.Result, reactions[:seq+1]
		}
	}
	var a answer
	presencePost(t, base, token, "finish", map[string]any{"session": start.Session}, &a)
	if !a.Done || a.Result == nil {
		t.Fatalf("finish answered %+v; want a result", a)
	}
	return *a.Result, reactions
}

// localReactions returns n reaction times of a local person, in whole
// milliseconds so that the page's timestamps carry them exactly.
func localReactions(n int) []time.Duration {
	ms := []int{251, 239, 274, 262, 245, 301, 233, 258, 266, 248, 287, 241, 255, 270, 236, 259, 281, 244, 263, 252}
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(ms[i%len(ms)]) * time.Millisecond
	}
	return out
}

// fakeClock is the presence handler's clock in TestPresenceBaselineSurvivesReopen.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestPresenceBaselineSurvivesReopen enrols a worker through the presence
// API on the store that `lagwatch serve` opens for a data directory,
// closes the store, opens the directory again and runs a challenge: it is
// held against the enrolment, not the population norms.
func TestPresenceBaselineSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	// withServer opens the data directory's store and serves the presence
	// challenge on it until f returns.
	withServer := func(f func(base string, ps presence.Store)) {
		t.Helper()
		st, err := openStore(t.Context(), StoreConfig{DataDir: dir}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := st.Close(); err != nil {
				t.Errorf("close store: %v", err)
			}
		}()
		ps, ok := st.(presence.Store)
		if !ok {
			t.Fatalf("the store %T is not a presence.Store", st)
		}
		srv := httptest.NewServer(http.StripPrefix("/presence", presence.Handler(presence.Config{Store: ps, Now: clock.Now})))
		defer srv.Close()
		f(srv.URL+"/", ps)
	}

	enrolled := localReactions(20)
	withServer(func(base string, _ presence.Store) {
		// Before any enrolment the population norms apply.
		if res, _ := takePresence(t, base, "", "w-1", false, localReactions(6), clock.Advance); res.Baseline != "population" {
			t.Fatalf("challenge before enrolment = %+v; want it held against the population", res)
		}
		res, sent := takePresence(t, base, "", "w-1", true, enrolled, clock.Advance)
		if !res.Enrol || !reflect.DeepEqual(sent, enrolled) {
			t.Fatalf("enrolment = %+v after %d reactions; want an enrolment of all %d", res, len(sent), len(enrolled))
		}
	})

	want, err := presence.WorkerBaseline([][]time.Duration{enrolled})
	if err != nil {
		t.Fatal(err)
	}
	today := localReactions(20)[5:]
	withServer(func(base string, ps presence.Store) {
		got, err := ps.Baseline(t.Context(), "w-1")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Baseline(w-1) after reopening = %+v, %v; want the enrolment's %+v", got, err, want)
		}
		res, sent := takePresence(t, base, "", "w-1", false, today, clock.Advance)
		local := presence.Assess(sent, want)
		if res.Baseline != "worker" || res.Verdict != local.Verdict || res.Prompts != local.Prompts {
			t.Errorf("challenge after reopening = %+v; want it held against the enrolment: %s after %d prompts", res, local.Verdict, local.Prompts)
		}
		if _, err := ps.Baseline(t.Context(), "w-2"); err == nil {
			t.Error("Baseline(w-2) = nil error; want ErrNoBaseline for a worker who never enrolled")
		}
	})

	// The assessed sessions are stored too, and never enter the baseline.
	st, err := openStore(t.Context(), StoreConfig{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lister, ok := st.(interface {
		PresenceSessions(ctx context.Context, workerID string, since time.Time, limit int) ([]presence.Session, error)
	})
	if !ok {
		t.Fatalf("the store %T cannot list presence sessions", st)
	}
	sessions, err := lister.PresenceSessions(t.Context(), "w-1", time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range sessions {
		kinds = append(kinds, fmt.Sprintf("enrol=%v/%d", s.Enrol, len(s.Reactions)))
	}
	if len(sessions) != 3 || !sessions[1].Enrol || !reflect.DeepEqual(sessions[1].Reactions, enrolled) || sessions[0].Enrol || sessions[2].Enrol {
		t.Errorf("PresenceSessions(w-1) = %v, newest first; want the assessed session, the 20-reaction enrolment, the first assessed session", kinds)
	}
}

// TestServePresenceSurvivesRestart stores an enrolment in a data
// directory, runs `lagwatch serve` on it, checks that a challenge needs a
// signed link, and takes one from `lagwatch presence link` through its
// dashboard listener: serve holds it against the stored
// enrolment and stores the session, which a store opened on the directory
// after serve has stopped finds.
func TestServePresenceSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lagwatch serve and waits out real foreperiods (about 7 s)")
	}
	dir := t.TempDir()
	enrolled := localReactions(20)
	enrolment := presence.Session{ID: "00112233445566778899aabbccddeeff", WorkerID: "w-1", Enrol: true,
		Started: time.Now().Add(-2 * time.Minute), Finished: time.Now().Add(-time.Minute), Reactions: enrolled,
		Result: presence.Assess(enrolled, presence.PopulationBaseline())}
	st, err := openStore(t.Context(), StoreConfig{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.(presence.Store).SaveSession(t.Context(), enrolment); err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorker(t.Context(), store.Worker{ID: "w-1", ClaimedLocation: "Phoenix, AZ, US"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	base, stopServe := startServe(t, dir)
	defer stopServe()
	// Without a signed link serve refuses to start a challenge.
	resp, err := http.Post(base+"presence/api/start", "application/json", strings.NewReader(`{"worker_id":"w-1","enrol":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("start without a link: %s; want 403", resp.Status)
	}
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"presence", "link", "-data-dir", dir, "-worker", "w-1", "-url", base}, &out, &errb); err != nil {
		t.Fatalf("presence link: %v\n%s", err, errb.String())
	}
	link, err := url.Parse(strings.TrimSpace(out.String()))
	if err != nil || !strings.HasPrefix(link.String(), base+"presence/?t=") {
		t.Fatalf("presence link printed %q (%v); want %spresence/?t=TOKEN", out.String(), err, base)
	}
	// Real foreperiods (1–3 s): wait each out after the server's answer.
	res, sent := takePresence(t, base, link.Query().Get("t"), "", false, localReactions(20)[5:8], time.Sleep)
	want, err := presence.WorkerBaseline([][]time.Duration{enrolled})
	if err != nil {
		t.Fatal(err)
	}
	local := presence.Assess(sent, want)
	if res.Baseline != "worker" || res.Verdict != local.Verdict || res.Prompts != local.Prompts {
		t.Errorf("serve's challenge = %+v; want it held against the stored enrolment: %s after %d prompts", res, local.Verdict, local.Prompts)
	}
	stopServe()

	st, err = openStore(t.Context(), StoreConfig{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sessions, err := st.(interface {
		PresenceSessions(ctx context.Context, workerID string, since time.Time, limit int) ([]presence.Session, error)
	}).PresenceSessions(t.Context(), "w-1", time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 2 || sessions[0].Enrol || !reflect.DeepEqual(sessions[0].Reactions, sent) || sessions[0].Result.Verdict != res.Verdict || sessions[1].ID != enrolment.ID {
		t.Errorf("sessions of w-1 after serve stopped = %+v; want serve's challenge with reactions %v, then the enrolment", sessions, sent)
	}
}
