package report

import (
	"math/rand/v2"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Places of the laptop-farm fixture.
var (
	phoenix   = geo.Point{Lat: 33.4484, Lon: -112.0740}
	losAngels = geo.Point{Lat: 34.0522, Lon: -118.2437}
	tokyo     = geo.Point{Lat: 35.6762, Lon: 139.6503}
	singapore = geo.Point{Lat: 1.3521, Lon: 103.8198}
)

// laptopFarmCase is a worker who claims Phoenix: the laptop sits in a
// Phoenix laptop farm on a residential IP, but the device our landmarks
// measure answers Los Angeles in about 210 ms (the band for Phoenix ends at
// 80 ms) and Tokyo in 45 ms, faster than fibre allows from Phoenix. The
// operator adds 150 ms, and 40 % of the input is injected.
func laptopFarmCase() Case {
	r := rand.New(rand.NewPCG(6, 6))
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	series := func(name, place string, p geo.Point, base, jitter, threshold float64) RTTSeries {
		s := RTTSeries{Landmark: name, Place: place, Point: p, ThresholdMs: threshold}
		for h := 0; h < 10*24; h += 2 {
			d := base + jitter*r.ExpFloat64()
			s.Samples = append(s.Samples, RTTSample{At: start.Add(time.Duration(h) * time.Hour), RTT: time.Duration(d * float64(time.Millisecond))})
		}
		return s
	}
	c := Case{
		ID: "C-2025-0042", Title: "Claimed Phoenix worker operated from abroad", Status: "escalated", Assignee: "j.rivera",
		Opened:    start.Add(6 * 24 * time.Hour),
		Generated: start.Add(11 * 24 * time.Hour),
		Subject: Person{
			ID: "W-1187", Name: "Daniel Brooks", ClaimedPlace: "Phoenix, AZ", ClaimedPoint: &phoenix, ClaimedTZ: "America/Phoenix",
			ApplicantIDs: []string{"A-55102", "A-55817"},
			Devices:      []Device{{ID: "D-9001", Hostname: "LT-PHX-0193", Serial: "5CG1234XYZ", OS: "Windows 11 23H2", IP: "203.0.113.77", LastSeen: start.Add(10 * 24 * time.Hour)}},
		},
		Summary: "The corporate laptop is online from a residential IP address in Phoenix, but every round trip from our landmarks is far slower than Phoenix allows, and Tokyo answers faster than light in fibre could from Phoenix. Input arrives 150 ms late and 40 % of it is injected by software.",
		Risk: RiskSummary{Bits: 13.4, Probability: 0.9999, Level: "high", Contributions: []Contribution{
			{Detector: "rtt.physics", Bits: 8.0, Explanation: "tokyo1 answered in 43.2 ms; Phoenix is at least 93.0 ms away"},
			{Detector: "rtt.band", Bits: 3.2, Explanation: "lax1 lowest 205.1 ms against an 80.0 ms threshold"},
			{Detector: "operator.delay", Bits: 2.1, Explanation: "150 ms added between stimulus and response"},
			{Detector: "input.provenance", Bits: 1.5, Explanation: "40 % of input events injected"},
			{Detector: "hiring.history", Bits: -1.4, Explanation: "references checked by phone"},
		}},
		Timeline: []Event{
			{At: start, Kind: "hiring", Text: "Laptop shipped to 1420 W Elm St, Phoenix, AZ", Source: "asset system", Refs: []string{"SHIP-7781"}},
			{At: start.Add(26 * time.Hour), Kind: "rtt", Text: "lax1 round trip 212 ms; expected band ends at 80 ms", Source: "landmark lax1 (company server)", Refs: []string{"M-1", "M-2"}},
			{At: start.Add(50 * time.Hour), Kind: "rtt", Text: "tokyo1 round trip 44 ms, below the 93 ms fibre minimum for Phoenix", Source: "landmark tokyo1 (company server)"},
			{At: start.Add(5 * 24 * time.Hour), Kind: "input", Text: "40 % of keystrokes injected; AnyDesk running", Source: "endpoint agent (signed)"},
			{At: start.Add(6 * 24 * time.Hour), Kind: "case", Text: "Case opened", Source: "j.rivera"},
		},
		RTT: []RTTSeries{
			series("lax1", "Los Angeles, CA", losAngels, 205, 8, 80),
			series("tokyo1", "Tokyo, JP", tokyo, 43, 5, 160),
			series("sin1", "Singapore", singapore, 74, 6, 0),
		},
		Map: MapData{
			IP: &phoenix, IPLabel: "203.0.113.77 (Phoenix, AZ)",
			Disks: []Disk{
				{Label: "lax1", Center: losAngels, RadiusKm: geo.MaxDistance(205 * time.Millisecond)},
				{Label: "tokyo1", Center: tokyo, RadiusKm: geo.MaxDistance(43 * time.Millisecond)},
				{Label: "sin1", Center: singapore, RadiusKm: geo.MaxDistance(74 * time.Millisecond)},
			},
		},
		IC3: IC3Section{
			Victim: Organisation{Name: "Example Corp", Address: "1 Main St, Springfield, IL", Contact: "Jordan Rivera, Security", Phone: "+1 555 0100", Email: "security@example.com", Website: "example.com"},
			Subject: IC3Subject{
				Names: []string{"Daniel Brooks", "Dan Brooke"}, Emails: []string{"dbrooks.dev@example.net"}, Phones: []string{"+1 480 555 0199"},
				Addresses: []string{"1420 W Elm St, Phoenix, AZ 85001"}, IPs: []string{"203.0.113.77 (2025-03-03 to 2025-03-13)"},
				Payments: []string{"Payroll deposit to account ending 4411"}, Shipping: []string{"1420 W Elm St, Phoenix, AZ 85001"},
			},
			Description: "A remote systems administrator hired as living in Phoenix, AZ was found to operate the company laptop from abroad.",
			Evidence: []EvidenceItem{
				{Name: "rtt-lax1.csv", Description: "round trips from lax1", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
				{Name: "input-provenance.json", Description: "daily input provenance"},
			},
		},
		Notes: []Note{{At: start.Add(7 * 24 * time.Hour), Author: "j.rivera", Text: "Called the worker's listed phone: VoIP number, no answer."}},
		Audit: []AuditEntry{
			{At: start.Add(6 * 24 * time.Hour), Actor: "j.rivera", Action: "open", Detail: "case opened from risk alert"},
			{At: start.Add(11 * 24 * time.Hour), Actor: "j.rivera", Action: "export", Detail: "case report generated"},
		},
	}
	for d := 0; d < 10; d++ {
		for h := 9; h < 17; h += 4 {
			inj := 0.40
			c.Operator = append(c.Operator, OperatorEstimate{At: start.Add(time.Duration(d*24+h) * time.Hour), AddedMs: 150 + 12*r.NormFloat64(), AtLeastKm: 7500, Confidence: 0.5 + 0.4*r.Float64()})
			c.Provenance = append(c.Provenance, ProvenanceShare{At: start.Add(time.Duration(d*24+h) * time.Hour), Physical: 100 * (0.95 - inj), Virtual: 5, Injected: 100 * inj})
		}
	}
	return c
}
