package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestWorkerLink(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"worker", "add", "-id", "w-1", "-location", "Phoenix, AZ, US", "-data-dir", dir}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	args := []string{"worker", "link", "-worker", "w-1", "-applicant", "app-7", "-account", "Ana@Corp.example", "-account", "ana.r@corp.example", "-data-dir", dir}
	if err := run(ctx, args, &out, &errb); err != nil {
		t.Fatalf("worker link: %v\n%s", err, errb.String())
	}
	for _, want := range []string{"worker w-1: linked applicant app-7", "worker w-1: linked account ana@corp.example", "worker w-1: linked account ana.r@corp.example"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("worker link printed:\n%s\nwant %q", out.String(), want)
		}
	}
	if !strings.Contains(errb.String(), "applicant app-7 is not stored yet") {
		t.Errorf("worker link of an applicant not imported yet: stderr %q; want a note", errb.String())
	}
	// Linking again is allowed and changes nothing.
	if err := run(ctx, args, &out, &errb); err != nil {
		t.Fatalf("worker link again: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"worker", "links", "-worker", "w-1", "-data-dir", dir}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "account") || !strings.Contains(lines[1], "ana.r@corp.example") || !strings.Contains(lines[3], "app-7") {
		t.Errorf("worker links:\n%s\nwant a header and 3 links, accounts first", out.String())
	}
	for _, tt := range []struct {
		args    []string
		mention string
	}{
		{[]string{"link", "-applicant", "app-1"}, "-worker"},
		{[]string{"link", "-worker", "w-1"}, "-applicant or -account"},
		{[]string{"link", "-worker", "w-9", "-applicant", "app-1"}, "w-9 is not stored"},
		{[]string{"link", "-worker", "w-1", "-account", strings.Repeat("a", 321)}, "Ref"},
		{[]string{"link", "-worker", "w-1", "-applicant", " "}, "Ref"},
		{[]string{"unlink", "-worker", "w-1"}, "-applicant or -account"},
		{[]string{"relink"}, "unknown subcommand"},
	} {
		err := run(ctx, append(append([]string{"worker"}, tt.args...), "-data-dir", dir), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("worker %v = %v; want an error mentioning %q", tt.args, err, tt.mention)
		}
	}

	// Unlinking removes the links given, and names those that were not stored.
	out.Reset()
	err := run(ctx, []string{"worker", "unlink", "-worker", "w-1", "-applicant", "app-7", "-account", "ANA@corp.example", "-account", "nobody@corp.example", "-data-dir", dir}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "no link -account nobody@corp.example") {
		t.Errorf("worker unlink with a link never stored = %v; want an error naming it", err)
	}
	for _, want := range []string{"worker w-1: unlinked applicant app-7", "worker w-1: unlinked account ana@corp.example"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("worker unlink printed:\n%s\nwant %q", out.String(), want)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"worker", "links", "-data-dir", dir}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "ana.r@corp.example") {
		t.Errorf("worker links after unlinking:\n%s\nwant only ana.r@corp.example", out.String())
	}
}
