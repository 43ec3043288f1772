package siem

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/risk"
)

func decodeOCSF(t *testing.T, a risk.Alert, opts Options) map[string]any {
	t.Helper()
	b, err := OCSF(a, opts)
	if err != nil {
		t.Fatalf("OCSF: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("OCSF output is not JSON: %v\n%s", err, b)
	}
	return m
}

// get walks a path of object keys and array indexes ("evidences.0.name").
func get(t *testing.T, m map[string]any, path string) any {
	t.Helper()
	var v any = m
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				t.Fatalf("%s: no key %q", path, k)
			}
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				t.Fatalf("%s: index %d out of %d", path, i, len(x))
			}
			v = x[i]
		default:
			t.Fatalf("%s: %q is not in a container", path, k)
		}
	}
	return v
}

func TestOCSFDetectionFinding(t *testing.T) {
	m := decodeOCSF(t, testAlert(), Options{ProductVersion: "0.9.1"})
	want := map[string]any{
		"class_uid":                     2004.0,
		"class_name":                    "Detection Finding",
		"category_uid":                  2.0,
		"category_name":                 "Findings",
		"activity_id":                   1.0,
		"activity_name":                 "Create",
		"type_uid":                      200401.0,
		"time":                          float64(testAt.UnixMilli()),
		"severity_id":                   4.0,
		"severity":                      "High",
		"status_id":                     1.0,
		"status":                        "New",
		"is_alert":                      true,
		"message":                       testAlert().Summary,
		"risk_score":                    89.0, // 1/(1+2^-3) = 0.889
		"risk_level_id":                 3.0,
		"risk_level":                    "High",
		"finding_info.uid":              "lagwatch:worker:w-42:high-risk",
		"finding_info.desc":             testAlert().Summary,
		"finding_info.created_time":     float64(testAt.UnixMilli()),
		"finding_info.first_seen_time":  float64(testAt.Add(-7200e9).UnixMilli()),
		"finding_info.last_seen_time":   float64(testAt.Add(-3600e9).UnixMilli()),
		"finding_info.analytic.name":    "high-risk",
		"finding_info.analytic.uid":     "high-risk",
		"finding_info.analytic.type_id": 1.0,
		"finding_info.types.0":          "endpoint",
		"finding_info.types.1":          "latency",
		"evidences.0.name":              "endpoint.ip-kvm",
		"evidences.0.data.detector":     "endpoint.ip-kvm",
		"evidences.0.data.bits":         3.0,
		"evidences.0.data.explanation":  `USB HID 1d6b:0104 "PiKVM" attached`,
		"evidences.0.device.uid":        "dev-9",
		"evidences.1.user.uid":          "w-42",
		"evidences.1.data.provenance":   risk.ServerMeasured,
		"resources.0.uid":               "w-42",
		"resources.0.type":              "worker",
		"metadata.version":              OCSFVersion,
		"metadata.uid":                  "risk-7",
		"metadata.product.name":         "lagwatch",
		"metadata.product.vendor_name":  "lagwatch",
		"metadata.product.version":      "0.9.1",
		"unmapped.lagwatch.log_odds":    3.0,
	}
	for path, w := range want {
		if got := get(t, m, path); got != w {
			t.Errorf("OCSF %s = %v, want %v", path, got, w)
		}
	}
	if _, ok := m["device"]; ok {
		t.Errorf("OCSF of a worker alert has a top-level device: %v", m["device"])
	}
}

func TestOCSFLevelsAndActivity(t *testing.T) {
	tests := []struct {
		level    string
		logOdds  float64
		update   bool
		sev      float64
		typeUID  float64
		score    float64
		riskLvID float64
	}{
		{risk.LevelWatch, -1, false, 3, 200401, 33, 2},
		{risk.LevelHigh, 0, true, 4, 200402, 50, 3},
		{risk.LevelClear, -10, false, 1, 200401, 0, 0},
		{"bogus", 40, false, 0, 200401, 100, 99},
	}
	for _, tt := range tests {
		a := testAlert()
		a.Level, a.LogOdds = tt.level, tt.logOdds
		m := decodeOCSF(t, a, Options{Update: tt.update})
		for path, w := range map[string]float64{"severity_id": tt.sev, "type_uid": tt.typeUID, "risk_score": tt.score, "risk_level_id": tt.riskLvID} {
			if got := get(t, m, path); got != w {
				t.Errorf("OCSF(level %s, log-odds %g, update %v) %s = %v, want %v", tt.level, tt.logOdds, tt.update, path, got, w)
			}
		}
	}
}

func TestOCSFDeviceSubject(t *testing.T) {
	a := testAlert()
	a.Subject = risk.Device("dev-9")
	m := decodeOCSF(t, a, Options{})
	if got := get(t, m, "device.uid"); got != "dev-9" {
		t.Errorf("OCSF device.uid = %v, want dev-9", got)
	}
	if got := get(t, m, "resources.0.type"); got != "device" {
		t.Errorf("OCSF resources.0.type = %v, want device", got)
	}
	if _, ok := m["metadata"].(map[string]any)["product"].(map[string]any)["version"]; ok {
		t.Errorf("OCSF without a product version still has metadata.product.version")
	}
}

func TestOCSFRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*risk.Alert)
		want string
	}{
		{"nan log-odds", func(a *risk.Alert) { a.LogOdds = math.NaN() }, "log_odds: must be finite"},
		{"inf bits", func(a *risk.Alert) { a.Cites[1].Bits = math.Inf(1) }, "cites[1] (latency.too-slow)"},
		{"no id", func(a *risk.Alert) { a.ID = "" }, "alert id: must be set"},
		{"no time", func(a *risk.Alert) { a.At = zeroTime }, "at: must be set"},
	}
	for _, tt := range tests {
		a := testAlert()
		tt.edit(&a)
		_, err := OCSF(a, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("OCSF(%s) error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
