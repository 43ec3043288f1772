package web

import (
	"encoding/json"
	"math"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/ipgeo"
	"github.com/lagwatch/lagwatch/internal/latency"
)

// The api* types are the v1 JSON shape documented in the package comment.
// Change them only by adding fields, and update that comment with them.

type apiVerdict struct {
	WorkerID        string         `json:"worker_id"`
	WorkerName      string         `json:"worker_name"`
	ClaimedLocation string         `json:"claimed_location"`
	Access          *string        `json:"access"`
	DeviceID        string         `json:"device_id"`
	Hostname        string         `json:"hostname"`
	LastSeen        *time.Time     `json:"last_seen"`
	LastIP          *string        `json:"last_ip"`
	IPLocation      *apiIPLocation `json:"ip_location"`
	Status          string         `json:"status"`
	Summary         string         `json:"summary"`
	Explanation     []string       `json:"explanation"`
	Landmarks       []apiLandmark  `json:"landmarks"`
	Region          *apiRegion     `json:"region"`
	ComputedAt      time.Time      `json:"computed_at"`
}

type apiIPLocation struct {
	Country string `json:"country"`
	City    string `json:"city"`
	Source  string `json:"source"`
}

type apiLandmark struct {
	Name          string     `json:"name"`
	Place         string     `json:"place"`
	MinRTTMs      number     `json:"min_rtt_ms"`
	Samples       int        `json:"samples"`
	Provenance    string     `json:"provenance"`
	FirstSampleAt *time.Time `json:"first_sample_at"`
	LastSampleAt  *time.Time `json:"last_sample_at"`
	ExpectedMs    number     `json:"expected_ms"`
	ThresholdMs   number     `json:"threshold_ms"`
	FibreMinMs    number     `json:"fibre_min_ms"`
	DistanceKm    number     `json:"distance_km"`
	Method        string     `json:"method"`
	Status        string     `json:"status"`
	Text          string     `json:"text"`
}

type apiRegion struct {
	Empty         bool      `json:"empty"`
	AreaKm2       number    `json:"area_km2"`
	Centroid      *apiPoint `json:"centroid"`
	RadiusKm      number    `json:"radius_km"`
	Near          string    `json:"near"`
	ContainsClaim bool      `json:"contains_claim"`
	ClaimToEdgeKm number    `json:"claim_to_edge_km"`
}

type apiPoint struct {
	Lat number `json:"lat"`
	Lon number `json:"lon"`
}

// number is a float64 that encodes as null when it is not finite, which
// encoding/json would otherwise refuse.
type number float64

// MarshalJSON implements [json.Marshaler].
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

func apiVerdicts(dvs []analyze.DeviceVerdict) []apiVerdict {
	out := make([]apiVerdict, 0, len(dvs))
	for _, dv := range dvs {
		v := dv.Verdict
		a := apiVerdict{
			WorkerID:        dv.Worker.ID,
			WorkerName:      dv.Worker.Name,
			ClaimedLocation: dv.Worker.ClaimedLocation,
			Access:          nonEmpty(dv.Worker.Access),
			DeviceID:        dv.Device.ID,
			Hostname:        dv.Device.Hostname,
			LastSeen:        utc(dv.Device.LastSeen),
			LastIP:          nonEmpty(dv.Device.LastIP),
			IPLocation:      apiLocation(dv),
			Status:          string(v.Status),
			Summary:         v.Summary,
			Explanation:     append([]string{}, v.Explanation...),
			Landmarks:       make([]apiLandmark, 0, len(v.Findings)),
			Region:          apiRegionOf(v.Region),
			ComputedAt:      dv.ComputedAt.UTC(),
		}
		for _, f := range v.Findings {
			a.Landmarks = append(a.Landmarks, apiLandmark{
				Name:          f.Landmark,
				Place:         f.Place,
				MinRTTMs:      number(f.MinMs),
				Samples:       f.Count,
				Provenance:    f.Provenance,
				FirstSampleAt: utc(f.From),
				LastSampleAt:  utc(f.To),
				ExpectedMs:    number(f.ExpectedMs),
				ThresholdMs:   number(f.ThresholdMs),
				FibreMinMs:    number(f.FibreMs),
				DistanceKm:    number(f.DistanceKm),
				Method:        f.Method,
				Status:        string(f.Status),
				Text:          f.Text,
			})
		}
		out = append(out, a)
	}
	return out
}

// apiLocation returns the location of the device's last IP, or nil when it
// has none or it was not looked up.
func apiLocation(dv analyze.DeviceVerdict) *apiIPLocation {
	loc := dv.IP
	if dv.Device.LastIP == "" || loc == (ipgeo.Location{}) {
		return nil
	}
	return &apiIPLocation{Country: loc.Country, City: loc.City, Source: loc.Source}
}

func apiRegionOf(r *latency.Region) *apiRegion {
	if r == nil {
		return nil
	}
	out := &apiRegion{
		Empty:         r.Empty,
		AreaKm2:       number(r.AreaKm2),
		RadiusKm:      number(r.RadiusKm),
		Near:          r.Near,
		ContainsClaim: r.ContainsClaim,
		ClaimToEdgeKm: number(r.ClaimToEdgeKm),
	}
	if !r.Empty {
		out.Centroid = &apiPoint{Lat: number(r.Centroid.Lat), Lon: number(r.Centroid.Lon)}
	}
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func utc(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
