package latency

import (
	"encoding/json"
	"fmt"
	"io"
)

// MaxAnchors caps the anchors of one calibration file.
const MaxAnchors = 100_000

// DecodeCalibration reads a landmark calibration as JSON:
//
//	{"landmark": {"Lat": 34.05, "Lon": -118.24},
//	 "anchors": [{"name": "phoenix-1", "point": {"Lat": 33.45, "Lon": -112.07}, "rtt_ms": 9.8}, ...]}
//
// Every anchor needs a valid point and 0 < rtt_ms < 60,000; errors name the
// anchor and the field.
func DecodeCalibration(r io.Reader) (*Calibration, error) {
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	dec.DisallowUnknownFields()
	var c Calibration
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode calibration: %w", err)
	}
	if !c.Landmark.Valid() {
		return nil, fmt.Errorf("decode calibration: landmark: %v is not a valid position", c.Landmark)
	}
	if len(c.Anchors) > MaxAnchors {
		return nil, fmt.Errorf("decode calibration: anchors: %d, more than the limit of %d", len(c.Anchors), MaxAnchors)
	}
	for i, a := range c.Anchors {
		if !a.Point.Valid() {
			return nil, fmt.Errorf("decode calibration: anchors[%d].point: %v is not a valid position", i, a.Point)
		}
		if !(a.RTTMs > 0 && a.RTTMs < 60000) {
			return nil, fmt.Errorf("decode calibration: anchors[%d].rtt_ms: %v, want 0 < rtt_ms < 60000", i, a.RTTMs)
		}
	}
	return &c, nil
}
