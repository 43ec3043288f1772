package alerts_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/alerts"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/siem"
	"github.com/lagwatch/lagwatch/internal/store"
)

// t0 is the clock of every test: evidence is dated shortly before it.
var t0 = time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// openStore returns a SQLite store in a temp dir holding worker w-farm
// with two identity-provider findings of different kinds (two independent
// signals) and worker w-clean with none.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, id := range []string{"w-farm", "w-clean"} {
		if err := st.PutWorker(t.Context(), store.Worker{ID: id, Name: id, ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}); err != nil {
			t.Fatal(err)
		}
	}
	fs := []store.IdPFinding{
		{WorkerID: "w-farm", Kind: "idp.shared-egress", At: t0.Add(-2 * time.Hour), LR: 8, Explanation: "five workers sign in from 203.0.113.7", Refs: []string{"okta-1"}},
		{WorkerID: "w-farm", Kind: "idp.off-hours", At: t0.Add(-time.Hour), LR: 4, Explanation: "works 09:00-18:00 UTC+9 while claiming Phoenix", Refs: []string{"okta-2"}},
	}
	if _, err := st.SaveIdPFindings(t.Context(), fs); err != nil {
		t.Fatal(err)
	}
	return st
}

// riskConfig is the default weights with even prior odds, so that two
// imported findings make a high risk, and two rules that both fire on it.
func riskConfig() *risk.Config {
	c := risk.DefaultConfig()
	c.PriorOdds = 1
	c.Rules = []risk.Rule{
		{Name: "high-risk", MinLevel: risk.LevelHigh, MinSignals: 2},
		{Name: "watch", MinLevel: risk.LevelWatch, MinSignals: 2},
	}
	return &c
}

func newService(t *testing.T, st alerts.Store, sinks ...alerts.Sink) *alerts.Service {
	t.Helper()
	s, err := alerts.New(t.Context(), st, alerts.Config{Risk: riskConfig(), Now: clock, Sinks: sinks})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func subjectsOf(as []risk.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Subject.String()+"/"+a.Rule)
	}
	return out
}

func TestEvaluateRaisesStoresAndDeduplicatesAcrossRestarts(t *testing.T) {
	st := openStore(t)
	s := newService(t, st)
	got, err := s.Evaluate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"worker:w-farm/high-risk", "worker:w-farm/watch"}
	if !slices.Equal(subjectsOf(got), want) {
		t.Fatalf("first evaluation raised %v, want %v", subjectsOf(got), want)
	}
	for _, a := range got {
		if len(a.Cites) != 2 {
			t.Errorf("alert %s cites %d contributions, want the 2 findings", a.ID, len(a.Cites))
		}
	}
	stored, err := s.Newest(t.Context(), risk.Subject{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || stored[0].ID != got[1].ID && stored[0].ID != got[0].ID {
		t.Fatalf("stored alerts = %+v, want the 2 raised", stored)
	}
	one, err := s.Get(t.Context(), got[0].ID)
	if err != nil || one.Summary != got[0].Summary || len(one.Cites) != 2 || !one.SentAt.IsZero() {
		t.Fatalf("Get(%s) = %+v, %v; want the alert as raised, not sent", got[0].ID, one, err)
	}

	// Evaluated again, by this service or one started afresh on the same
	// store, the same risk raises nothing: the state is stored.
	if again, err := s.Evaluate(t.Context()); err != nil || len(again) != 0 {
		t.Fatalf("second evaluation = %v, %v; want no alert", subjectsOf(again), err)
	}
	restarted := newService(t, st)
	if again, err := restarted.Evaluate(t.Context()); err != nil || len(again) != 0 {
		t.Fatalf("evaluation after a restart = %v, %v; want no alert", subjectsOf(again), err)
	}

	// A stronger risk alerts again under new IDs, numbered on from the
	// stored sequence.
	if _, err := st.SaveIdPFindings(t.Context(), []store.IdPFinding{{WorkerID: "w-farm", Kind: "idp.impossible-travel", At: t0.Add(-30 * time.Minute), LR: 8,
		Explanation: "Phoenix then Shenyang 20 minutes later"}}); err != nil {
		t.Fatal(err)
	}
	more, err := restarted.Evaluate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(subjectsOf(more), want) {
		t.Fatalf("evaluation after new evidence = %v, want %v", subjectsOf(more), want)
	}
	for _, a := range more {
		if a.ID == got[0].ID || a.ID == got[1].ID {
			t.Errorf("re-alert reused ID %s", a.ID)
		}
	}
	if all, err := s.Newest(t.Context(), risk.Worker("w-farm"), 100); err != nil || len(all) != 4 {
		t.Fatalf("w-farm's alerts = %d, %v; want 4", len(all), err)
	}
	if clean, err := s.Newest(t.Context(), risk.Worker("w-clean"), 100); err != nil || len(clean) != 0 {
		t.Fatalf("w-clean's alerts = %d, %v; want none", len(clean), err)
	}
}

// failingStore is the real store whose SaveAlerts fails while fail is set,
// to check that a failed save loses nothing.
type failingStore struct {
	*store.Store
	mu   sync.Mutex
	fail bool
}

func (f *failingStore) SaveAlerts(ctx context.Context, state json.RawMessage, as []store.Alert) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("disk full")
	}
	return f.Store.SaveAlerts(ctx, state, as)
}

