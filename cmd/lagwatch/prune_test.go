package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
)

// TestPrunePresence runs serve's hourly prune on a real store: assessed
// presence challenges go once they are older than the retention period
// and presence.MaxLinkTTL (a stored session is what refuses its link
// again), enrolments stay.
func TestPrunePresence(t *testing.T) {
	st, err := openStore(t.Context(), StoreConfig{DataDir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	rs := localReactions(20)
	day := 24 * time.Hour
	sessions := map[string]struct {
		enrol bool
		age   time.Duration
		kept  bool
	}{
		"0000000000000000000000000000000a": {false, 2 * day, true},  // older than the retention, younger than a link
		"0000000000000000000000000000000b": {false, 8 * day, false}, // older than both
		"0000000000000000000000000000000c": {true, 90 * day, true},  // an enrolment
		"0000000000000000000000000000000d": {false, time.Hour, true},
	}
	for id, s := range sessions {
		ps := presence.Session{ID: id, WorkerID: "w-1", Enrol: s.enrol, Started: now.Add(-s.age - time.Minute), Finished: now.Add(-s.age),
			Reactions: rs, Result: presence.Assess(rs, presence.PopulationBaseline())}
		if err := st.SaveSession(t.Context(), ps); err != nil {
			t.Fatal(err)
		}
	}
	prune(t.Context(), st, day, now, slog.New(slog.DiscardHandler))
	for id, s := range sessions {
		if stored, err := st.SessionStored(t.Context(), id); err != nil || stored != s.kept {
			t.Errorf("session %s (enrol %v, %v old) stored after a prune with 24 h retention = %v, %v; want %v", id, s.enrol, s.age, stored, err, s.kept)
		}
	}
	prune(t.Context(), st, 60*day, now.Add(60*day), slog.New(slog.DiscardHandler))
	if stored, _ := st.SessionStored(t.Context(), "0000000000000000000000000000000d"); stored {
		t.Error("an assessed session 60 days old outlived a 60-day retention")
	}
	if stored, _ := st.SessionStored(t.Context(), "0000000000000000000000000000000c"); !stored {
		t.Error("an enrolment was pruned")
	}
}
