package xi2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// xauthRecord encodes one Xauthority record.
func xauthRecord(family uint16, addr, number, name string, data []byte) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint16(b, family)
	for _, s := range [][]byte{[]byte(addr), []byte(number), []byte(name), data} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	return b
}

func TestFindCookie(t *testing.T) {
	cookie := func(c byte) []byte { return bytes.Repeat([]byte{c}, 16) }
	var file []byte
	file = append(file, xauthRecord(familyLocal, "otherhost", "0", cookieName, cookie('o'))...)
	file = append(file, xauthRecord(familyLocal, "myhost", "1", "XDM-AUTHORIZATION-1", cookie('x'))...)
	file = append(file, xauthRecord(familyLocal, "myhost", "1", cookieName, cookie('a'))...)
	file = append(file, xauthRecord(familyInternet, "\x0a\x00\x00\x05", "2", cookieName, cookie('i'))...)
	file = append(file, xauthRecord(familyInternet6, string(make([]byte, 15))+"\x01", "3", cookieName, cookie('6'))...)
	file = append(file, xauthRecord(familyWild, "", "4", cookieName, cookie('w'))...)
	file = append(file, xauthRecord(familyLocal, "myhost", "", cookieName, cookie('*'))...)
	entries, err := parseXauthority(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 7 {
		t.Fatalf("parseXauthority: %d entries, want 7", len(entries))
	}
	tests := []struct {
		display string
		want    []byte
	}{
		{":1", cookie('a')},            // local, skips the XDM entry
		{"localhost:1", cookie('a')},   // loopback TCP uses the local entry
		{"10.0.0.5:2", cookie('i')},    // IPv4
		{"[::1]:3", cookie('6')},       // IPv6 loopback, Internet6 entry first
		{"example.com:4", cookie('w')}, // wild
		{":9", cookie('*')},            // empty display number matches any
		{"10.0.0.6:2", nil},            // wrong address, and the any-number entry is local
	}
	for _, tt := range tests {
		d, err := parseDisplay(tt.display)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := findCookie(entries, d, "myhost")
		if !bytes.Equal(got, tt.want) || ok != (tt.want != nil) {
			t.Errorf("findCookie(%s) = %q, %v, want %q", tt.display, got, ok, tt.want)
		}
	}
}

func TestParseXauthorityErrors(t *testing.T) {
	good := xauthRecord(familyLocal, "h", "0", cookieName, []byte("0123456789abcdef"))
	for i := 1; i < len(good); i++ {
		_, err := parseXauthority(good[:i])
		if !errors.Is(err, errTruncated) {
			t.Errorf("parseXauthority(first %d of %d bytes) error = %v, want truncated", i, len(good), err)
		}
	}
	if _, err := parseXauthority(make([]byte, maxXauthFile+1)); err == nil {
		t.Errorf("parseXauthority(%d bytes) succeeded, want limit error", maxXauthFile+1)
	}
}

func TestReadCookieMissingFile(t *testing.T) {
	d, _ := parseDisplay(":0")
	c, err := readCookie(filepath.Join(t.TempDir(), "none"), d, "h")
	if c != nil || err != nil {
		t.Errorf("readCookie(missing file) = %q, %v, want nil, nil", c, err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte{0, 1, 0}, 0o600)
	if _, err := readCookie(bad, d, "h"); err == nil {
		t.Errorf("readCookie(truncated file) succeeded, want error")
	}
}

func FuzzXauthority(f *testing.F) {
	f.Add(xauthRecord(familyLocal, "host", "0", cookieName, make([]byte, 16)))
	f.Add(append(xauthRecord(familyWild, "", "", cookieName, nil), xauthRecord(familyInternet, "\x7f\x00\x00\x01", "1", "x", []byte{1})...))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	d, _ := parseDisplay(":0")
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseXauthority(b)
		if err != nil {
			return
		}
		n := 0
		for _, e := range entries {
			n += 10 + len(e.address) + len(e.number) + len(e.name) + len(e.data)
		}
		if n != len(b) {
			t.Fatalf("entries cover %d bytes of %d", n, len(b))
		}
		findCookie(entries, d, "host")
	})
}
