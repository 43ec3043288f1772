package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/netpath"
)

// demoStatuses runs the demo once and returns worker name → verdict.
func demoStatuses(t *testing.T, duration string, extra ...string) (map[string]string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args := append([]string{"demo", "--once", "--duration", duration}, extra...)
	if err := run(t.Context(), args, &out, &errb); err != nil {
		t.Fatalf("lagwatch demo: %v\nstderr:\n%s", err, errb.String())
	}
	got := map[string]string{}
	row := regexp.MustCompile(`(?m)^(\w+ \w+)\s+Phoenix, AZ, US\s+(CONSISTENT|TOO-SLOW|IMPOSSIBLE|INCONSISTENT|INSUFFICIENT)\s`)
	for _, m := range row.FindAllStringSubmatch(out.String(), -1) {
		got[m[1]] = m[2]
	}
	return got, out.String()
}

func checkDemo(t *testing.T, got map[string]string, out string, satellite ...string) {
	t.Helper()
	if len(satellite) == 0 {
		satellite = []string{"CONSISTENT"}
	}
	want := map[string][]string{
		"Alex Rivera": {"CONSISTENT"},             // honest, cable
		"Sam Ortiz":   satellite,                  // honest, geostationary satellite
		"Jordan Lee":  {"TOO-SLOW", "IMPOSSIBLE"}, // Shenyang behind a US VPN
		"Chris Novak": {"IMPOSSIBLE", "TOO-SLOW"}, // Frankfurt, no VPN
	}
	for name, ok := range want {
		if !contains(ok, got[name]) {
			t.Errorf("demo verdict for %s = %q, want one of %v\n%s", name, got[name], ok, out)
		}
	}
	if !strings.Contains(out, "too slow") || !strings.Contains(out, " ms") || !strings.Contains(out, " km") {
		t.Errorf("demo output lacks explained numbers:\n%s", out)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestDemoRealNetworkPaths(t *testing.T) {
	if err := netpath.Available(); err != nil {
		t.Skip("real network paths unavailable: ", err)
	}
	got, out := demoStatuses(t, "8s")
	if !strings.Contains(out, "real network paths") {
		t.Fatalf("demo did not use network namespaces:\n%s", out)
	}
	checkDemo(t, got, out)
}

func TestDemoApplicationDelay(t *testing.T) {
	// Application-layer delay serialises every write and read of a request,
	// so the 600 ms satellite worker may not collect three samples in time;
	// it must never be flagged.
	got, out := demoStatuses(t, "8s", "--app-delay")
	if !strings.Contains(out, "application-layer delay") {
		t.Fatalf("demo does not say it delays at the application layer:\n%s", out)
	}
	checkDemo(t, got, out, "CONSISTENT", "INSUFFICIENT")
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"worker", "add", "-id", "w1", "-location", "Phoenx, AZ, US", "-data-dir", "DIR"}, `no city "Phoenx"`},
		{[]string{"worker", "add", "-id", "w1", "-location", "Phoenix, AZ, US", "-access", "pigeon", "-data-dir", "DIR"}, "-access"},
		{[]string{"worker", "add", "-location", "Phoenix, AZ, US", "-data-dir", "DIR"}, "-id: required"},
		{[]string{"token", "create", "-worker", "nobody", "-data-dir", "DIR"}, "worker nobody"},
		{[]string{"serve", "-landmark", "us-west", "-landmark-location", "Los Angeles, CA, US", "-data-dir", "DIR"}, "-tls-cert"},
		{[]string{"serve", "-landmark", "", "-data-dir", "DIR"}, "-landmark: required"},
		{[]string{"serve", "-landmark", "us-west", "-landmark-location", "Los Angeles, CA, US", "-insecure-http", "-data-dir", "DIR", "-alert-interval", "10ms"}, "-alert-interval: want at least 1s"},
		{[]string{"serve", "-landmark", "us-west", "-landmark-location", "Los Angeles, CA, US", "-insecure-http", "-data-dir", "DIR", "-siem-webhook", "https://siem.example/hook"}, "-siem-webhook and -siem-webhook-secret-file go together"},
		{[]string{"serve", "-landmark", "us-west", "-landmark-location", "Los Angeles, CA, US", "-insecure-http", "-data-dir", "DIR", "-risk-config", "DIR/none.json"}, "-risk-config"},
		{[]string{"demo", "-duration", "1s"}, "-duration"},
		{[]string{"lab", "rtt"}, "-pings is required"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		for i, a := range tt.args {
			tt.args[i] = strings.ReplaceAll(a, "DIR", dir)
		}
		var out, errb bytes.Buffer
		err := run(t.Context(), tt.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) error = %v, want it to contain %q", tt.args, err, tt.want)
		}
	}
}

func TestWorkerAddAndList(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"worker", "add", "-data-dir", dir, "-id", "w-1", "-name", "Alex", "-location", "1234 W Main St, Phoenix, AZ 85004, USA", "-access", "cable"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"worker", "list", "-data-dir", dir}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "w-1") || !strings.Contains(out.String(), "Phoenix, AZ, US") || !strings.Contains(out.String(), "cable") {
		t.Errorf("worker list = %q", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"token", "create", "-data-dir", dir, "-worker", "w-1"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if tok := strings.TrimSpace(out.String()); len(tok) < 30 {
		t.Errorf("token create printed %q, want a token", tok)
	}
}
