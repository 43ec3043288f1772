package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := t.Context()
	var out, errs bytes.Buffer
	if err := runUser(ctx, []string{"add", "-data-dir", dir, "-name", "ada", "-role", "admin"}, strings.NewReader("correct horse battery\n"), &out, &errs); err != nil {
		t.Fatalf("user add = %v (%s)", err, errs.String())
	}
	if err := runUser(ctx, []string{"add", "-data-dir", dir, "-name", "ada", "-role", "hr"}, strings.NewReader("correct horse battery\n"), &out, &errs); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("user add of an existing user = %v, want an error saying it exists", err)
	}
	for _, tt := range []struct {
		args    []string
		stdin   string
		mention string
	}{
		{[]string{"add", "-name", "bob", "-role", "root"}, "correct horse battery\n", "-role"},
		{[]string{"add", "-name", "Bob", "-role", "hr"}, "correct horse battery\n", "-name"},
		{[]string{"add", "-name", "bob", "-role", "hr"}, "short\n", "12–256 bytes"},
		{[]string{"passwd", "-name", "nobody"}, "correct horse battery\n", "not found"},
		{[]string{"remove"}, "", "unknown subcommand"},
	} {
		err := runUser(ctx, append(tt.args, "-data-dir", dir), strings.NewReader(tt.stdin), &out, &errs)
		if err == nil || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("user %v = %v, want an error mentioning %q", tt.args, err, tt.mention)
		}
	}
	out.Reset()
	if err := runUser(ctx, []string{"add", "-data-dir", dir, "-name", "hal", "-role", "hr", "-generate"}, nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "password for hal (shown once): ") {
		t.Errorf("user add -generate printed %q, want the password", out.String())
	}
	if err := runUser(ctx, []string{"passwd", "-data-dir", dir, "-name", "hal"}, strings.NewReader("another long password\n"), &out, &errs); err != nil {
		t.Fatalf("user passwd = %v", err)
	}
	out.Reset()
	if err := runUser(ctx, []string{"list", "-data-dir", dir}, nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "ada") || !strings.Contains(got, "admin") || !strings.Contains(got, "hal") || !strings.Contains(got, "hr") {
		t.Errorf("user list = %q, want ada admin and hal hr", got)
	}
}

func TestDashboardAuthNeedsUsersOffLoopback(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st, err := openStore(t.Context(), StoreConfig{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if a, err := dashboardAuth(t.Context(), st, "127.0.0.1:8080", false); a != nil || err != nil {
		t.Errorf("dashboardAuth(loopback, no users) = %v, %v; want nil, nil (open dashboard)", a, err)
	}
	if _, err := dashboardAuth(t.Context(), st, "0.0.0.0:8080", false); err == nil || !strings.Contains(err.Error(), "-ui-addr") {
		t.Errorf("dashboardAuth(0.0.0.0, no users) = %v, want an error naming -ui-addr", err)
	}
	st.Close()
	var out, errs bytes.Buffer
	if err := runUser(t.Context(), []string{"add", "-data-dir", dir, "-name", "ada", "-role", "admin", "-generate"}, nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	st, err = openStore(t.Context(), StoreConfig{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if a, err := dashboardAuth(t.Context(), st, "0.0.0.0:8080", false); a == nil || err != nil {
		t.Errorf("dashboardAuth(0.0.0.0, with a user) = %v, %v; want an authenticator", a, err)
	}
}
