package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/agent"
	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/spool"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// envPrefix prefixes the environment mirror of every flag:
// --state-dir is LAGWATCH_AGENT_STATE_DIR.
const envPrefix = "LAGWATCH_AGENT_"

// Limits of the configuration.
const (
	minInterval = time.Second
	maxInterval = 24 * time.Hour
	minSpool    = 1 << 20
	maxSpool    = 1 << 30
)

// Config is the agent's whole configuration, from flags and environment.
type Config struct {
	Servers  []string      // landmark base URLs; the agent enrols at the first
	Token    string        // enrolment token; a secret
	StateDir string        // holds the credential
	Interval time.Duration // time between rounds
	Probes   int           // probes per landmark and round
	Insecure bool          // allow http:// for loopback and demo addresses
	CAFile   string        // extra PEM CA certificates to trust; "" for the system's
	LogLevel slog.Level    // least level logged

	Inputs           []string      // input readers: "evdev", "x11"
	X11Display       string        // "auto", "off" or a display such as ":0"
	X11Authority     string        // Xauthority file for X11Display; "" to take the X server's or $XAUTHORITY
	Window           time.Duration // input window length
	RawTiming        bool          // lab only: send every stroke's timing
	Endpoint         bool          // scan for remote-access tools and IP-KVM hardware
	EndpointInterval time.Duration // time between endpoint scans
	Root             string        // file system root of /proc, /sys and /dev for the collectors
	KVMIdentifiers   string        // extra IP-KVM identifier file
	SpoolMaxBytes    int64         // bound of the spool of unsent telemetry
}

