package riskfeed_test

import (
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
)

// TestGatherPresence stores presence challenges for three workers and
// checks what Gather makes of them: a delayed challenge of a worker with
// one device is evidence about that device, in the device's loop group; a
// challenge of a worker with no device is about the worker; enrolments and
// challenges before the window are not evidence.
func TestGatherPresence(t *testing.T) {
	ctx := t.Context()
	st := openStore(t)
	putWorkers(t, st, "w-one", "w-none", "w-enrol")
	enrolDevice(t, st, "w-one", "d-one")
	now := time.Now().UTC().Truncate(time.Microsecond)
	reactions := []time.Duration{390 * time.Millisecond, 410 * time.Millisecond, 400 * time.Millisecond}
	save := func(id, worker string, enrol bool, finished time.Time, v presence.Verdict) {
		t.Helper()
		s := presence.Session{ID: id, WorkerID: worker, Enrol: enrol, Started: finished.Add(-time.Minute), Finished: finished,
			Reactions: reactions, Result: presence.Result{Verdict: v, Prompts: len(reactions), Baseline: "population", Explanation: "challenge " + id}}
		if err := st.SaveSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	save("p-one", "w-one", false, now.Add(-time.Hour), presence.Delayed)
	save("p-old", "w-one", false, now.Add(-30*24*time.Hour), presence.Delayed)
	save("p-none", "w-none", false, now.Add(-2*time.Hour), presence.Consistent)
	save("p-enrol", "w-enrol", true, now.Add(-time.Hour), presence.Delayed)

	ev, _, err := riskfeed.Gather(ctx, st, nil, now.Add(-7*24*time.Hour), now.Add(time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]risk.Evidence{}
	for _, e := range ev {
		if e.Detector == "presence.delayed" || e.Detector == "presence.consistent" {
			got[e.Explanation] = e
		}
	}
	if len(got) != 2 {
		t.Fatalf("presence evidence = %+v; want challenges p-one and p-none only", got)
	}
	if e := got["challenge p-one"]; e.Subject != risk.Device("d-one") || e.Detector != "presence.delayed" || e.Independent != "loop:d-one" || !e.At.Equal(now.Add(-time.Hour)) {
		t.Errorf("p-one gave %+v; want presence.delayed about device d-one in group loop:d-one at its finish", e)
	}
	if e := got["challenge p-none"]; e.Subject != risk.Worker("w-none") || e.Detector != "presence.consistent" || e.Independent != "loop:worker:w-none" {
		t.Errorf("p-none gave %+v; want presence.consistent about worker w-none in group loop:worker:w-none", e)
	}
}
