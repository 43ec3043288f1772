// Package analyze computes the device-distance verdict of every enrolled
// device from what the store holds: the worker's claimed location and access,
// the landmarks, and the minimum RTT each landmark measured to the device over
// a window. Server-measured RTTs outrank agent-reported ones: for each
// landmark the strongest provenance with enough samples is used, and the
// verdict says which.
package analyze

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/place"
	"github.com/lagwatch/lagwatch/internal/store"
)

// Store is what the analyzer reads.
type Store interface {
	Workers(ctx context.Context) ([]store.Worker, error)
	Devices(ctx context.Context) ([]store.Device, error)
	Device(ctx context.Context, id string) (store.Device, error)
	Worker(ctx context.Context, id string) (store.Worker, error)
	Landmarks(ctx context.Context) ([]store.Landmark, error)
	RTTSummary(ctx context.Context, deviceID string, since time.Time) ([]store.LandmarkRTT, error)
}

// Config configures an Analyzer.
type Config struct {
	Band *latency.Band // required
	// Calibrations maps a landmark name to its anchors, for landmarks that
	// have been calibrated. Optional.
	Calibrations map[string]*latency.Calibration
	Window       time.Duration    // how far back samples count (default 24h)
	Options      latency.Options  // verdict options (zero: defaults)
	Locator      *ipgeo.Locator   // optional: locates the device's last IP
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // nil: discard
}

// Analyzer computes verdicts. It is safe for concurrent use.
type Analyzer struct {
	st  Store
	cfg Config
	log *slog.Logger
}

// New returns an Analyzer reading from st.
func New(st Store, cfg Config) (*Analyzer, error) {
	if cfg.Band == nil {
		return nil, fmt.Errorf("analyze: Config.Band is required")
	}
	if cfg.Window <= 0 {
		cfg.Window = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Options.NameOf == nil {
		cfg.Options.NameOf = nearestName
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Analyzer{st: st, cfg: cfg, log: log}, nil
}

func nearestName(p geo.Point) string {
	pl, km, ok := place.Nearest(p, 50000)
	if !ok {
		return ""
	}
	if km < 30 {
		return pl.String()
	}
	return fmt.Sprintf("%.0f km from %s", km, pl.String())
}

// DeviceVerdict is one device's verdict with what it was computed from.
type DeviceVerdict struct {
	Worker     store.Worker
	Device     store.Device
	Verdict    latency.Verdict
	IP         ipgeo.Location // location of Device.LastIP, when a locator is set
	ComputedAt time.Time
}

// rank orders provenances, strongest first.
var rank = map[store.Provenance]int{store.ServerTCP: 0, store.ServerApp: 1, store.Agent: 2}

// Device computes the verdict of one device.
func (a *Analyzer) Device(ctx context.Context, id string) (DeviceVerdict, error) {
	d, err := a.st.Device(ctx, id)
	if err != nil {
		return DeviceVerdict{}, fmt.Errorf("analyze device %s: %w", id, err)
	}
	w, err := a.st.Worker(ctx, d.WorkerID)
	if err != nil {
		return DeviceVerdict{}, fmt.Errorf("analyze device %s: worker %s: %w", id, d.WorkerID, err)
	}
	lms, err := a.st.Landmarks(ctx)
	if err != nil {
		return DeviceVerdict{}, fmt.Errorf("analyze device %s: %w", id, err)
	}
	return a.verdict(ctx, w, d, lms)
}

// All computes the verdict of every device, ordered by worker then device.
func (a *Analyzer) All(ctx context.Context) ([]DeviceVerdict, error) {
	devs, err := a.st.Devices(ctx)
	if err != nil {
		return nil, fmt.Errorf("analyze: list devices: %w", err)
	}
	workers, err := a.st.Workers(ctx)
	if err != nil {
		return nil, fmt.Errorf("analyze: list workers: %w", err)
	}
	lms, err := a.st.Landmarks(ctx)
	if err != nil {
		return nil, fmt.Errorf("analyze: list landmarks: %w", err)
	}
	byID := make(map[string]store.Worker, len(workers))
	for _, w := range workers {
		byID[w.ID] = w
	}
	out := make([]DeviceVerdict, 0, len(devs))
	for _, d := range devs {
		w, ok := byID[d.WorkerID]
		if !ok {
			continue
		}
		v, err := a.verdict(ctx, w, d, lms)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (a *Analyzer) verdict(ctx context.Context, w store.Worker, d store.Device, lms []store.Landmark) (DeviceVerdict, error) {
	now := a.cfg.Now()
	sum, err := a.st.RTTSummary(ctx, d.ID, now.Add(-a.cfg.Window))
	if err != nil {
		return DeviceVerdict{}, fmt.Errorf("analyze device %s: rtt summary: %w", d.ID, err)
	}
	access, err := latency.ParseAccess(w.Access)
	if err != nil {
		return DeviceVerdict{}, fmt.Errorf("analyze device %s: worker %s: %w", d.ID, w.ID, err)
	}
	claim := latency.Claim{Place: w.ClaimedLocation, Point: geo.Point{Lat: w.Lat, Lon: w.Lon}, Access: access, AccessDeclared: w.Access != ""}
	obs := Observations(sum, lms, a.cfg.Options.MinSamples, a.cfg.Calibrations)
	dv := DeviceVerdict{Worker: w, Device: d, ComputedAt: now}
	dv.Verdict = a.cfg.Band.Assess(claim, obs, a.cfg.Options)
	if a.cfg.Locator != nil && d.LastIP != "" {
		if ip, err := netip.ParseAddr(d.LastIP); err == nil {
			if loc, err := a.cfg.Locator.Lookup(ip); err == nil {
				dv.IP = loc
			} else {
				a.log.Debug("locate device ip", "device_id", d.ID, "err", err)
			}
		}
	}
	return dv, nil
}

// Observations picks, for each landmark, the strongest provenance with at
// least minSamples samples (default 3) and returns it as an observation.
func Observations(sum []store.LandmarkRTT, lms []store.Landmark, minSamples int, cals map[string]*latency.Calibration) []latency.Observation {
	if minSamples <= 0 {
		minSamples = 3
	}
	byName := make(map[string]store.Landmark, len(lms))
	for _, l := range lms {
		byName[l.Name] = l
	}
	best := map[string]store.LandmarkRTT{}
	for _, s := range sum {
		if s.Count < minSamples {
			continue
		}
		if _, ok := byName[s.Landmark]; !ok {
			continue
		}
		if cur, ok := best[s.Landmark]; !ok || rank[s.Provenance] < rank[cur.Provenance] {
			best[s.Landmark] = s
		}
	}
	var obs []latency.Observation
	for name, s := range best {
		l := byName[name]
		obs = append(obs, latency.Observation{
			Landmark: name, Place: l.Location, At: geo.Point{Lat: l.Lat, Lon: l.Lon},
			MinMs: float64(s.Min) / float64(time.Millisecond), Count: s.Count, From: s.First, To: s.Last,
			Provenance: string(s.Provenance), Calibration: cals[name],
		})
	}
	slices.SortFunc(obs, func(a, b latency.Observation) int { return cmp.Compare(a.Landmark, b.Landmark) })
	return obs
}