func TestFailedSaveRaisesTheSameAlertsAgain(t *testing.T) {
	fs := &failingStore{Store: openStore(t), fail: true}
	s := newService(t, fs)
	if got, err := s.Evaluate(t.Context()); err == nil || !strings.Contains(err.Error(), "disk full") || got != nil {
		t.Fatalf("Evaluate with a failing save = %v, %v; want the save's error and no alert", subjectsOf(got), err)
	}
	fs.fail = false
	got, err := s.Evaluate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "risk-1" {
		t.Fatalf("Evaluate after the failure = %v (first %v), want the 2 alerts from risk-1 on", subjectsOf(got), got)
	}
}

func TestExportSendsInOrderAndRetriesWhatASinkRefused(t *testing.T) {
	st := openStore(t)
	var mu sync.Mutex
	var sent []string
	refuse := true
	sink := alerts.SinkFunc(func(_ context.Context, a risk.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		if refuse && len(sent) == 1 {
			return errors.New("SIEM unreachable")
		}
		sent = append(sent, a.ID)
		return nil
	})
	s := newService(t, st, sink)
	got, err := s.Tick(t.Context())
	if err == nil || !strings.Contains(err.Error(), "SIEM unreachable") || len(got) != 2 {
		t.Fatalf("Tick with a refusing sink = %v, %v; want 2 alerts and the sink's error", subjectsOf(got), err)
	}
	if !slices.Equal(sent, []string{"risk-1"}) {
		t.Fatalf("sent %v, want risk-1 only", sent)
	}
	un, err := st.UnexportedAlerts(t.Context(), 10)
	if err != nil || len(un) != 1 || un[0].ID != "risk-2" {
		t.Fatalf("unsent after a refusal = %+v, %v; want risk-2", un, err)
	}
	refuse = false
	if n, err := s.Export(t.Context()); err != nil || n != 1 {
		t.Fatalf("Export after recovery = %d, %v; want 1", n, err)
	}
	if !slices.Equal(sent, []string{"risk-1", "risk-2"}) {
		t.Fatalf("sent %v, want risk-1 then risk-2, each once", sent)
	}
	if n, err := s.Export(t.Context()); err != nil || n != 0 {
		t.Fatalf("Export with nothing unsent = %d, %v; want 0", n, err)
	}
	a, err := s.Get(t.Context(), "risk-2")
	if err != nil || !a.SentAt.Equal(t0) {
		t.Fatalf("risk-2 sent at %v, %v; want %v", a.SentAt, err, t0)
	}
}

// TestExportToWebhook sends the alerts to a real signed webhook receiver.
func TestExportToWebhook(t *testing.T) {
	secret := []byte("webhook secret")
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct {
			FindingInfo struct {
				UID string `json:"uid"`
			} `json:"finding_info"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, ev.FindingInfo.UID)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	st := openStore(t)
	s := newService(t, st, &siem.Webhook{URL: srv.URL, Secret: secret})
	if _, err := s.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("webhook received %d alerts (%v), want 2", len(got), got)
	}
	if un, err := st.UnexportedAlerts(t.Context(), 10); err != nil || len(un) != 0 {
		t.Fatalf("unsent after export = %d, %v; want none", len(un), err)
	}
}

func TestSuppressIsAuditedAndKept(t *testing.T) {
	st := openStore(t)
	s := newService(t, st)
	until := t0.Add(7 * 24 * time.Hour)
	if err := s.Suppress(t.Context(), "ana", risk.Worker("w-farm"), "", "known contractor, verified in person", until); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Evaluate(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("Evaluate of a suppressed subject = %v, %v; want nothing", subjectsOf(got), err)
	}
	// Kept across a restart.
	restarted := newService(t, st)
	sp := restarted.Suppressions()
	if len(sp) != 1 || sp[0].By != "ana" || sp[0].Subject != risk.Worker("w-farm") || !sp[0].Until.Equal(until) {
		t.Fatalf("suppressions after a restart = %+v, want ana's on w-farm", sp)
	}
	if got, err := restarted.Evaluate(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("Evaluate after a restart = %v, %v; want nothing", subjectsOf(got), err)
	}
	log, err := st.Audit(t.Context(), store.AuditFilter{Action: alerts.AuditAlertSuppressed})
	if err != nil || len(log) != 1 || log[0].Actor != "ana" || log[0].Subject.ID != "w-farm" || !strings.Contains(string(log[0].Detail), "known contractor") {
		t.Fatalf("audit = %+v, %v; want ana's suppression with its reason", log, err)
	}

	for _, tc := range []struct{ name, rule, reason, want string }{
		{"unknown rule", "nope", "why", `rule "nope"`},
		{"no reason", "", "", "reason"},
	} {
		if err := s.Suppress(t.Context(), "ana", risk.Worker("w-clean"), tc.rule, tc.reason, until); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Suppress with %s = %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
	if log, _ := st.Audit(t.Context(), store.AuditFilter{Action: alerts.AuditAlertSuppressed}); len(log) != 1 {
		t.Errorf("refused suppressions were audited: %d entries", len(log))
	}
}

func TestNewRejectsBadConfigAndBadState(t *testing.T) {
	st := openStore(t)
	if _, err := alerts.New(t.Context(), st, alerts.Config{Interval: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "interval") {
		t.Errorf("New with a 1 ms interval = %v, want an error naming the interval", err)
	}
	if _, err := alerts.New(t.Context(), st, alerts.Config{Window: time.Minute}); err == nil || !strings.Contains(err.Error(), "window") {
		t.Errorf("New with a 1 min window = %v, want an error naming the window", err)
	}
	if err := st.SaveAlerts(t.Context(), json.RawMessage(`{"version":99}`), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := alerts.New(t.Context(), st, alerts.Config{}); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("New on a stored state of version 99 = %v, want an error naming the version", err)
	}
}
