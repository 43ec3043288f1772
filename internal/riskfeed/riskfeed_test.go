package riskfeed_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func putWorkers(t *testing.T, st *store.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := st.PutWorker(t.Context(), store.Worker{ID: id, Name: id, ClaimedLocation: "Phoenix, AZ, US", Lat: 33.45, Lon: -112.07}); err != nil {
			t.Fatal(err)
		}
	}
}

// saveApplicant stores applicant id with a screening of one finding per
// check, each of weight points.
func saveApplicant(t *testing.T, st *store.Store, id string, at time.Time, points float64, checks ...string) {
	t.Helper()
	var ev []map[string]any
	for _, c := range checks {
		ev = append(ev, map[string]any{"check": c, "weight": points, "sentence": "applicant " + id + ": " + c})
	}
	res, err := json.Marshal(map[string]any{"applicant_id": id, "score": points * float64(len(checks)), "level": "high", "evidence": ev})
	if err != nil {
		t.Fatal(err)
	}
	b := store.ApplicantBatch{ImportID: "imp-" + id, Source: "ats.csv", At: at, Applicants: []store.StoredApplicant{
		{Applicant: hiring.Applicant{ID: id, Name: "Applicant " + id}, Score: points * float64(len(checks)), Level: "high", Result: res},
	}}
	if _, err := st.SaveApplicants(t.Context(), b); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, st *store.Store, worker, kind, ref string) {
	t.Helper()
	if err := st.LinkWorker(t.Context(), store.WorkerLink{WorkerID: worker, Kind: kind, Ref: ref}); err != nil {
		t.Fatal(err)
	}
}

func idpFinding(worker, kind string, at time.Time, lr float64, text string) store.IdPFinding {
	return store.IdPFinding{WorkerID: worker, Kind: kind, At: at, LR: lr, Explanation: text, Refs: []string{"okta-" + text}}
}

func riskOf(rs []risk.Risk, s risk.Subject) (risk.Risk, bool) {
	for _, r := range rs {
		if r.Subject == s {
			return r, true
		}
	}
	return risk.Risk{}, false
}

// counted returns the counted bits by detector.
func counted(r risk.Risk) map[string]float64 {
	out := map[string]float64{}
	for _, c := range r.Contributions {
		if c.Counted {
			out[c.Evidence.Detector] += c.Bits
		}
	}
	return out
}

