// Package rttlab evaluates lagwatch's device-distance verdicts on real
// city-to-city RTT measurements (the WonderProxy ping mesh), with the protocol
// described in docs/lab-rtt.md:
//
//   - every server is a device's true place; every server's city (its own
//     included) is a claimed place; displacement is the distance between them;
//   - the device's RTT to a landmark is the measured server-to-server minimum
//     plus a last-mile access latency drawn from the documented mix (one draw
//     per device and trial, shared by all landmarks, as for a real device);
//   - servers are split into folds; the band is fitted, and landmarks are
//     calibrated, only on servers outside the fold whose devices are judged,
//     so no device is ever judged by a model that has seen its own pings;
//   - claims are undeclared access ("unknown"), the conservative case;
//   - servers the mesh shows faster than light to several others are not
//     where they are listed, and can be left out (Config.Exclude).
//
// It reports detection (flagged share of displaced claims) and false alarms
// (flagged share of claims within 100 km) by displacement band, for a single
// landmark and for a set of several.
package rttlab

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lagwatch/lagwatch/internal/geo"
	"github.com/lagwatch/lagwatch/internal/lab/wonderproxy"
	"github.com/lagwatch/lagwatch/internal/latency"
)

// Config describes one evaluation run.
type Config struct {
	// Landmarks are server city names used as landmarks (as in the data's
	// title column, e.g. "Los Angeles").
	Landmarks []string
	// Calibrated uses each landmark's pings to training servers as
	// calibration anchors; otherwise only the distance band predicts.
	Calibrated bool
	Folds      int     // cross-validation folds (default 5)
	Draws      int     // access-latency draws per (device, claim) pair (default 2)
	Seed       uint64  // random seed for folds and draws
	Alpha      float64 // false-alarm budget per verdict (default 0.005)
	RadiusKm   float64 // calibration radius (default 1000)
	// Exclude are servers (indexes into the dataset) left out entirely: no
	// device, claim, anchor or fitting ping comes from them. The command
	// excludes wonderproxy.Dataset.Mislocated servers.
	Exclude []int
}

// Bands are the displacement bands reported, in km.
var Bands = []struct {
	Name   string
	Lo, Hi float64
}{
	{"<100 km", 0, 100},
	{"100-1,000 km", 100, 1000},
	{"1,000-3,000 km", 1000, 3000},
	{">3,000 km", 3000, 1e9},
}

// Row is the outcome for one group of trials.
type Row struct {
	Group   string  `json:"group"`
	Trials  int     `json:"trials"`
	Flagged int     `json:"flagged"`
	Rate    float64 `json:"rate"` // Flagged / Trials
	// By status, for the flagged trials.
	Impossible   int `json:"impossible"`
	TooSlow      int `json:"too_slow"`
	Inconsistent int `json:"inconsistent"`
}

// Result is one evaluation run.
type Result struct {
	Landmarks  []string `json:"landmarks"`
	Calibrated bool     `json:"calibrated"`
	Folds      int      `json:"folds"`
	Draws      int      `json:"draws"`
	Alpha      float64  `json:"alpha"`
	Excluded   []string `json:"excluded,omitempty"` // "city, country" of Config.Exclude
	Bands      []Row    `json:"bands"`
	Regions    []Row    `json:"regions"` // named scenarios, e.g. East Asia claiming the US
}

// region scenarios: devices truly in one set of countries claiming another.
var scenarios = []struct {
	name     string
	device   []string
	claimUS  bool // claim any continental-US city
	claimAny bool
}{
	{"CN/KR/HK/TW device claiming continental US", []string{"China", "South Korea", "Hong Kong", "Taiwan"}, true, false},
	{"Japan device claiming continental US", []string{"Japan"}, true, false},
	{"Europe device claiming continental US", europe, true, false},
	{"Russia device claiming continental US", []string{"Russia"}, true, false},
	{"India device claiming continental US", []string{"India"}, true, false},
}

var europe = []string{"United Kingdom", "Netherlands", "Germany", "Italy", "Switzerland", "Belgium", "France", "Czech Republic", "Spain", "Austria", "Bulgaria", "Greece", "Ireland", "Lithuania", "Norway", "Poland", "Sweden", "Finland", "Albania", "Croatia", "Denmark", "Estonia", "Hungary", "Iceland", "Isle of Man", "Kosovo", "Latvia", "Luxembourg", "Moldova", "Portugal", "Romania", "Serbia", "Slovakia", "Slovenia", "Ukraine", "Cyprus"}

func continentalUS(s wonderproxy.Server) bool {
	return s.Country == "United States" && s.State != "HI" && s.State != "AK"
}

