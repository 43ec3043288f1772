package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store"
)

// TestPresenceLinkCommand: `lagwatch presence link` creates the signing
// key once (mode 0600) and signs links serve can check with it; bad flags,
// an unknown worker and a bad key file are refused with the flag or file
// named.
func TestPresenceLinkCommand(t *testing.T) {
	dir := t.TempDir()
	st, err := openStore(t.Context(), StoreConfig{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorker(t.Context(), store.Worker{ID: "w-1", ClaimedLocation: "Phoenix, AZ, US"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	link := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(t.Context(), append([]string{"presence", "link", "-data-dir", dir}, args...), &out, &errb)
		return strings.TrimSpace(out.String()), err
	}
	var subs []presence.Subject
	for _, enrol := range []string{"-enrol=false", "-enrol"} {
		got, err := link("-worker", "w-1", enrol, "-url", "https://lagwatch.example.com/ui/")
		if err != nil {
			t.Fatalf("presence link %s: %v", enrol, err)
		}
		u, err := url.Parse(got)
		if err != nil || !strings.HasPrefix(got, "https://lagwatch.example.com/ui/presence/?t=") {
			t.Fatalf("presence link printed %q; want https://lagwatch.example.com/ui/presence/?t=TOKEN", got)
		}
		links, err := PresenceConfig{}.links(dir)
		if err != nil {
			t.Fatal(err)
		}
		s, err := links.Parse(u.Query().Get("t"))
		if err != nil {
			t.Fatalf("the printed link does not verify with the data directory's key: %v", err)
		}
		subs = append(subs, s)
	}
	if subs[0].WorkerID != "w-1" || subs[0].Enrol || !subs[1].Enrol || subs[0].Link == subs[1].Link {
		t.Errorf("links = %+v; want w-1, a test then an enrolment, different link IDs", subs)
	}
	fi, err := os.Stat(filepath.Join(dir, "presence.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("presence.key: %v, %v; want mode 0600", fi, err)
	}

	bad := filepath.Join(t.TempDir(), "short.key")
	if err := os.WriteFile(bad, []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-worker: required"},
		{[]string{"-worker", "w-9"}, "-worker: w-9 is not stored"},
		{[]string{"-worker", "w-1", "-ttl", "200h"}, "-ttl: 200h0m0s; want more than 0 and at most 168h0m0s"},
		{[]string{"-worker", "w-1", "-url", "ftp://x/"}, `-url: "ftp://x/"`},
		{[]string{"-worker", "w-1", "-presence-key", bad}, "short.key: 2 bytes, want at least 32"},
	} {
		if _, err := link(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("presence link %q = %v; want an error containing %q", tc.args, err, tc.want)
		}
	}
}
