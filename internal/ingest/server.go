package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// Store is what the ingest API needs from a store; *store.Store and
// *postgres.Store implement it. Implementations must be safe for
// concurrent use. The semantics are those documented on store.Store.
type Store interface {
	Enrol(ctx context.Context, tokenHash []byte, d store.Device, credentialHash []byte, now time.Time) (store.Device, error)
	DeviceByCredential(ctx context.Context, credentialHash []byte) (store.Device, error)
	Landmarks(ctx context.Context) ([]store.Landmark, error)
	PutLandmark(ctx context.Context, l store.Landmark) error
	SaveBatch(ctx context.Context, b store.Batch) (stored bool, err error)
	AddSamples(ctx context.Context, samples []store.RTTSample) error
}

// Defaults and fixed limits.
const (
	// DefaultMaxBodyBytes is the default of Config.MaxBodyBytes, 1 MiB: a
	// full batch of 1000 samples is about 80 KiB.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultProbeTTL is the default of Config.ProbeTTL.
	DefaultProbeTTL = 10 * time.Second
	// DefaultMaxProbes is the default of Config.MaxProbes.
	DefaultMaxProbes = 4096
	// MaxProbesPerDevice is the most probes one device may have open.
	MaxProbesPerDevice = 8

	landmarkCacheTTL = 10 * time.Second // how long the set of known landmarks is reused
	registerEvery    = time.Minute      // how often Run refreshes the landmark's SeenAt
	tcpSampleEvery   = time.Second      // at most one server-tcp sample per connection per this
)

// Config configures a [Server]. Only Landmark is required.
type Config struct {
	// Landmark is the landmark this server is: its name labels the RTTs it
	// measures, and agents learn it from enrolment and probe challenges.
	// The name must be a valid wire landmark name (1 to 64 bytes).
	Landmark store.Landmark
	// MaxBodyBytes caps request bodies; larger ones get 413 too_large.
	// 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ProbeTTL is how long a probe challenge may go unanswered. 0 means
	// DefaultProbeTTL.
	ProbeTTL time.Duration
	// MaxProbes caps the open probes of all devices; beyond it GET
	// /api/v1/probe answers 429. 0 means DefaultMaxProbes.
	MaxProbes int
	// Now is the wall clock for timestamps and for the window that batch
	// times must fall in; nil means time.Now. RTTs and probe expiry always
	// use the monotonic clock, whatever Now is.
	Now func() time.Time
	// Logger receives the server's log; nil discards it. Credentials and
	// tokens are never logged.
	Logger *slog.Logger
	// NoKernelRTT turns off the server-tcp samples. Only for a path whose
	// delay is added above TCP (the demo without network namespaces), where
	// the kernel's RTT would measure a local hop, not the device.
	NoKernelRTT bool
}

// Server serves the ingest API for one landmark. Create it with [New].
type Server struct {
	st     Store
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	probes *probeTable

	draining atomic.Bool

	lmMu      sync.Mutex      // guards the landmark cache below
	lmNames   map[string]bool // names of known landmarks
	lmExpires time.Time       // when lmNames must be reloaded (monotonic)
}

// New returns a Server for cfg that stores into st. It checks cfg and
// does no I/O; see [Server.Run] for registering the landmark.
func New(st Store, cfg Config) (*Server, error) {
	if st == nil {
		return nil, errors.New("new ingest server: nil store")
	}
	if err := cfg.Landmark.Validate(); err != nil {
		return nil, fmt.Errorf("new ingest server for landmark %q: %w", cfg.Landmark.Name, err)
	}
	if err := wire.CheckLandmark(wireLandmark(cfg.Landmark)); err != nil {
		return nil, fmt.Errorf("new ingest server for landmark %q: %w", cfg.Landmark.Name, err)
	}
	switch {
	case cfg.MaxBodyBytes < 0:
		return nil, fmt.Errorf("new ingest server: MaxBodyBytes %d is negative", cfg.MaxBodyBytes)
	case cfg.ProbeTTL < 0:
		return nil, fmt.Errorf("new ingest server: ProbeTTL %v is negative", cfg.ProbeTTL)
	case cfg.MaxProbes < 0:
		return nil, fmt.Errorf("new ingest server: MaxProbes %d is negative", cfg.MaxProbes)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ProbeTTL == 0 {
		cfg.ProbeTTL = DefaultProbeTTL
	}
	if cfg.MaxProbes == 0 {
		cfg.MaxProbes = DefaultMaxProbes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		st:     st,
		cfg:    cfg,
		log:    cfg.Logger.With("landmark", cfg.Landmark.Name),
		probes: newProbeTable(cfg.ProbeTTL, cfg.MaxProbes, MaxProbesPerDevice),
	}
	s.mux = s.routes()
	return s, nil
}

// wireLandmark converts a landmark for the wire.
func wireLandmark(l store.Landmark) wire.Landmark {
	return wire.Landmark{Name: l.Name, Location: l.Location, Lat: l.Lat, Lon: l.Lon}
}

// Handler returns the HTTP handler of the ingest API.
func (s *Server) Handler() http.Handler { return s.mux }

// ConnContext is meant for http.Server.ConnContext: it remembers the
// connection in ctx so that handlers can read its kernel TCP RTT. Without
// it the server stores no server-tcp samples.
func (s *Server) ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{conn: c})
}

// Drain makes /api/v1/healthz answer 503 so that load balancers and
// monitors stop sending new agents here before the server shuts down. The
// other routes keep working.
func (s *Server) Drain() { s.draining.Store(true) }

// Run registers the server's landmark in the store (with SeenAt set to
// now) and refreshes it every minute until ctx is done; then it returns
// nil. It returns an error if the first registration fails; later failures
// are logged and retried at the next refresh.
func (s *Server) Run(ctx context.Context) error {
	if err := s.register(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: a normal end, as below
		}
		return err
	}
	t := time.NewTicker(registerEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := s.register(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("landmark registration failed", "err", err)
			}
		}
	}
}

// register stores the server's landmark as seen now.
func (s *Server) register(ctx context.Context) error {
	l := s.cfg.Landmark
	l.SeenAt = s.cfg.Now()
	if err := s.st.PutLandmark(ctx, l); err != nil {
		return fmt.Errorf("register landmark %q: %w", l.Name, err)
	}
	s.log.Debug("landmark registered")
	return nil
}

// knownLandmarks returns the names of the landmarks in the store, cached
// for landmarkCacheTTL; this server's own landmark is always known. If
// reloading fails, a stale set is used when there is one.
func (s *Server) knownLandmarks(ctx context.Context) (map[string]bool, error) {
	s.lmMu.Lock()
	defer s.lmMu.Unlock()
	if s.lmNames != nil && time.Now().Before(s.lmExpires) {
		return s.lmNames, nil
	}
	ls, err := s.st.Landmarks(ctx)
	if err != nil {
		if s.lmNames != nil {
			s.log.Warn("using stale landmark list", "err", err)
			s.lmExpires = time.Now().Add(time.Second) // retry soon, not on every request
			return s.lmNames, nil
		}
		return nil, err
	}
	names := make(map[string]bool, len(ls)+1)
	names[s.cfg.Landmark.Name] = true
	for _, l := range ls {
		names[l.Name] = true
	}
	s.lmNames, s.lmExpires = names, time.Now().Add(landmarkCacheTTL)
	return names, nil
}
