package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/ingest"
	"github.com/lagwatch/lagwatch/internal/store"
)

func TestParseConfig(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(*Config) // edits the defaults into the expected config
		wantErr string
	}{
		{
			name: "flags",
			args: []string{"--servers", "https://us.example.com, https://eu.example.com/", "--token", "tok", "--state-dir", "/tmp/s", "--interval", "30s", "--probes", "7", "--log-level", "debug"},
			want: func(c *Config) {
				c.Servers = []string{"https://us.example.com", "https://eu.example.com/"}
				c.Token, c.StateDir, c.Interval, c.Probes, c.LogLevel = "tok", "/tmp/s", 30*time.Second, 7, slog.LevelDebug
			},
		},
		{
			name: "environment",
			env: map[string]string{"LAGWATCH_AGENT_SERVERS": "https://us.example.com", "LAGWATCH_AGENT_TOKEN": "tok",
				"LAGWATCH_AGENT_STATE_DIR": "/tmp/e", "LAGWATCH_AGENT_INTERVAL": "2m", "LAGWATCH_AGENT_PROBES": "3",
				"LAGWATCH_AGENT_INSECURE": "true", "LAGWATCH_AGENT_LOG_LEVEL": "warn"},
			want: func(c *Config) {
				c.Servers = []string{"https://us.example.com"}
				c.Token, c.StateDir, c.Interval, c.Probes, c.Insecure, c.LogLevel = "tok", "/tmp/e", 2*time.Minute, 3, true, slog.LevelWarn
			},
		},
		{
			name: "flags win over environment",
			args: []string{"--interval", "10s", "--servers", "https://a.example.com"},
			env:  map[string]string{"LAGWATCH_AGENT_SERVERS": "https://b.example.com", "LAGWATCH_AGENT_INTERVAL": "2m"},
			want: func(c *Config) { c.Servers, c.Interval = []string{"https://a.example.com"}, 10*time.Second },
		},
		{
			name: "insecure loopback and demo",
			args: []string{"--insecure", "--servers", "http://127.0.0.1:8080,http://localhost:1,http://[::1]:2,http://198.19.0.1:8080"},
			want: func(c *Config) {
				c.Insecure = true
				c.Servers = []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2", "http://198.19.0.1:8080"}
			},
		},
		{name: "no servers", wantErr: "--servers: at least one"},
		{name: "http without insecure", args: []string{"--servers", "http://127.0.0.1:8080"}, wantErr: "use https, or --insecure"},
		{name: "http to the internet", args: []string{"--insecure", "--servers", "http://lagwatch.example.com"}, wantErr: "only for localhost"},
		{name: "http to a private address", args: []string{"--insecure", "--servers", "http://10.0.0.1"}, wantErr: "only for localhost"},
		{name: "ftp", args: []string{"--servers", "ftp://x.example.com"}, wantErr: "scheme must be https"},
		{name: "no host", args: []string{"--servers", "https://"}, wantErr: "has no host"},
		{name: "query", args: []string{"--servers", "https://x.example.com/?a=b"}, wantErr: "query"},
		{name: "twice", args: []string{"--servers", "https://x.example.com,https://x.example.com/"}, wantErr: "listed twice"},
		{name: "interval short", args: []string{"--servers", "https://x.example.com", "--interval", "10ms"}, wantErr: "--interval"},
		{name: "probes", args: []string{"--servers", "https://x.example.com", "--probes", "0"}, wantErr: "--probes"},
		{name: "token", args: []string{"--servers", "https://x.example.com", "--token", "a b"}, wantErr: "--token"},
		{name: "ca file", args: []string{"--servers", "https://x.example.com", "--ca-file", caFile}, wantErr: "--ca-file"},
		{name: "ca file missing", args: []string{"--servers", "https://x.example.com", "--ca-file", "/nonexistent.pem"}, wantErr: "--ca-file"},
		{name: "bad env", env: map[string]string{"LAGWATCH_AGENT_PROBES": "many"}, wantErr: "LAGWATCH_AGENT_PROBES"},
		{name: "bad flag", args: []string{"--colour"}, wantErr: "flag provided but not defined"},
		{name: "positional", args: []string{"--servers", "https://x.example.com", "https://y.example.com"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig("run", tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseConfig(%q, %v) = %v, want an error containing %q", tt.args, tt.env, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig(%q, %v) = %v", tt.args, tt.env, err)
			}
			want := Config{StateDir: defaultStateDir(), Interval: time.Minute, Probes: 5, LogLevel: slog.LevelInfo}
			tt.want(&want)
			if !slices.Equal(got.Servers, want.Servers) || got.Token != want.Token || got.StateDir != want.StateDir ||
				got.Interval != want.Interval || got.Probes != want.Probes || got.Insecure != want.Insecure || got.LogLevel != want.LogLevel {
				t.Errorf("parseConfig(%q, %v) = %+v, want %+v", tt.args, tt.env, got, want)
			}
		})
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(t.Context(), []string{"check-config", "--servers", "https://us.example.com", "--token", "secret-token-123", "--state-dir", dir}, &out, io.Discard)
	if err != nil {
		t.Fatalf("check-config = %v\n%s", err, out.String())
	}
	if s := out.String(); strings.Contains(s, "secret-token-123") || !strings.Contains(s, "token:      set (redacted)") || !strings.Contains(s, "config ok") {
		t.Errorf("check-config output:\n%s\nwant the token redacted and config ok", s)
	}
	err = run(t.Context(), []string{"check-config", "--servers", "https://us.example.com", "--state-dir", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no enrolment token") {
		t.Errorf("check-config without token or credential = %v, want an error", err)
	}
	if err := run(t.Context(), []string{"check-config"}, io.Discard, io.Discard); err == nil {
		t.Error("check-config without servers = nil error, want an error")
	}
}

func TestCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"version"}, &out, io.Discard); err != nil || strings.TrimSpace(out.String()) == "" {
		t.Errorf("version = %q, %v", out.String(), err)
	}
	if err := run(t.Context(), nil, io.Discard, io.Discard); err == nil {
		t.Error("no command = nil error, want an error")
	}
	if err := run(t.Context(), []string{"frobnicate"}, io.Discard, io.Discard); err == nil {
		t.Error("unknown command = nil error, want an error")
	}
}

// TestRunAgainstServer runs "lagwatch-agent run" against a real ingest
// server on loopback until the server has stored its measurements.
func TestRunAgainstServer(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "lagwatch.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const token = "run-test-token-1"
	h := sha256.Sum256([]byte(token))
	lm := store.Landmark{Name: "us-west", Location: "Los Angeles, CA, US", Lat: 34.05, Lon: -118.24}
	for _, err := range []error{
		st.PutWorker(ctx, store.Worker{ID: "w-1"}),
		st.CreateEnrolmentToken(ctx, h[:], "w-1", time.Now().Add(time.Hour)),
		st.PutLandmark(ctx, lm),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ing, err := ingest.New(st, ingest.Config{Landmark: lm})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(ing.Handler())
	srv.Config.ConnContext = ing.ConnContext
	srv.Start()
	defer srv.Close()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var logs bytes.Buffer
	done := make(chan error, 1)
	args := []string{"run", "--servers", srv.URL, "--insecure", "--token", token, "--state-dir", t.TempDir(), "--interval", "1s", "--probes", "2", "--log-level", "debug"}
	go func() { done <- run(runCtx, args, io.Discard, &logs) }()

	deadline := time.Now().Add(20 * time.Second)
	for {
		devs, err := st.Devices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(devs) == 1 {
			sum, err := st.RTTSummary(ctx, devs[0].ID, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var provs []store.Provenance
			for _, s := range sum {
				provs = append(provs, s.Provenance)
			}
			if slices.Contains(provs, store.Agent) && slices.Contains(provs, store.ServerApp) {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no samples within 20 s; agent log:\n%s", <-done)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run = %v, want nil after cancel", err)
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("agent log contains the token:\n%s", logs.String())
	}
}

// FuzzParseConfig checks that any flags and environment either fail with
// an error or give a configuration that keeps the rules: https, or http to
// a loopback or demo host with --insecure; limits respected.
func FuzzParseConfig(f *testing.F) {
	f.Add("--servers\x00https://us.example.com\x00--probes\x003", "")
	f.Add("--insecure\x00--servers\x00http://127.0.0.1:1,http://198.18.0.9", "5s")
	f.Add("--servers=http://[::ffff:127.0.0.1]:80\x00--insecure=true", "")
	f.Add("", "https://x")
	f.Fuzz(func(t *testing.T, args, envServers string) {
		if len(args) > 4096 || len(envServers) > 4096 {
			return
		}
		var argv []string
		if args != "" {
			argv = strings.Split(args, "\x00")
		}
		env := map[string]string{"LAGWATCH_AGENT_SERVERS": envServers}
		cfg, err := parseConfig("run", argv, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			return
		}
		if len(cfg.Servers) == 0 || cfg.Probes < 1 || cfg.Probes > 100 || cfg.Interval < time.Second {
			t.Fatalf("parseConfig(%q) = %+v, breaks a limit", argv, cfg)
		}
		for _, s := range cfg.Servers {
			if err := checkServerURL(s, cfg.Insecure); err != nil {
				t.Fatalf("parseConfig(%q) accepted server %q: %v", argv, s, err)
			}
			if strings.HasPrefix(s, "http:") && !cfg.Insecure {
				t.Fatalf("parseConfig(%q) accepted plain http without --insecure: %q", argv, s)
			}
		}
	})
}
