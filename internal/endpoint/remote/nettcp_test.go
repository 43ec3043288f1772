package remote

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// formatTCPLine writes s as the kernel writes a line of /proc/net/tcp or
// tcp6 (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c).
func formatTCPLine(i int, s socket, v6 bool) string {
	hex := func(ap netip.AddrPort) string {
		var out string
		if v6 {
			b := ap.Addr().As16()
			for w := range 4 {
				out += fmt.Sprintf("%08X", binary.NativeEndian.Uint32(b[4*w:]))
			}
		} else {
			b := ap.Addr().As4()
			out = fmt.Sprintf("%08X", binary.NativeEndian.Uint32(b[:]))
		}
		return fmt.Sprintf("%s:%04X", out, ap.Port())
	}
	return fmt.Sprintf("%4d: %s %s %02X 00000000:00000000 00:00000000 00000000  1000        0 %d 1 0000000000000000 100 0 0 10 0\n",
		i, hex(s.local), hex(s.remote), s.state, s.inode)
}

func TestParseTCP(t *testing.T) {
	ap := netip.MustParseAddrPort
	socks, err := parseTCP([]byte(fixtureTCP), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []socket{
		{ap("0.0.0.0:5900"), ap("0.0.0.0:0"), tcpListen, 1001},
		{ap("192.168.1.5:5900"), ap("203.0.113.7:51234"), tcpEstablished, 1002},
		{ap("0.0.0.0:22"), ap("0.0.0.0:0"), tcpListen, 3001},
		{ap("192.168.1.5:22"), ap("198.51.100.9:40000"), tcpEstablished, 3002},
		{ap("192.168.1.5:22"), ap("198.51.100.9:40001"), 0x06, 0},
	}
	if fmt.Sprint(socks) != fmt.Sprint(want) {
		t.Errorf("parseTCP(tcp) =\n%v\nwant\n%v", socks, want)
	}
	socks, err = parseTCP([]byte(fixtureTCP6), true)
	if err != nil {
		t.Fatal(err)
	}
	want = []socket{
		{ap("[2001:db8::5]:49152"), ap("[2001:db8::1]:443"), tcpEstablished, 2001},
		{ap("[::]:3389"), ap("[::]:0"), tcpListen, 2002},
		{ap("[::ffff:192.168.1.5]:3389"), ap("[::ffff:203.0.113.8]:50000"), tcpEstablished, 2003},
	}
	if fmt.Sprint(socks) != fmt.Sprint(want) {
		t.Errorf("parseTCP(tcp6) =\n%v\nwant\n%v", socks, want)
	}
}

func TestParseTCPErrors(t *testing.T) {
	const ok4 = "0: 0100007F:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 42 1"
	for _, tc := range []struct {
		in   string
		v6   bool
		want string
	}{
		{"0: 0100007F:170C 00000000:0000 0A\n", false, "line 1: 4 fields, want at least 10"},
		{strings.Replace(ok4, "0100007F:170C", "0100007F170C", 1), false, "line 1: local_address"},
		{strings.Replace(ok4, "0100007F:170C", "0100007:170C", 1), false, "8 hex digits"},
		{strings.Replace(ok4, "0100007F:170C", "0100007G:170C", 1), false, "address word 0 is not hex"},
		{strings.Replace(ok4, "0100007F:170C", "+100007F:170C", 1), false, "address word 0 is not hex"},
		{strings.Replace(ok4, "0100007F:170C", "0100007F:17X0", 1), false, "port is not hex"},
		{strings.Replace(ok4, "00000000:0000 0A", "00000000:00000 0A", 1), false, "line 1: rem_address"},
		{strings.Replace(ok4, " 0A ", " 10A ", 1), false, "st \"10A\""},
		{strings.Replace(ok4, " 42 ", " -42 ", 1), false, "inode \"-42\""},
		{ok4, true, "32 hex digits"},
		{"sl local\n" + ok4 + "\n" + strings.Repeat("x", maxTCPLine+1), false, "at most 1024 bytes"},
	} {
		_, err := parseTCP([]byte(tc.in), tc.v6)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseTCP(%.60q, v6 %v) = %v, want an error containing %q", tc.in, tc.v6, err, tc.want)
		}
	}
}

// FuzzParseTCP checks that the parser never panics, and that what it
// accepts, written back in the kernel's format, parses to the same sockets.
func FuzzParseTCP(f *testing.F) {
	f.Add([]byte(fixtureTCP), false)
	f.Add([]byte(fixtureTCP6), true)
	f.Add([]byte("0: 0100007F:170C 00000000:0000 0A 0 0 0 0 0 1 \n\n"), false)
	f.Add([]byte("sl\n0: FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:FFFF 00000000000000000000000000000000:0000 FF a b c d e 18446744073709551615"), true)
	f.Fuzz(func(t *testing.T, data []byte, v6 bool) {
		socks, err := parseTCP(data, v6)
		if err != nil {
			return
		}
		var again strings.Builder
		again.WriteString("  sl  local_address rem_address   st\n")
		for i, s := range socks {
			if s.local.Addr().Is6() != v6 || s.remote.Addr().Is6() != v6 {
				t.Fatalf("socket %d: %v -> %v, want v6 %v", i, s.local, s.remote, v6)
			}
			again.WriteString(formatTCPLine(i, s, v6))
		}
		got, err := parseTCP([]byte(again.String()), v6)
		if err != nil {
			t.Fatalf("parse the kernel format of %v: %v", socks, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(socks) {
			t.Fatalf("round trip = %v, want %v", got, socks)
		}
	})
}
