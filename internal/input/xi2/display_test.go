package xi2

import "testing"

func TestParseDisplay(t *testing.T) {
	tests := []struct {
		in   string
		want display
		err  bool
	}{
		{in: ":0", want: display{number: 0}},
		{in: ":12.1", want: display{number: 12, screen: 1}},
		{in: "unix:3", want: display{number: 3}},
		{in: "unix/:3", want: display{number: 3}},
		{in: "localhost:10.0", want: display{host: "localhost", number: 10}},
		{in: "tcp/:2", want: display{host: "localhost", number: 2}},
		{in: "10.1.2.3:1", want: display{host: "10.1.2.3", number: 1}},
		{in: "[::1]:4", want: display{host: "::1", number: 4}},
		{in: "::1:4", want: display{host: "::1", number: 4}},
		{in: "", err: true},
		{in: "0", err: true},
		{in: ":", err: true},
		{in: ":x", err: true},
		{in: ":-1", err: true},
		{in: ":59536", err: true},
		{in: ":0.999", err: true},
		{in: "host::0", err: true},
		{in: "ftp/host:0", err: true},
		{in: "unix/host:0", err: true},
	}
	for _, tt := range tests {
		got, err := parseDisplay(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("parseDisplay(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("parseDisplay(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestDisplayLoopback(t *testing.T) {
	for in, want := range map[string]bool{":0": false, "localhost:0": true, "127.0.0.1:0": true, "[::1]:0": true, "10.0.0.1:0": false, "example.com:0": false} {
		d, err := parseDisplay(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.loopback(); got != want {
			t.Errorf("parseDisplay(%q).loopback() = %v, want %v", in, got, want)
		}
	}
}
