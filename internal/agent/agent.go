package agent

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/spool"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// SpoolFile is the name of the spool of unsent telemetry in the state
// directory.
const SpoolFile = "spool.db"

// Defaults of [Config].
const (
	DefaultInterval         = time.Minute
	DefaultEndpointInterval = time.Minute
	DefaultProbes           = 5
	// MaxProbes is the most probes per landmark and round.
	MaxProbes = 100
)

// Config configures an [Agent]. Servers and StateDir are required.
type Config struct {
	// Servers are the base URLs of the landmark servers. The agent enrols
	// at the first one.
	Servers []string
	// Token is the single-use enrolment token; needed only when the state
	// directory holds no credential yet. It is a secret.
	Token string
	// StateDir holds the state file with the device credential.
	StateDir string
	// Interval is the time between rounds; 0 means DefaultInterval.
	Interval time.Duration
	// Probes is the number of probes per landmark and round, 1 to
	// MaxProbes; 0 means DefaultProbes.
	Probes int
	// HTTPClient sends every request; nil means a client with
	// DefaultHTTPTimeout. Tests and demos inject dialers through it.
	HTTPClient *http.Client
	// Hostname, OS and AgentVersion describe the device in enrolment and
	// heartbeats. Defaults: os.Hostname(), GOOS/GOARCH, "dev".
	Hostname, OS, AgentVersion string
	// Logger receives the agent's log; nil discards it.
	Logger *slog.Logger

	// Inputs are the keyboard readers; none means no input windows.
	Inputs []InputSource
	// Window is the length of input windows; 0 means
	// keystroke.DefaultWindow.
	Window time.Duration
	// RawTiming adds every stroke's timing to its window: for the
	// evaluation lab only.
	RawTiming bool
	// Endpoint takes a snapshot of remote-access tools and hardware every
	// EndpointInterval (0 means DefaultEndpointInterval); nil takes none.
	Endpoint         func(context.Context) (wire.EndpointReport, error)
	EndpointInterval time.Duration
	// SpoolMaxBytes bounds the spool of unsent telemetry (spool.db in the
	// state directory); 0 means spool.DefaultMaxBytes.
	SpoolMaxBytes int64
}

// Agent measures RTTs to landmark servers, collects input windows and
// endpoint reports, and sends them through its spool. Create it with [New]
// and call [Agent.Run].
type Agent struct {
	cfg     Config
	log     *slog.Logger
	clients []*Client

	queued chan struct{} // signalled when something was spooled
	status *statusBoard
	cred   string // the device credential, set by Run before it starts its goroutines

	// Retry backoff of a batch: doubling from backoffMin to backoffMax,
	// with jitter. Tests shorten them.
	backoffMin, backoffMax time.Duration
}

// New checks cfg, fills in its defaults and returns an Agent. It does no
// I/O besides looking up the hostname when cfg.Hostname is empty.
func New(cfg Config) (*Agent, error) {
	if len(cfg.Servers) == 0 {
		return nil, errors.New("new agent: no landmark servers")
	}
	if cfg.StateDir == "" {
		return nil, errors.New("new agent: no state directory")
	}
	if cfg.Token != "" && !wire.IsSecret(cfg.Token) {
		return nil, fmt.Errorf("new agent: enrolment token must be 1 to %d printable ASCII characters without spaces", wire.MaxSecretLen)
	}
	switch {
	case cfg.Interval == 0:
		cfg.Interval = DefaultInterval
	case cfg.Interval < 0:
		return nil, fmt.Errorf("new agent: interval %v is negative", cfg.Interval)
	}
	switch {
	case cfg.Probes == 0:
		cfg.Probes = DefaultProbes
	case cfg.Probes < 0 || cfg.Probes > MaxProbes:
		return nil, fmt.Errorf("new agent: probes %d is outside [1, %d]", cfg.Probes, MaxProbes)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if cfg.Hostname == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "unknown"
		}
		cfg.Hostname = h
	}
	if cfg.OS == "" {
		cfg.OS = runtime.GOOS + "/" + runtime.GOARCH
	}
	if cfg.AgentVersion == "" {
		cfg.AgentVersion = "dev"
	}
	cfg.Hostname = truncate(cfg.Hostname, wire.MaxHostnameLen)
	cfg.OS = truncate(cfg.OS, wire.MaxOSLen)
	cfg.AgentVersion = truncate(cfg.AgentVersion, wire.MaxAgentVersionLen)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.Window == 0:
		cfg.Window = keystroke.DefaultWindow
	case cfg.Window < time.Second || cfg.Window > wire.MaxWindowLen:
		return nil, fmt.Errorf("new agent: window %v is outside [1s, %v]", cfg.Window, wire.MaxWindowLen)
	}
	switch {
	case cfg.EndpointInterval == 0:
		cfg.EndpointInterval = DefaultEndpointInterval
	case cfg.EndpointInterval < 0:
		return nil, fmt.Errorf("new agent: endpoint interval %v is negative", cfg.EndpointInterval)
	}
	if cfg.SpoolMaxBytes < 0 {
		return nil, fmt.Errorf("new agent: spool size %d is negative", cfg.SpoolMaxBytes)
	}
	a := &Agent{cfg: cfg, log: cfg.Logger, backoffMin: time.Second, backoffMax: 30 * time.Second,
		queued: make(chan struct{}, 1), status: newStatusBoard()}
	seen := map[string]bool{}
	for _, s := range cfg.Servers {
		c, err := NewClient(s, cfg.HTTPClient)
		if err != nil {
			return nil, fmt.Errorf("new agent: %w", err)
		}
		if seen[c.URL()] {
			return nil, fmt.Errorf("new agent: server %s listed twice", c.URL())
		}
		seen[c.URL()] = true
		a.clients = append(a.clients, c)
	}
	return a, nil
}

