package latency

import (
	"strings"
	"testing"
)

const goodCal = `{"landmark":{"Lat":34.05,"Lon":-118.24},"anchors":[{"name":"a","point":{"Lat":33.45,"Lon":-112.07},"rtt_ms":9.8}]}`

func TestDecodeCalibration(t *testing.T) {
	c, err := DecodeCalibration(strings.NewReader(goodCal))
	if err != nil || len(c.Anchors) != 1 || c.Anchors[0].RTTMs != 9.8 {
		t.Fatalf("DecodeCalibration = %+v, %v", c, err)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"landmark":{"Lat":95,"Lon":0},"anchors":[]}`, "landmark"},
		{`{"landmark":{"Lat":1,"Lon":1},"anchors":[{"point":{"Lat":1,"Lon":1},"rtt_ms":0}]}`, "anchors[0].rtt_ms"},
		{`{"landmark":{"Lat":1,"Lon":1},"anchors":[{"point":{"Lat":1,"Lon":200},"rtt_ms":3}]}`, "anchors[0].point"},
		{`{"landmark":{"Lat":1,"Lon":1},"extra":1}`, "unknown field"},
		{`not json`, "decode calibration"},
	} {
		if _, err := DecodeCalibration(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeCalibration(%s) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func FuzzDecodeCalibration(f *testing.F) {
	f.Add(goodCal)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		c, err := DecodeCalibration(strings.NewReader(s))
		if err != nil {
			return
		}
		b, _ := DefaultBand()
		for _, a := range c.Anchors {
			p := b.Predict(c.Landmark, a.Point, c)
			if !finite(p.ExcessMs) || !finite(p.FibreMs) {
				t.Fatalf("Predict with decoded calibration gave %+v", p)
			}
		}
	})
}
