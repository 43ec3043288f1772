package siem

import (
	"time"

	"github.com/lagwatch/lagwatch/internal/risk"
)

var zeroTime time.Time

var testAt = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

// testAlert is an alert as risk.Alerter raises it, with two cited
// contributions about a worker and the device issued to them.
func testAlert() risk.Alert {
	return risk.Alert{
		ID:      "risk-7",
		Subject: risk.Worker("w-42"),
		Rule:    "high-risk",
		At:      testAt,
		LogOdds: 3,
		Level:   risk.LevelHigh,
		Cites: []risk.Contribution{
			{
				Evidence: risk.Evidence{
					Subject:     risk.Device("dev-9"),
					Detector:    "endpoint.ip-kvm",
					Provenance:  risk.AgentReported,
					Explanation: "USB HID 1d6b:0104 \"PiKVM\" attached",
					At:          testAt.Add(-2 * time.Hour),
					Refs:        []string{"endpoint:dev-9/batch-3"},
				},
				LR: 64, Capped: 6, Provenance: 0.5, Decay: 1, Bits: 3, Counted: true,
			},
			{
				Evidence: risk.Evidence{
					Subject:     risk.Worker("w-42"),
					Detector:    "latency.too-slow",
					Provenance:  risk.ServerMeasured,
					Explanation: "min RTT 112 ms over 40 samples; Phoenix expects <= 45 ms",
					At:          testAt.Add(-time.Hour),
				},
				LR: 16, Capped: 4, Provenance: 1, Decay: 1, Bits: 4, Counted: true,
			},
		},
		Summary: "worker:w-42 is high risk (probability 0.889, log-odds +3.0 bits) from 2 independent signals, led by latency.too-slow (+4.0 bits); rule high-risk.",
	}
}
