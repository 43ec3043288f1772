package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
)

// input is rmm_tools.json in the shared data directory beside the
// repository, as go generate reads it (relative to the package, one level
// up from here).
const input = "../../../../../shared/data/lolrmm/rmm_tools.json"

// TestUpToDate rebuilds the catalogue from the pinned snapshot and compares
// it with the embedded file.
func TestUpToDate(t *testing.T) {
	raw, err := os.ReadFile(input)
	if err != nil {
		t.Skipf("LOLRMM snapshot not here: %v", err)
	}
	cat, err := build(raw)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := os.ReadFile("../lolrmm.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cat.encode(), embedded) {
		t.Errorf("lolrmm.tsv.gz is out of date: run go generate ./internal/endpoint/remote")
	}
}

func TestProcessName(t *testing.T) {
	for _, tc := range []struct {
		in     string
		fromPE bool
		want   string
		native bool
		drop   string // part of the reason, "" to keep
	}{
		{"AnyDesk.exe", true, "anydesk", false, ""},
		{`C:\Program Files\AnyDesk\AnyDesk.exe`, false, "anydesk", false, ""},
		{`"C:\Program Files\AnyDesk\AnyDesk.exe" --service`, false, "anydesk", false, ""},
		{`C:\Program Files (x86)\Level\level.exe --key <key> --action=run`, false, "level", false, ""},
		{"*\\rustdesk*.exe", false, "rustdesk*", false, ""},
		{"zabbix_agent*.exe", false, "zabbix_agent*", false, ""},
		{"tmate", true, "tmate", true, ""},
		{"/usr/local/bin/tmate", false, "tmate", true, ""},
		{"/opt/komari/komari", false, "komari", true, ""},
		{"/Applications/X.app/Contents/MacOS/XAgent", false, "xagent", true, ""},
		{"Remote Workforce Client.exe", false, "remote workforce client", false, ""},

		{"tmate", false, "", false, "bare name"},
		{"/opt/dataplicity/tuxtunnel/manager", false, "", false, "bare name"},
		{"C:\\Program Files\\TeamViewer\\", false, "", false, "no file name"},
		{"StatementView.msi", true, "", false, "not an executable"},
		{"wintun.dll", true, "", false, "not an executable"},
		{"agent.exe", false, "", false, "generic"},
		{"svchost.exe", false, "", false, "generic"},
		{"g2a*.exe", false, "", false, "prefix pattern shorter"},
		{"agent_*_rw.exe", false, "", false, "wildcard"},
		{"<random>.exe", false, "", false, "wildcard"},
		{"%APPDATA%\\x.exe", false, "x", false, "shorter than 3"},
		{"dd.exe", false, "", false, "shorter than 3"},
		{strings.Repeat("a", 65) + ".exe", false, "", false, "longer than 64"},
	} {
		got, native, why := processName(tc.in, tc.fromPE)
		if tc.drop != "" {
			if !strings.Contains(why, tc.drop) {
				t.Errorf("processName(%q, %v) = %q, %q; want dropped: %s", tc.in, tc.fromPE, got, why, tc.drop)
			}
			continue
		}
		if got != tc.want || native != tc.native || why != "" {
			t.Errorf("processName(%q, %v) = %q, native %v, %q; want %q, native %v", tc.in, tc.fromPE, got, native, why, tc.want, tc.native)
		}
	}
}

// FuzzProcessName checks that what processName keeps is a lower-case name
// the decoder in package remote accepts.
func FuzzProcessName(f *testing.F) {
	for _, s := range []string{`"C:\A B\x.exe" -y`, "/usr/bin/tmate", "a*.exe", "Ünïcode.exe", "\x00.exe"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, fromPE bool) {
		name, _, why := processName(in, fromPE)
		if why != "" {
			return
		}
		if checkName(name) != "" || name != asciiLower(name) || strings.ContainsAny(name, "\t\n") {
			t.Fatalf("processName(%q) kept %q", in, name)
		}
	})
}