// TestRisksCountStoredLinksAndFindings: a worker without any device, whose
// stored identity-provider findings say "farm" and who is linked in the
// store to a high-risk application, comes out high through Risks with no
// hired map; a worker with neither has no risk at all.
func TestRisksCountStoredLinksAndFindings(t *testing.T) {
	ctx := t.Context()
	st := openStore(t)
	putWorkers(t, st, "w-farm", "w-honest")
	now := time.Now()
	saveApplicant(t, st, "app-1", now.Add(-60*24*time.Hour), 4, "shared.phone", "shared.address", "phone.voip")
	link(t, st, "w-farm", store.LinkApplicant, "app-1")
	link(t, st, "w-farm", store.LinkAccount, "farm@corp.example")
	_, err := st.SaveIdPFindings(ctx, []store.IdPFinding{
		idpFinding("w-farm", "idp.shared-egress", now.Add(-24*time.Hour), 8, "egress shared with w-2 and w-3"),
		idpFinding("w-farm", "idp.shared-egress", now.Add(-48*time.Hour), 8, "an older import of the same farm"),
		idpFinding("w-farm", "idp.off-hours", now.Add(-3*time.Hour), 3, "sign-ins fit UTC+9"),
		idpFinding("w-farm", "idp.hosting-ip", now.Add(-30*24*time.Hour), 2, "outside the window"),
	})
	if err != nil {
		t.Fatal(err)
	}

	// Stored findings weigh what the configuration says.
	cfg := risk.DefaultConfig()
	cfg.Detectors["idp.off-hours"] = risk.Detector{LR: 4, HalfLife: 28 * 24 * time.Hour, CapBits: 8}
	egress := cfg.Detectors["idp.shared-egress"]
	rs, err := riskfeed.Risks(ctx, st, nil, 7*24*time.Hour, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := riskOf(rs, risk.Worker("w-farm"))
	if !ok {
		t.Fatalf("Risks() = %+v; want a risk for w-farm", rs)
	}
	bits := counted(r)
	for _, det := range []string{"idp.shared-egress", "idp.off-hours", "screen.shared.phone", "screen.shared.address", "screen.phone.voip"} {
		if !(bits[det] > 0) {
			t.Errorf("w-farm: %s adds %v bits; want it counted (contributions %v)", det, bits[det], bits)
		}
	}
	if _, ok := bits["idp.hosting-ip"]; ok {
		t.Errorf("w-farm: a finding from before the window counted: %v", bits)
	}
	// The two shared-egress findings are one independence group: only
	// the fresher counts, log2 LR × 0.75 (imported) × a day's decay.
	want := min(math.Log2(egress.LR), egress.CapBits) * cfg.Provenance[risk.Imported] * math.Exp2(-float64(24*time.Hour)/float64(egress.HalfLife))
	if math.Abs(bits["idp.shared-egress"]-want) > 1e-3 {
		t.Errorf("w-farm: idp.shared-egress counted %.4f bits; want %.4f (one of the two findings)", bits["idp.shared-egress"], want)
	}
	n := 0
	for _, c := range r.Contributions {
		if c.Evidence.Detector == "idp.shared-egress" {
			n++
			if c.Evidence.Provenance != risk.Imported || !strings.HasPrefix(c.Evidence.Refs[0], "idp-finding:") {
				t.Errorf("idp evidence = %+v; want provenance imported and the finding as first ref", c.Evidence)
			}
		}
	}
	if n != 2 {
		t.Errorf("w-farm: %d shared-egress contributions listed; want both findings, one counted", n)
	}
	if r.Level != risk.LevelHigh {
		t.Errorf("w-farm: level %s (log-odds %.2f, %v); want high", r.Level, r.LogOdds, bits)
	}
	if _, ok := riskOf(rs, risk.Applicant("app-1")); ok {
		t.Errorf("applicant app-1 has a risk of its own; its screening should count for w-farm")
	}
	if r, ok := riskOf(rs, risk.Worker("w-honest")); ok {
		t.Errorf("w-honest has a risk %+v; it has no evidence", r)
	}
}

// TestGatherLinks: stored applicant links merge with the hired map (an
// applicant listed in both counts once), account links resolve to their
// worker, and links that cannot count are reported.
func TestGatherLinks(t *testing.T) {
	ctx := t.Context()
	st := openStore(t)
	putWorkers(t, st, "w-1", "w-2")
	now := time.Now()
	saveApplicant(t, st, "app-1", now.Add(-time.Hour), 2, "phone.voip")
	saveApplicant(t, st, "app-2", now.Add(-time.Hour), 2, "email.disposable")
	link(t, st, "w-1", store.LinkApplicant, "app-1")
	link(t, st, "w-1", store.LinkApplicant, "app-missing")
	link(t, st, "w-1", store.LinkAccount, "ana@corp.example")
	hired := map[string][]string{"w-1": {"app-1", "app-2"}, "w-gone": {"app-9"}}
	var warnings []string
	ev, links, err := riskfeed.Gather(ctx, st, hired, now.Add(-7*24*time.Hour), now, func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	var dets []string
	for _, e := range ev {
		dets = append(dets, e.Subject.String()+" "+e.Detector)
	}
	slices.Sort(dets)
	want := []string{"applicant:app-1 screen.phone.voip", "applicant:app-2 screen.email.disposable"}
	if !slices.Equal(dets, want) {
		t.Errorf("evidence = %q; want %q (app-1 once)", dets, want)
	}
	for _, s := range []risk.Subject{risk.Applicant("app-1"), risk.Applicant("app-2"), risk.Account("ana@corp.example")} {
		if got := links.Resolve(s); got != risk.Worker("w-1") {
			t.Errorf("Resolve(%s) = %s; want worker:w-1", s, got)
		}
	}
	if got := links.Resolve(risk.Account("bob@corp.example")); got != risk.Account("bob@corp.example") {
		t.Errorf("an unlinked account resolves to %s", got)
	}
	text := strings.Join(warnings, "\n")
	for _, w := range []string{"applicant app-missing is not stored", "worker w-gone: not stored"} {
		if !strings.Contains(text, w) {
			t.Errorf("warnings = %q; want one saying %q", warnings, w)
		}
	}
}

func TestFromIdP(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := store.IdPFinding{ID: "abc", WorkerID: "w-1", Kind: "idp.impossible-travel", At: at, LR: 4, Explanation: "Lagos to Phoenix in 2 h"}
	for i := range 30 {
		f.Refs = append(f.Refs, "rec-"+string(rune('a'+i)))
	}
	e := riskfeed.FromIdP(f)
	if err := e.Validate(); err != nil {
		t.Fatalf("FromIdP() = %+v, invalid: %v", e, err)
	}
	if e.Subject != risk.Worker("w-1") || e.Detector != f.Kind || e.LR != 0 || e.Provenance != risk.Imported || !e.At.Equal(at) ||
		e.Independent != "idp:w-1:idp.impossible-travel" || e.Explanation != f.Explanation {
		t.Errorf("FromIdP() = %+v", e)
	}
	if len(e.Refs) != 20 || e.Refs[0] != "idp-finding:abc" || e.Refs[1] != "idp:rec-a" {
		t.Errorf("FromIdP().Refs = %q; want the finding, then records, 20 in all", e.Refs)
	}
	// The configured weight counts, not the analysis's: changing the
	// configuration re-weighs stored findings.
	cfg := risk.DefaultConfig()
	cfg.Detectors["idp.impossible-travel"] = risk.Detector{LR: 64, CapBits: 8}
	rs := risk.Fuse([]risk.Evidence{e}, nil, cfg, at)
	if len(rs) != 1 || len(rs[0].Contributions) != 1 || rs[0].Contributions[0].LR != 64 {
		t.Errorf("Fuse(FromIdP(finding with LR 4)) = %+v; want the configured LR 64", rs)
	}
}