// String returns the configuration as check-config prints it, with the
// token redacted.
func (c Config) String() string {
	token := "not set"
	if c.Token != "" {
		token = "set (redacted)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "servers:    %s\n", strings.Join(c.Servers, ", "))
	fmt.Fprintf(&b, "token:      %s\n", token)
	fmt.Fprintf(&b, "state dir:  %s\n", c.StateDir)
	fmt.Fprintf(&b, "interval:   %v\n", c.Interval)
	fmt.Fprintf(&b, "probes:     %d\n", c.Probes)
	fmt.Fprintf(&b, "insecure:   %v\n", c.Insecure)
	fmt.Fprintf(&b, "ca file:    %s\n", cmpOr(c.CAFile, "(system roots)"))
	fmt.Fprintf(&b, "log level:  %v\n", c.LogLevel)
	fmt.Fprintf(&b, "inputs:     %s (x11 display %s)\n", cmpOr(strings.Join(c.Inputs, ", "), "none"), c.X11Display)
	fmt.Fprintf(&b, "window:     %v (raw timing %v)\n", c.Window, c.RawTiming)
	fmt.Fprintf(&b, "endpoint:   %v every %v (root %s)\n", c.Endpoint, c.EndpointInterval, c.Root)
	fmt.Fprintf(&b, "spool max:  %d bytes\n", c.SpoolMaxBytes)
	return b.String()
}

func cmpOr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// defaultStateDir is where a service install keeps its state.
func defaultStateDir() string {
	switch runtime.GOOS {
	case "windows":
		if pd := os.Getenv("ProgramData"); pd != "" {
			return filepath.Join(pd, "lagwatch-agent")
		}
		return `C:\ProgramData\lagwatch-agent`
	case "darwin":
		return "/Library/Application Support/lagwatch-agent"
	}
	return "/var/lib/lagwatch-agent"
}

// parseConfig builds the configuration of command cmd from the
// environment (read with getenv) and then args, and validates it.
func parseConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := Config{
		StateDir: defaultStateDir(),
		Interval: agent.DefaultInterval,
		Probes:   agent.DefaultProbes,
		LogLevel: slog.LevelInfo,

		X11Display:       "auto",
		Window:           keystroke.DefaultWindow,
		Endpoint:         true,
		EndpointInterval: agent.DefaultEndpointInterval,
		Root:             "/",
		SpoolMaxBytes:    spool.DefaultMaxBytes,
	}
	var servers string
	inputs := "evdev,x11"
	fs := flag.NewFlagSet("lagwatch-agent "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&servers, "servers", "", "comma-separated base URLs of the landmark servers, such as https://us-west.example.com; the agent enrols at the first")
	fs.StringVar(&cfg.Token, "token", "", "single-use enrolment token, needed until the agent is enrolled (prefer "+envPrefix+"TOKEN: command lines are visible)")
	fs.StringVar(&cfg.StateDir, "state-dir", cfg.StateDir, "directory for the agent's state file, which holds its credential")
	fs.DurationVar(&cfg.Interval, "interval", cfg.Interval, fmt.Sprintf("time between rounds of probes, %v to %v", minInterval, maxInterval))
	fs.IntVar(&cfg.Probes, "probes", cfg.Probes, fmt.Sprintf("probes per landmark and round, 1 to %d", agent.MaxProbes))
	fs.BoolVar(&cfg.Insecure, "insecure", false, "allow plain http:// server URLs, only for loopback and 198.18.0.0/15 (demo) hosts")
	fs.StringVar(&cfg.CAFile, "ca-file", "", "PEM file of CA certificates to trust for the servers, in addition to the system's")
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log level: debug, info, warn or error")
	fs.StringVar(&inputs, "inputs", inputs, "comma-separated keyboard readers: evdev (kernel devices), x11 (XInput2, sees XTEST injection); \"none\" for none")
	fs.StringVar(&cfg.X11Display, "x11-display", cfg.X11Display, "X display for the x11 reader: \"auto\" (the running X server's, found in /proc), \"off\", or a display such as :0")
	fs.StringVar(&cfg.X11Authority, "x11-authority", "", "Xauthority file for the X display; default: the X server's -auth file, else $XAUTHORITY")
	fs.DurationVar(&cfg.Window, "window", cfg.Window, fmt.Sprintf("length of input timing windows, 1s to %v", wire.MaxWindowLen))
	fs.BoolVar(&cfg.RawTiming, "raw-timing", false, "send every key stroke's timing and class (never its key) in each window; for the evaluation lab only")
	fs.BoolVar(&cfg.Endpoint, "endpoint", cfg.Endpoint, "scan for remote-access tools with their sessions' RTTs, and for IP-KVM USB devices and displays")
	fs.DurationVar(&cfg.EndpointInterval, "endpoint-interval", cfg.EndpointInterval, fmt.Sprintf("time between endpoint scans, %v to %v", minInterval, maxInterval))
	fs.StringVar(&cfg.Root, "root", cfg.Root, "file system root under which the collectors read proc/, sys/ and dev/ (for tests)")
	fs.StringVar(&cfg.KVMIdentifiers, "kvm-identifiers", "", "CSV file of IP-KVM identifiers to match besides the built-in ones (docs/agent-install.md)")
	fs.Int64Var(&cfg.SpoolMaxBytes, "spool-max-bytes", cfg.SpoolMaxBytes, fmt.Sprintf("bound of the on-disk spool of unsent telemetry, %d to %d bytes; the oldest is dropped, and counted, when full", minSpool, maxSpool))
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: lagwatch-agent %s [flags]\n\nEach flag can also be set with %s<FLAG NAME>, e.g. %sSERVERS; flags win.\n\n", cmd, envPrefix, envPrefix)
		fs.PrintDefaults()
	}

	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s: %w", name, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments %q; server URLs go in --servers, comma-separated", fs.Args())
	}
	for s := range strings.SplitSeq(servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Servers = append(cfg.Servers, s)
		}
	}
	for s := range strings.SplitSeq(inputs, ",") {
		if s = strings.TrimSpace(s); s != "" && s != "none" {
			cfg.Inputs = append(cfg.Inputs, s)
		}
	}
	if err := cfg.validate(cmd != "status"); err != nil {
		return Config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

// envName returns the environment mirror of a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// validate checks everything that can be checked before starting; each
// error names the flag to change. Only the status command may run without
// servers.
func (c Config) validate(needServers bool) error {
	var errs []error
	if len(c.Servers) == 0 && needServers {
		errs = append(errs, errors.New("--servers: at least one landmark server URL is required"))
	}
	seen := map[string]bool{}
	for _, s := range c.Servers {
		if err := checkServerURL(s, c.Insecure); err != nil {
			errs = append(errs, fmt.Errorf("--servers: %w", err))
		}
		key := strings.TrimRight(s, "/")
		if seen[key] {
			errs = append(errs, fmt.Errorf("--servers: %s is listed twice", s))
		}
		seen[key] = true
	}
	if c.Token != "" && !wire.IsSecret(c.Token) {
		errs = append(errs, fmt.Errorf("--token: must be 1 to %d printable ASCII characters without spaces", wire.MaxSecretLen))
	}
	if c.StateDir == "" {
		errs = append(errs, errors.New("--state-dir: must not be empty"))
	}
	if c.Interval < minInterval || c.Interval > maxInterval {
		errs = append(errs, fmt.Errorf("--interval: %v is outside [%v, %v]", c.Interval, minInterval, maxInterval))
	}
	if c.Probes < 1 || c.Probes > agent.MaxProbes {
		errs = append(errs, fmt.Errorf("--probes: %d is outside [1, %d]", c.Probes, agent.MaxProbes))
	}
	if c.CAFile != "" {
		if _, err := loadCAs(c.CAFile); err != nil {
			errs = append(errs, fmt.Errorf("--ca-file: %w", err))
		}
	}
	seenInput := map[string]bool{}
	for _, in := range c.Inputs {
		if in != "evdev" && in != "x11" {
			errs = append(errs, fmt.Errorf("--inputs: unknown reader %q; want evdev, x11 or none", in))
		}
		if seenInput[in] {
			errs = append(errs, fmt.Errorf("--inputs: %s is listed twice", in))
		}
		seenInput[in] = true
	}
	if d := c.X11Display; d != "auto" && d != "off" && !strings.Contains(d, ":") {
		errs = append(errs, fmt.Errorf("--x11-display: %q is not auto, off or a display such as :0", d))
	}
	if c.Window < time.Second || c.Window > wire.MaxWindowLen {
		errs = append(errs, fmt.Errorf("--window: %v is outside [1s, %v]", c.Window, wire.MaxWindowLen))
	}
	if c.EndpointInterval < minInterval || c.EndpointInterval > maxInterval {
		errs = append(errs, fmt.Errorf("--endpoint-interval: %v is outside [%v, %v]", c.EndpointInterval, minInterval, maxInterval))
	}
	if c.Root == "" {
		errs = append(errs, errors.New("--root: must not be empty"))
	}
	if c.SpoolMaxBytes < minSpool || c.SpoolMaxBytes > maxSpool {
		errs = append(errs, fmt.Errorf("--spool-max-bytes: %d is outside [%d, %d]", c.SpoolMaxBytes, minSpool, maxSpool))
	}
	return errors.Join(errs...)
}

// checkServerURL accepts https URLs, and http URLs with insecure when the
// host is a loopback name or address or in the demo range 198.18.0.0/15.
func checkServerURL(s string, insecure bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("parse %q: %w", s, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q has no host", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have user info, a query or a fragment", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if !insecure {
			return fmt.Errorf("%q is plain http; use https, or --insecure for a loopback or demo server", s)
		}
		if !demoHost(u.Hostname()) {
			return fmt.Errorf("%q: plain http is allowed only for localhost, 127.0.0.0/8, ::1 and 198.18.0.0/15, even with --insecure", s)
		}
		return nil
	}
	return fmt.Errorf("%q: scheme must be https", s)
}

// demoNet is the benchmarking range (RFC 2544) that package netpath's
// demo namespaces use.
var demoNet = netip.MustParsePrefix("198.18.0.0/15")

// demoHost reports whether host may be reached over plain http.
func demoHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsLoopback() || demoNet.Contains(a)
}

// loadCAs returns the system roots plus the certificates in the PEM file.
func loadCAs(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificates", path)
	}
	return pool, nil
}

// httpClient returns the client the agent uses: TLS 1.2 or newer, the
// configured CAs, no proxy (the servers must see the device's own
// connections), and a timeout per request.
func (c Config) httpClient() (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pool, err := loadCAs(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("load --ca-file: %w", err)
		}
		tlsConfig.RootCAs = pool
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		IdleConnTimeout:       2 * time.Minute,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     false, // HTTP/1.1: one probe per connection at a time, nothing multiplexed in front of it
	}
	return &http.Client{Transport: tr, Timeout: agent.DefaultHTTPTimeout}, nil
}
