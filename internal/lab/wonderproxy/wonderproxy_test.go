package wonderproxy

import (
	"strings"
	"testing"
)

const servers = `id,name,title,location,state,country,state_abbv,continent,latitude,longitude,selected,,,11
1,LosAngeles,Los Angeles,Los Angeles,California,United States,CA,1,34.05,-118.24,1,,,
2,Phoenix,Phoenix,Phoenix,Arizona,United States,AZ,1,33.45,-112.07,1,,,
3,Seoul,Seoul,Seoul,Seoul,South Korea,,3,37.57,126.98,1,,,
`

const pings = `source,destination,min,avg,max,mdev
1,1,0.01,0.02,0.03,0.01
1,2,9.5,10,11,0.2
2,1,9.6,10,11,0.2
1,3,135.1,136,140,1
3,99,10,10,10,0
`

func TestDecode(t *testing.T) {
	ds, err := Decode(strings.NewReader(servers), strings.NewReader(pings))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Servers) != 3 || len(ds.Pairs) != 3 || ds.Skipped != 2 {
		t.Fatalf("Decode = %d servers, %d pairs, %d skipped; want 3, 3, 2", len(ds.Servers), len(ds.Pairs), ds.Skipped)
	}
	if v, ok := ds.RTT(0, 2); !ok || v != 135.1 {
		t.Errorf("RTT(LA, Seoul) = %v, %v; want 135.1, true", v, ok)
	}
	if _, ok := ds.RTT(2, 0); ok {
		t.Errorf("RTT(Seoul, LA) present; the file has only one direction")
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, servers, pings, want string
	}{
		{"missing column", "id,title\n1,x\n", pings, `missing column "country"`},
		{"bad latitude", "id,title,country,state_abbv,continent,latitude,longitude\n1,a,b,c,1,95,0\n", pings, "line 2: columns latitude,longitude"},
		{"duplicate id", "id,title,country,state_abbv,continent,latitude,longitude\n1,a,b,c,1,1,1\n1,a,b,c,1,1,1\n", pings, "id: 1 appears twice"},
		{"bad min", servers, "source,destination,min\n1,2,fast\n", `column min: "fast"`},
		{"negative min", servers, "source,destination,min\n1,2,-3\n", `column min: "-3"`},
		{"short row", servers, "source,destination,min\n1,2\n", "want at least 3 columns"},
		{"no pairs", servers, "source,destination,min\n", "no servers or no usable ping pairs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.servers), strings.NewReader(tt.pings))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(servers, pings)
	f.Add("id\n", "source\n")
	f.Fuzz(func(t *testing.T, s, p string) {
		if len(s)+len(p) > 1<<16 {
			return
		}
		ds, err := Decode(strings.NewReader(s), strings.NewReader(p))
		if err != nil {
			return
		}
		for _, pr := range ds.Pairs {
			if pr.From < 0 || pr.From >= len(ds.Servers) || pr.To < 0 || pr.To >= len(ds.Servers) || pr.MinMs < 0 {
				t.Fatalf("Decode produced bad pair %+v with %d servers", pr, len(ds.Servers))
			}
		}
		for _, sv := range ds.Servers {
			if !sv.Point.Valid() {
				t.Fatalf("Decode produced invalid point %v", sv.Point)
			}
		}
	})
}

func TestMislocated(t *testing.T) {
	// "Seoul" answers Los Angeles and Phoenix in 12 ms, 9,600 km away: no
	// fibre carries light that far in 12 ms. Los Angeles and Phoenix each
	// break the bound once (with Seoul); Seoul breaks it twice.
	const sv = `id,title,country,state_abbv,continent,latitude,longitude
1,Los Angeles,United States,CA,1,34.05,-118.24
2,Phoenix,United States,AZ,1,33.45,-112.07
3,Seoul,South Korea,,3,37.57,126.98
`
	const pg = `source,destination,min
1,2,9.5
2,1,9.6
1,3,12
3,1,12.5
2,3,12
`
	ds, err := Decode(strings.NewReader(sv), strings.NewReader(pg))
	if err != nil {
		t.Fatal(err)
	}
	if got := ds.Mislocated(1); len(got) != 1 || ds.Servers[got[0]].Name != "Seoul" {
		t.Errorf("Mislocated(1) = %v, want [Seoul]", got)
	}
	if got := ds.Mislocated(0); len(got) != 3 {
		t.Errorf("Mislocated(0) = %v, want all three", got)
	}
	if got := ds.Mislocated(2); len(got) != 0 {
		t.Errorf("Mislocated(2) = %v, want none (both directions of a pair count once)", got)
	}
	// The honest pair alone breaks nothing.
	clean, err := Decode(strings.NewReader(sv), strings.NewReader("source,destination,min\n1,2,9.5\n1,3,135\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := clean.Mislocated(0); len(got) != 0 {
		t.Errorf("Mislocated(0) on a lawful mesh = %v, want none", got)
	}
}
