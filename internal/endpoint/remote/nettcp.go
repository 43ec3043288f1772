package remote

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// TCP states as /proc/net/tcp writes them (linux/include/net/tcp_states.h).
const (
	tcpEstablished = 0x01
	tcpListen      = 0x0A
)

// maxTCPLine bounds one line of /proc/net/tcp; the kernel writes about 150
// bytes (tcp) or 180 bytes (tcp6).
const maxTCPLine = 1024

// socket is one line of /proc/net/tcp or /proc/net/tcp6.
type socket struct {
	local, remote netip.AddrPort
	state         uint8
	inode         uint64
}

// parseTCP parses the content of /proc/net/tcp (v6 false) or
// /proc/net/tcp6 (v6 true). The header line is skipped. The kernel prints
// each address as 32-bit words in host byte order, and the port as a
// number:
//
//	sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//	0: 0100007F:170C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 40971 ...
func parseTCP(data []byte, v6 bool) ([]socket, error) {
	var out []socket
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 256), maxTCPLine)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] == "sl" {
			continue
		}
		if len(f) < 10 {
			return nil, fmt.Errorf("line %d: %d fields, want at least 10", line, len(f))
		}
		var s socket
		var err error
		if s.local, err = parseHexAddrPort(f[1], v6); err != nil {
			return nil, fmt.Errorf("line %d: local_address: %w", line, err)
		}
		if s.remote, err = parseHexAddrPort(f[2], v6); err != nil {
			return nil, fmt.Errorf("line %d: rem_address: %w", line, err)
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("line %d: st %q is not a hex byte", line, f[3])
		}
		s.state = uint8(st)
		if s.inode, err = strconv.ParseUint(f[9], 10, 64); err != nil {
			return nil, fmt.Errorf("line %d: inode %q is not a decimal 64-bit number", line, f[9])
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read lines (at most %d bytes each): %w", maxTCPLine, err)
	}
	return out, nil
}

// parseHexAddrPort parses "0100007F:170C": 8 (IPv4) or 32 (IPv6) hex
// digits of address, in 32-bit words of host byte order, a colon and 4 hex
// digits of port.
func parseHexAddrPort(s string, v6 bool) (netip.AddrPort, error) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	want := 8
	if v6 {
		want = 32
	}
	if !ok || len(hexAddr) != want || len(hexPort) != 4 {
		return netip.AddrPort{}, fmt.Errorf("%q is not %d hex digits, a colon and 4 hex digits", s, want)
	}
	var b [16]byte
	for i := 0; i < want/8; i++ {
		w, err := strconv.ParseUint(hexAddr[8*i:8*i+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%q: address word %d is not hex", s, i)
		}
		binary.NativeEndian.PutUint32(b[4*i:], uint32(w))
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: port is not hex", s)
	}
	addr := netip.AddrFrom16(b)
	if !v6 {
		addr = netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}
