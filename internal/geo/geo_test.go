package geo

import (
	"math"
	"testing"
	"time"
)

var (
	phoenix  = Point{33.4484, -112.0740}
	shenyang = Point{41.8057, 123.4315}
	losAng   = Point{34.0522, -118.2437}
)

func TestDistance(t *testing.T) {
	tests := []struct {
		name      string
		a, b      Point
		want, tol float64
	}{
		{"same point", phoenix, phoenix, 0, 1e-9},
		{"phoenix-los angeles", phoenix, losAng, 574, 5},
		{"phoenix-shenyang", phoenix, shenyang, 9911, 20},
		{"antipodes", Point{0, 0}, Point{0, 180}, math.Pi * EarthRadiusKm, 1e-6},
		{"pole to pole", Point{90, 0}, Point{-90, 0}, math.Pi * EarthRadiusKm, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("Distance(%v, %v) = %.1f km, want %.1f ± %.1f", tt.a, tt.b, got, tt.want, tt.tol)
			}
			if back := Distance(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("Distance not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestMinRTTAndMaxDistance(t *testing.T) {
	// 10,000 km takes at least 100 ms round trip in fibre.
	if got := MinRTT(10000); got < 99*time.Millisecond || got > 101*time.Millisecond {
		t.Errorf("MinRTT(10000 km) = %v, want about 100ms", got)
	}
	if got := MaxDistance(110 * time.Millisecond); math.Abs(got-10993) > 10 {
		t.Errorf("MaxDistance(110ms) = %.0f km, want about 10,993 km", got)
	}
	if got := MaxDistance(time.Second); got != math.Pi*EarthRadiusKm {
		t.Errorf("MaxDistance(1s) = %.0f, want capped at half circumference", got)
	}
	for _, km := range []float64{0, 1, 574, 5000, 19000} {
		if back := MaxDistance(MinRTT(km)); math.Abs(back-km) > 0.01 {
			t.Errorf("MaxDistance(MinRTT(%v)) = %v", km, back)
		}
	}
}

func TestDestination(t *testing.T) {
	for _, bearing := range []float64{0, 45, 90, 180, 270} {
		for _, km := range []float64{10, 1000, 8000} {
			q := Destination(phoenix, bearing, km)
			if d := Distance(phoenix, q); math.Abs(d-km) > 0.01*km+0.01 {
				t.Errorf("Distance(p, Destination(p, %v, %v)) = %v", bearing, km, d)
			}
			if !q.Valid() {
				t.Errorf("Destination(p, %v, %v) = %v, not valid", bearing, km, q)
			}
		}
	}
}

func TestParsePoint(t *testing.T) {
	tests := []struct {
		in      string
		want    Point
		wantErr bool
	}{
		{"33.4484,-112.0740", Point{33.4484, -112.0740}, false},
		{" 33.4484 -112.0740 ", Point{33.4484, -112.0740}, false},
		{"91,0", Point{}, true},
		{"0,181", Point{}, true},
		{"NaN,0", Point{}, true},
		{"phoenix", Point{}, true},
		{"1,2,3", Point{}, true},
	}
	for _, tt := range tests {
		got, err := ParsePoint(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePoint(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzDistance(f *testing.F) {
	f.Add(33.4, -112.0, 41.8, 123.4)
	f.Add(90.0, 0.0, -90.0, 0.0)
	f.Fuzz(func(t *testing.T, lat1, lon1, lat2, lon2 float64) {
		a, b := Point{lat1, lon1}, Point{lat2, lon2}
		if !a.Valid() || !b.Valid() {
			return
		}
		d := Distance(a, b)
		if math.IsNaN(d) || d < 0 || d > math.Pi*EarthRadiusKm+1e-6 {
			t.Fatalf("Distance(%v, %v) = %v, out of [0, half circumference]", a, b, d)
		}
		if MinRTT(d) < 0 {
			t.Fatalf("MinRTT(%v) negative", d)
		}
	})
}

func FuzzParsePoint(f *testing.F) {
	for _, s := range []string{"33.4,-112", "0 0", "", "1e400,2", "-90,-180"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			return
		}
		p, err := ParsePoint(s)
		if err == nil && !p.Valid() {
			t.Fatalf("ParsePoint(%q) = %v without error but invalid", s, p)
		}
	})
}
