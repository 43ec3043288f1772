package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/idp"
	"github.com/lagwatch/lagwatch/internal/store"
)

func TestIDPCommand(t *testing.T) {
	dir := t.TempDir()
	for _, w := range [][]string{{"w-1", "New York, NY, US"}, {"w-2", "Chicago, IL, US"}, {"w-3", "Phoenix, AZ, US"}, {"w-4", "Denver, CO, US"}} {
		var out, errb bytes.Buffer
		if err := run(t.Context(), []string{"worker", "add", "-id", w[0], "-name", w[0], "-location", w[1], "-data-dir", dir}, &out, &errb); err != nil {
			t.Fatal(err)
		}
	}
	var log strings.Builder
	n := 0
	event := func(user, ip, at string) {
		n++
		fmt.Fprintf(&log, `{"uuid":"e-%d","published":"%s","eventType":"user.session.start","actor":{"alternateId":"%s"},"client":{"ipAddress":"%s"},"outcome":{"result":"SUCCESS"}}`+"\n", n, at, user, ip)
	}
	for day := 2; day <= 6; day++ {
		for _, u := range []string{"w-1", "w-2", "w-3"} {
			event(u, "203.0.113.50", fmt.Sprintf("2026-11-%02dT15:00:00Z", day)) // the farm's one egress address
		}
		event("w-4", fmt.Sprintf("198.51.100.%d", day), fmt.Sprintf("2026-11-%02dT16:00:00Z", day))
		event("stranger@example.com", "192.0.2.1", fmt.Sprintf("2026-11-%02dT16:00:00Z", day))
	}
	p := writeTemp(t, "okta.jsonl", log.String())
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"idp", "-okta", p, "-data-dir", dir}, &out, &errb); err != nil {
		t.Fatalf("idp: %v\n%s", err, errb.String())
	}
	got := out.String()
	for _, w := range []string{"w-1", "w-2", "w-3"} {
		if !strings.Contains(got, w+"  ") || strings.Count(got, "idp.shared-egress") != 3 {
			t.Errorf("idp output lacks a shared-egress finding per farm worker:\n%s", got)
			break
		}
	}
	if strings.Contains(got, "w-4 ") {
		t.Errorf("the honest worker w-4 has a finding:\n%s", got)
	}
	if !strings.Contains(got, "5 sign-ins of 1 users match no worker") {
		t.Errorf("unmatched users not counted:\n%s", got)
	}
	if err := run(t.Context(), []string{"idp", "-data-dir", dir}, &out, &errb); err == nil || !strings.Contains(err.Error(), "-okta") {
		t.Errorf("idp without a log = %v, want an error naming the flags", err)
	}
}

// TestIDPImport stores the findings of a farm's sign-ins: a worker whose
// login is linked with "worker link -account" is matched, importing the
// same log again stores nothing new, and "idp" alone stores nothing.
func TestIDPImport(t *testing.T) {
	dir := t.TempDir()
	cmd := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(t.Context(), append(args, "-data-dir", dir), &out, &errb); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	for _, w := range [][]string{{"w-1", "New York, NY, US"}, {"w-2", "Chicago, IL, US"}, {"w-3", "Phoenix, AZ, US"}} {
		cmd("worker", "add", "-id", w[0], "-location", w[1])
	}
	// w-3 signs in as carol@corp.example: without the link, only two
	// workers share the address, below the three a finding needs.
	var log strings.Builder
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -5)
	n := 0
	for d := range 5 {
		for _, u := range []string{"w-1", "W-2", "carol@corp.example"} {
			n++
			fmt.Fprintf(&log, `{"uuid":"e-%d","published":"%s","eventType":"user.session.start","actor":{"alternateId":"%s"},"client":{"ipAddress":"203.0.113.50"},"outcome":{"result":"SUCCESS"}}`+"\n",
				n, day.AddDate(0, 0, d).Add(15*time.Hour).Format(time.RFC3339), u)
		}
	}
	p := writeTemp(t, "okta.jsonl", log.String())
	if got := cmd("idp", "import", "-okta", p); !strings.Contains(got, "0 findings") || !strings.Contains(got, "stored 0 new findings; 0 were already stored") {
		t.Errorf("idp import before the account link:\n%s\nwant no findings", got)
	}
	if got := cmd("worker", "link", "-worker", "w-3", "-account", " Carol@Corp.example "); !strings.Contains(got, "linked account carol@corp.example") {
		t.Errorf("worker link -account printed %q; want the login as stored, in lower case", got)
	}
	if got := cmd("idp", "-okta", p); strings.Count(got, "idp.shared-egress") != 3 || strings.Contains(got, "stored") {
		t.Errorf("idp with the account link:\n%s\nwant 3 shared-egress findings and nothing stored", got)
	}
	if got := cmd("idp", "import", "-okta", p); strings.Count(got, "idp.shared-egress") != 3 || !strings.Contains(got, "stored 3 new findings; 0 were already stored") {
		t.Errorf("first idp import:\n%s\nwant 3 findings stored", got)
	}
	var res struct {
		Findings      []json.RawMessage `json:"findings"`
		Stored        *int              `json:"stored"`
		AlreadyStored *int              `json:"already_stored"`
	}
	got := cmd("idp", "import", "-json", "-okta", p)
	if err := json.Unmarshal([]byte(got), &res); err != nil || res.Stored == nil || *res.Stored != 0 || res.AlreadyStored == nil || *res.AlreadyStored != 3 {
		t.Errorf("second idp import -json:\n%s\nwant stored 0, already_stored 3", got)
	}
	st, err := store.Open(t.Context(), filepath.Join(dir, "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, w := range []string{"w-1", "w-2", "w-3"} {
		fs, err := st.IdPFindings(t.Context(), w, time.Time{}, 0)
		if err != nil || len(fs) != 1 || fs[0].Kind != "idp.shared-egress" || len(fs[0].Refs) != 5 || !fs[0].At.Equal(day.AddDate(0, 0, 4).Add(15*time.Hour)) {
			t.Errorf("stored findings of %s = %+v, %v; want one shared-egress finding citing 5 sign-ins, dated at the last", w, fs, err)
		}
	}
}

func TestFindingRecord(t *testing.T) {
	long := strings.Repeat("é", store.MaxIdPExplanationLen) // twice the limit in bytes
	f := idp.Finding{WorkerID: "w-1", Kind: idp.KindSharedEgress, LR: 8, Explanation: long + "\x00\xff",
		Evidence: []string{"e-1", " ", "bad\x00", strings.Repeat("r", store.MaxIdPRefLen+1), "e-2"},
		First:    time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC), Last: time.Date(2026, 11, 6, 15, 0, 0, 0, time.UTC)}
	rec, err := findingRecord(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Validate(); err != nil {
		t.Errorf("findingRecord() of a long explanation and odd refs is not storable: %v", err)
	}
	if !rec.At.Equal(f.Last) || !slices.Equal(rec.Refs, []string{"e-1", "e-2"}) || !strings.HasSuffix(rec.Explanation, "…") || rec.LR != 8 {
		t.Errorf("findingRecord() = At %v, Refs %q, LR %v; want the last sign-in, the storable refs, the LR", rec.At, rec.Refs, rec.LR)
	}
}
