package agent

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// Defaults of [Config].
const (
	DefaultInterval = time.Minute
	DefaultProbes   = 5
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
}

// Agent measures RTTs to landmark servers and reports them. Create it with
// [New] and call [Agent.Run].
type Agent struct {
	cfg     Config
	log     *slog.Logger
	clients []*Client

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
	a := &Agent{cfg: cfg, log: cfg.Logger, backoffMin: time.Second, backoffMax: 30 * time.Second}
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
// runs a round for every landmark server at once and every Interval,
// until ctx is done; then it returns nil. It returns an error only if it
// cannot get a credential: no token, a token the server refuses, or a
// state directory it cannot use.
func (a *Agent) Run(ctx context.Context) error {
	st, err := a.credential(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.log.Info("agent running", "device_id", st.DeviceID, "servers", len(a.clients), "interval", a.cfg.Interval, "probes", a.cfg.Probes)
	var wg sync.WaitGroup
	for _, c := range a.clients {
		wg.Go(func() { a.loop(ctx, c, st.Credential) })
	}
	wg.Wait()
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
	req := wire.EnrolRequest{Token: a.cfg.Token, Hostname: a.cfg.Hostname, OS: a.cfg.OS, AgentVersion: a.cfg.AgentVersion}
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
		Landmark: resp.Landmark.Name, EnrolledAt: time.Now().UTC().Truncate(time.Second)}
	if err := saveState(a.cfg.StateDir, st); err != nil {
		return State{}, fmt.Errorf("enrolled as device %s but could not keep the credential (enrol again with a new token): %w", st.DeviceID, err)
	}
	a.log.Info("device enrolled", "device_id", st.DeviceID, "server", c.URL(), "landmark", st.Landmark)
	return st, nil
}

// loop runs rounds for one server until ctx is done.
func (a *Agent) loop(ctx context.Context, c *Client, credential string) {
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	for {
		a.round(ctx, c, credential)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round probes c's landmark and sends one batch with the results and a
// heartbeat. It gives up when the next round is due.
func (a *Agent) round(ctx context.Context, c *Client, credential string) {
	rctx, cancel := context.WithTimeout(ctx, a.cfg.Interval)
	defer cancel()
	var samples []wire.Sample
	for range a.cfg.Probes {
		p, err := c.Probe(rctx, credential)
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
	b := wire.Batch{
		Version: wire.Version,
		BatchID: newBatchID(),
		Samples: samples,
		Heartbeat: &wire.Heartbeat{At: time.Now().UTC(), Hostname: a.cfg.Hostname,
			OS: a.cfg.OS, AgentVersion: a.cfg.AgentVersion},
	}
	err := a.retry(rctx, "send batch", c, func(ctx context.Context) error {
		resp, err := c.SendBatch(ctx, credential, b)
		if err == nil {
			a.log.Debug("batch sent", "server", c.URL(), "batch_id", b.BatchID, "samples", len(samples), "duplicate", resp.Duplicate)
		}
		return err
	})
	if err != nil && ctx.Err() == nil { // failed for good, or still failing when the next round was due
		a.log.Warn("batch dropped", "server", c.URL(), "batch_id", b.BatchID, "samples", len(samples), "err", err)
	}
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