// clean makes s fit a wire text field of at most n bytes: valid UTF-8,
// control characters as spaces, cut without splitting a character. Names
// from sysfs, EDIDs and the X server are whatever the device says.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return truncate(s, n)
}

// truncate shortens s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Run enrols the device if the state directory has no credential, then
// until ctx is done: probes every landmark server every Interval, folds
// input into windows, takes endpoint snapshots, and sends all of it
// through the spool; then it returns nil. What is spooled but unsent when
// it returns is sent by the next run. It returns an error only if it
// cannot get a credential (no token, a token the server refuses, a state
// directory it cannot use) or cannot open the spool.
func (a *Agent) Run(ctx context.Context) error {
	st, err := a.credential(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	sp, err := spool.Open(filepath.Join(a.cfg.StateDir, SpoolFile), spool.Config{MaxBytes: a.cfg.SpoolMaxBytes, Logger: a.log})
	if err != nil {
		return err
	}
	defer sp.Close()
	a.log.Info("agent running", "device_id", st.DeviceID, "servers", len(a.clients), "interval", a.cfg.Interval,
		"probes", a.cfg.Probes, "inputs", len(a.cfg.Inputs), "endpoint", a.cfg.Endpoint != nil, "signed", st.PrivateKey != "")
	a.status.set(func(s *Status) { s.DeviceID = st.DeviceID })
	key, err := st.signingKey()
	if err != nil {
		return err
	}
	a.cred = st.Credential
	up := &uploader{a: a, sp: sp, key: key}

	// Producers stop with ctx; the uploader stops after them, so that
	// nothing is put into a closed spool.
	var producers, consumers sync.WaitGroup
	upCtx, stopUpload := context.WithCancel(context.WithoutCancel(ctx))
	consumers.Go(func() { up.run(upCtx) })
	consumers.Go(func() { a.writeStatus(upCtx, sp) })
	for _, c := range a.clients {
		producers.Go(func() { a.probeLoop(ctx, c, sp) })
	}
	for _, src := range a.cfg.Inputs {
		producers.Go(func() { a.inputLoop(ctx, src, sp) })
	}
	if a.cfg.Endpoint != nil {
		producers.Go(func() { a.endpointLoop(ctx, sp) })
	}
	producers.Wait()
	stopUpload()
	consumers.Wait()
	a.saveStatus(sp)
	return nil
}

// credential returns the saved state or, if there is none, enrols at the
// first server and saves the result. Network errors and temporary server
// errors are retried with backoff until ctx is done.
func (a *Agent) credential(ctx context.Context) (State, error) {
	st, err := LoadState(a.cfg.StateDir)
	if err != nil {
		return State{}, err
	}
	if st.Credential != "" {
		return st, nil
	}
	if a.cfg.Token == "" {
		return State{}, fmt.Errorf("no credential in %s and no enrolment token to get one", a.cfg.StateDir)
	}
	if err := checkStateDir(a.cfg.StateDir); err != nil {
		return State{}, err
	}
	c := a.clients[0]
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return State{}, fmt.Errorf("generate the device's signing key: %w", err)
	}
	req := wire.EnrolRequest{Token: a.cfg.Token, Hostname: a.cfg.Hostname, OS: a.cfg.OS, AgentVersion: a.cfg.AgentVersion,
		PublicKey: wire.EncodePublicKey(pub)}
	var resp wire.EnrolResponse
	err = a.retry(ctx, "enrol", c, func(ctx context.Context) error {
		var err error
		resp, err = c.Enrol(ctx, req)
		return err
	})
	if err != nil {
		return State{}, err
	}
	st = State{DeviceID: resp.DeviceID, Credential: resp.Credential, Server: c.URL(),
		Landmark: resp.Landmark.Name, EnrolledAt: time.Now().UTC().Truncate(time.Second),
		PrivateKey: base64.StdEncoding.EncodeToString(priv.Seed())}
	if err := saveState(a.cfg.StateDir, st); err != nil {
		return State{}, fmt.Errorf("enrolled as device %s but could not keep the credential (enrol again with a new token): %w", st.DeviceID, err)
	}
	a.log.Info("device enrolled", "device_id", st.DeviceID, "server", c.URL(), "landmark", st.Landmark)
	return st, nil
}