// Run evaluates cfg on ds.
func Run(ds *wonderproxy.Dataset, cfg Config) (*Result, error) {
	if cfg.Folds <= 1 {
		cfg.Folds = 5
	}
	if cfg.Draws <= 0 {
		cfg.Draws = 2
	}
	if cfg.Alpha <= 0 {
		cfg.Alpha = 0.005
	}
	if cfg.RadiusKm <= 0 {
		cfg.RadiusKm = 1000
	}
	var lms []int
	for _, name := range cfg.Landmarks {
		i := slices.IndexFunc(ds.Servers, func(s wonderproxy.Server) bool { return strings.EqualFold(s.Name, name) })
		if i < 0 {
			return nil, fmt.Errorf("landmark %q: no server with that city name in the data", name)
		}
		lms = append(lms, i)
	}
	if len(lms) == 0 {
		return nil, fmt.Errorf("landmarks: want at least one")
	}
	isLandmark := map[int]bool{}
	for _, l := range lms {
		isLandmark[l] = true
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1a9))
	fold := make([]int, len(ds.Servers))
	for i, j := range rng.Perm(len(ds.Servers)) {
		fold[j] = i % cfg.Folds
	}
	// An excluded server is in no fold: never judged, never trained on.
	var excluded []string
	for _, j := range cfg.Exclude {
		if j < 0 || j >= len(ds.Servers) {
			return nil, fmt.Errorf("exclude: server index %d out of range [0, %d)", j, len(ds.Servers))
		}
		if isLandmark[j] {
			return nil, fmt.Errorf("exclude: %s is a landmark", ds.Servers[j].Name)
		}
		if fold[j] >= 0 {
			fold[j] = -1
			excluded = append(excluded, ds.Servers[j].Name+", "+ds.Servers[j].Country)
		}
	}
	places := make([]geo.Point, len(ds.Servers))
	for i, s := range ds.Servers {
		places[i] = s.Point
	}
	unknown, err := latency.ParseAccess("")
	if err != nil {
		return nil, err
	}
	res := &Result{Landmarks: cfg.Landmarks, Calibrated: cfg.Calibrated, Folds: cfg.Folds, Draws: cfg.Draws, Alpha: cfg.Alpha, Excluded: excluded}
	bandRows := make([]Row, len(Bands))
	scenRows := make([]Row, len(scenarios))

	for f := range cfg.Folds {
		// trains says server j may fit the band and calibrate the
		// landmarks for fold f: it is neither in f nor excluded.
		trains := func(j int) bool { return fold[j] >= 0 && fold[j] != f }
		var train []latency.Ping
		for _, p := range ds.Pairs {
			if trains(p.From) && trains(p.To) {
				train = append(train, latency.Ping{From: p.From, To: p.To, RTTMs: p.MinMs})
			}
		}
		band, err := latency.FitBand(places, train, cfg.RadiusKm, "cross-validation fold")
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f, err)
		}
		cals := make([]*latency.Calibration, len(lms))
		if cfg.Calibrated {
			for k, l := range lms {
				c := &latency.Calibration{Landmark: places[l]}
				for j := range ds.Servers {
					if !trains(j) || j == l {
						continue
					}
					if v, ok := rtt(ds, l, j); ok {
						c.Anchors = append(c.Anchors, latency.Anchor{Point: places[j], RTTMs: v})
					}
				}
				cals[k] = c
			}
		}
		for x := range ds.Servers {
			if fold[x] != f || isLandmark[x] {
				continue
			}
			path := make([]float64, len(lms))
			ok := true
			for k, l := range lms {
				path[k], ok = rtt(ds, l, x)
				if !ok {
					break
				}
			}
			if !ok {
				continue
			}
			for c := range ds.Servers {
				if fold[c] < 0 {
					continue
				}
				disp := geo.Distance(places[x], places[c])
				claim := latency.Claim{Place: ds.Servers[c].Name, Point: places[c], Access: unknown}
				for range cfg.Draws {
					_, acc := latency.DrawMix(rng)
					obs := make([]latency.Observation, len(lms))
					for k, l := range lms {
						obs[k] = latency.Observation{Landmark: ds.Servers[l].Name, At: places[l], MinMs: path[k] + acc, Count: 100, Provenance: "server-tcp", Calibration: cals[k]}
					}
					v := band.Assess(claim, obs, latency.Options{Alpha: cfg.Alpha, SkipRegion: true})
					for b, bd := range Bands {
						if disp >= bd.Lo && disp < bd.Hi {
							bandRows[b].add(v.Status)
						}
					}
					for s, sc := range scenarios {
						if slices.Contains(sc.device, ds.Servers[x].Country) && (sc.claimAny || (sc.claimUS && continentalUS(ds.Servers[c]))) {
							scenRows[s].add(v.Status)
						}
					}
				}
			}
		}
	}
	for b := range bandRows {
		bandRows[b].Group = Bands[b].Name
		bandRows[b].finish()
	}
	for s := range scenRows {
		scenRows[s].Group = scenarios[s].name
		scenRows[s].finish()
	}
	res.Bands, res.Regions = bandRows, scenRows
	return res, nil
}

// rtt returns the measured minimum RTT between servers a and b, in either
// direction (the mesh is not complete in both).
func rtt(ds *wonderproxy.Dataset, a, b int) (float64, bool) {
	if v, ok := ds.RTT(a, b); ok {
		return v, true
	}
	return ds.RTT(b, a)
}

func (r *Row) add(s latency.Status) {
	r.Trials++
	switch s {
	case latency.Impossible:
		r.Impossible++
	case latency.TooSlow:
		r.TooSlow++
	case latency.Inconsistent:
		r.Inconsistent++
	}
	if s.Flagged() {
		r.Flagged++
	}
}

func (r *Row) finish() {
	if r.Trials > 0 {
		r.Rate = float64(r.Flagged) / float64(r.Trials)
	}
}
