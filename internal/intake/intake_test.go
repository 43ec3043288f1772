package intake

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/screen"
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

func testConfig(t *testing.T) Config {
	t.Helper()
	s, err := screen.New(screen.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return Config{Screener: s, Workers: []Worker{{ID: "w-7", ShippingAddress: "400 Farm Road, Unit 12, Nashville, TN 37201"}}}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const header = "id,name,emails,phones,claimed_location,shipping_address,application_ip\n"

// TestRunLinksAcrossImports imports two files: the second holds a persona
// sharing a phone number with one of the first, and one whose shipping
// address is a current worker's. Both links must show, the earlier
// applicant re-checked, and a bad row rejected without stopping the rest.
func TestRunLinksAcrossImports(t *testing.T) {
	ctx := t.Context()
	st := openStore(t)
	cfg := testConfig(t)
	first := writeFile(t, "week1.csv", header+
		`a-1,Ann Lee,ann.lee@example.com,(602) 555-0134,"Phoenix, AZ, US","12 Elm St, Phoenix, AZ 85004",203.0.113.9`+"\n"+
		`a-2,Bob Ray,bob.ray@example.net,(212) 555-0188,"New York, NY, US","99 Park Ave, New York, NY 10016",198.51.100.4`+"\n")
	rep, err := Run(ctx, cfg, st, []string{first})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || rep.Inserted != 2 || rep.Rings != 0 || rep.Rescreened != 0 {
		t.Fatalf("first import = %+v, want 2 inserted, no rings", rep)
	}

	second := writeFile(t, "week2.csv", header+
		`b-1,Carl Moss,carl.moss@example.org,+1 602-555-0134,"Austin, TX, US","7 Oak St, Austin, TX 78701",192.0.2.10`+"\n"+
		`b-2,Dee Fox,dee.fox@example.org,(615) 555-0101,"Nashville, TN, US","400 Farm Rd Unit 12, Nashville, TN 37201",192.0.2.11`+"\n"+
		`b-3,Eve Bad,not-an-email,,,,`+"\n")
	rep, err = Run(ctx, cfg, st, []string{second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 3 || rep.Imported != 2 || rep.Rejected != 1 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "emails[0]") {
		t.Fatalf("second import = %+v, want 2 imported and the bad e-mail row rejected naming emails[0]", rep)
	}
	// A ring needs two applicants: b-2 and worker w-7 share an address,
	// which b-2's evidence shows, but make no ring.
	if rep.Rings != 1 || rep.Rescreened != 1 {
		t.Fatalf("second import: %d rings, %d re-checked; want 1 ring (shared phone) and a-1 re-checked", rep.Rings, rep.Rescreened)
	}
	if n, err := st.ApplicantCount(ctx); err != nil || n != 4 {
		t.Fatalf("ApplicantCount() = %d, %v; want 4", n, err)
	}
	a1, err := st.Applicant(ctx, "a-1")
	if err != nil {
		t.Fatal(err)
	}
	b1, err := st.Applicant(ctx, "b-1")
	if err != nil {
		t.Fatal(err)
	}
	if a1.RingID == "" || a1.RingID != b1.RingID {
		t.Errorf("a-1 ring %q, b-1 ring %q: want the same ring (shared phone)", a1.RingID, b1.RingID)
	}
	if !strings.Contains(string(a1.Shared), "b-1") || !strings.Contains(string(a1.Result), "shared.phone") {
		t.Errorf("a-1 was not re-checked with its new link: shared %s, result %s", a1.Shared, a1.Result)
	}
	b2, err := st.Applicant(ctx, "b-2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b2.Result), "shared.address-worker") {
		t.Errorf("b-2 ships to worker w-7's address but has no shared.address-worker evidence: %s", b2.Result)
	}
	if !strings.Contains(string(b2.Shared), "worker:w-7") {
		t.Errorf("b-2's shared details %s do not name worker:w-7", b2.Shared)
	}
}

// failingStore fails SaveApplicants, to show nothing of the import is kept.
type failingStore struct{ *store.Store }

func (failingStore) SaveApplicants(context.Context, store.ApplicantBatch) (store.ImportSummary, error) {
	return store.ImportSummary{}, errors.New("disk full")
}

func TestRunStoreFailureKeepsNothing(t *testing.T) {
	st := openStore(t)
	p := writeFile(t, "a.csv", header+`a-1,Ann Lee,ann.lee@example.com,,,,`+"\n")
	if _, err := Run(t.Context(), testConfig(t), failingStore{st}, []string{p}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Run with a failing store = %v, want the store's error", err)
	}
	if n, _ := st.ApplicantCount(t.Context()); n != 0 {
		t.Errorf("%d applicants stored after a failed import, want 0", n)
	}
}

func TestRunDataWholeFileError(t *testing.T) {
	st := openStore(t)
	_, err := RunData(t.Context(), testConfig(t), st, "x.csv", []byte("just,a,header\n"))
	if _, ok := errors.AsType[*hiring.RecordError](err); !ok {
		t.Fatalf("RunData of an unusable file = %v, want a *hiring.RecordError", err)
	}
}

func TestScreenRanksAndParallel(t *testing.T) {
	cfg := testConfig(t)
	apps := []hiring.Applicant{
		{ID: "x-1", Name: "Al One", Emails: []string{"al@mailinator.com"}},
		{ID: "x-2", Name: "Bea Two", Emails: []string{"bea.two@example.com"}},
	}
	for _, par := range []int{1, 4} {
		cfg.Parallel = par
		out, err := Screen(t.Context(), cfg, apps, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Applicants) != 2 || out.Applicants[0].Applicant.ID != "x-1" || out.Applicants[0].Result.Score <= out.Applicants[1].Result.Score {
			t.Errorf("Parallel=%d: ranking %v, want x-1 (disposable e-mail) first", par, out.Applicants)
		}
	}
}