// probeLoop runs rounds for one server until ctx is done.
func (a *Agent) probeLoop(ctx context.Context, c *Client, sp *spool.Spool) {
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	for {
		a.round(ctx, c, sp)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round probes c's landmark and spools one batch with the results and a
// heartbeat.
func (a *Agent) round(ctx context.Context, c *Client, sp *spool.Spool) {
	rctx, cancel := context.WithTimeout(ctx, a.cfg.Interval)
	defer cancel()
	var samples []wire.Sample
	for range a.cfg.Probes {
		p, err := c.Probe(rctx, a.cred)
		if err != nil {
			if rctx.Err() == nil {
				a.log.Warn("probe failed", "server", c.URL(), "err", err)
			}
			break // the rest would most likely fail the same way
		}
		us := min(max(p.Agent.Microseconds(), wire.MinRTTMicros), wire.MaxRTTMicros)
		samples = append(samples, wire.Sample{Landmark: p.Landmark, At: p.At, RTTMicros: us})
		a.log.Debug("probe", "server", c.URL(), "landmark", p.Landmark, "agent_rtt", p.Agent, "server_rtt", p.Server)
	}
	if ctx.Err() != nil && len(samples) == 0 {
		return
	}
	b := wire.Batch{
		Version: wire.Version,
		BatchID: newBatchID(),
		Samples: samples,
		Heartbeat: &wire.Heartbeat{At: time.Now().UTC(), Hostname: a.cfg.Hostname,
			OS: a.cfg.OS, AgentVersion: a.cfg.AgentVersion},
	}
	a.spoolBatch(sp, KindSamples, b)
}

// inputLoop runs one input source's pipeline until ctx is done, and
// restarts it after a failure (a display that went away comes back).
func (a *Agent) inputLoop(ctx context.Context, src InputSource, sp *spool.Spool) {
	stats := a.status.input(src)
	p := &inputPipeline{src: src, window: a.cfg.Window, raw: a.cfg.RawTiming, log: a.log, stats: stats,
		put: func(w wire.InputWindow) error {
			return a.spoolBatch(sp, KindWindow, wire.Batch{Version: wire.Version, BatchID: w.WindowID, Windows: []wire.InputWindow{w}})
		}}
	backoff := a.backoffMin
	for {
		err := p.run(ctx)
		if ctx.Err() != nil {
			return
		}
		stats.setErr(err)
		a.log.Warn("input reader stopped; will restart", "source", src.Name(), "retry_in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, a.backoffMax)
	}
}

// endpointLoop takes an endpoint snapshot every EndpointInterval.
func (a *Agent) endpointLoop(ctx context.Context, sp *spool.Spool) {
	t := time.NewTicker(a.cfg.EndpointInterval)
	defer t.Stop()
	for {
		rep, err := a.cfg.Endpoint(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			a.log.Warn("endpoint snapshot failed", "err", err)
		default:
			rep.At = rep.At.UTC()
			a.status.set(func(s *Status) { s.Endpoint = &rep })
			a.spoolBatch(sp, KindEndpoint, wire.Batch{Version: wire.Version, BatchID: newBatchID(), Endpoint: &rep})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Kinds of spooled batches.
const (
	KindSamples  = "samples"
	KindWindow   = "window"
	KindEndpoint = "endpoint"
)

// spoolBatch puts b on the spool under its batch ID and wakes the uploader.
func (a *Agent) spoolBatch(sp *spool.Spool, kind string, b wire.Batch) error {
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode %s batch %s: %w", kind, b.BatchID, err)
	}
	if err := sp.Put(spool.Item{Kind: kind, ID: b.BatchID, Payload: body}); err != nil {
		a.log.Error("telemetry lost: cannot spool it", "kind", kind, "batch_id", b.BatchID, "err", err)
		return err
	}
	select {
	case a.queued <- struct{}{}:
	default:
	}
	return nil
}

// newBatchID returns a random batch ID: 26 characters of base32.
func newBatchID() string { return rand.Text() }

// retry calls fn until it succeeds, fails permanently, or ctx is done,
// waiting with exponential backoff and jitter between attempts. A failure
// is temporary if it is a network error or an [APIError] that says so.
func (a *Agent) retry(ctx context.Context, what string, c *Client, fn func(context.Context) error) error {
	backoff := a.backoffMin
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		if !temporary(err) {
			return err
		}
		wait := backoff/2 + mrand.N(backoff/2+1)
		a.log.Warn("request failed; will retry", "action", what, "server", c.URL(), "attempt", attempt, "retry_in", wait.Round(time.Millisecond), "err", err)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return err
		case <-timer.C:
		}
		backoff = min(2*backoff, a.backoffMax)
	}
}

// temporary reports whether a failed request may succeed if sent again.
func temporary(err error) bool {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.Temporary()
	}
	if _, ok := errors.AsType[*wire.FieldError](err); ok {
		return false // the server answered 200 with something this agent cannot read
	}
	return true // network: refused, reset, timed out, DNS
}
