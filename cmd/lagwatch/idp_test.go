package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
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
