package remote

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// diagMsg builds one netlink message of type typ with body, as the kernel
// sends it (host byte order, padded to 4 bytes).
func diagMsg(typ uint16, seq uint32, body []byte) []byte {
	ne := binary.NativeEndian
	b := make([]byte, align4(nlmsgHdrLen+len(body)))
	ne.PutUint32(b, uint32(nlmsgHdrLen+len(body)))
	ne.PutUint16(b[4:], typ)
	ne.PutUint32(b[8:], seq)
	copy(b[nlmsgHdrLen:], body)
	return b
}

// diagSocket builds the body of an inet_diag_msg for inode with a
// tcp_info attribute of infoLen bytes holding rtt (-1 for none).
func diagSocket(inode uint32, rtt KernelRTT, infoLen int) []byte {
	ne := binary.NativeEndian
	b := make([]byte, inetDiagMsgLen)
	b[0], b[1] = 2, tcpEstablished
	ne.PutUint32(b[diagInodeOff:], inode)
	// An attribute the parser skips (INET_DIAG_SHUTDOWN, 1 byte, padded).
	b = append(b, 5, 0, 8, 0, 0, 0, 0, 0)
	if infoLen < 0 {
		return b
	}
	info := make([]byte, infoLen)
	put := func(off int, d time.Duration) {
		if off+4 <= len(info) {
			ne.PutUint32(info[off:], uint32(d/time.Microsecond))
		}
	}
	put(tcpiRTTOff, rtt.RTT)
	put(tcpiRTTVarOff, rtt.RTTVar)
	put(tcpiMinRTTOff, rtt.MinRTT)
	attr := make([]byte, rtaHdrLen, align4(rtaHdrLen+infoLen))
	ne.PutUint16(attr, uint16(rtaHdrLen+infoLen))
	ne.PutUint16(attr[2:], inetDiagInfo)
	attr = append(attr, info...)
	attr = attr[:cap(attr)]
	return append(b, attr...)
}

func TestParseDiag(t *testing.T) {
	r1 := KernelRTT{RTT: 142 * time.Millisecond, MinRTT: 139 * time.Millisecond, RTTVar: 3 * time.Millisecond}
	r2 := KernelRTT{RTT: 20 * time.Millisecond, RTTVar: time.Millisecond} // old kernel: no min_rtt
	var buf []byte
	buf = append(buf, diagMsg(sockDiagByFamily, 7, diagSocket(1002, r1, 232))...)
	buf = append(buf, diagMsg(sockDiagByFamily, 7, diagSocket(1003, r1, 232))...) // not wanted
	buf = append(buf, diagMsg(sockDiagByFamily, 7, diagSocket(2001, r2, 104))...)
	buf = append(buf, diagMsg(sockDiagByFamily, 7, diagSocket(2002, r2, -1))...) // no tcp_info
	out := map[uint64]KernelRTT{}
	want := map[uint64]bool{1002: true, 2001: true, 2002: true}
	done, err := parseDiag(buf, 7, want, out)
	if err != nil || done {
		t.Fatalf("parseDiag() = %v, %v; want not done, no error", done, err)
	}
	if len(out) != 2 || out[1002] != r1 || out[2001] != r2 {
		t.Errorf("parseDiag() found %+v, want 1002: %+v, 2001: %+v", out, r1, r2)
	}
	done, err = parseDiag(diagMsg(nlmsgDone, 7, make([]byte, 4)), 7, want, out)
	if err != nil || !done {
		t.Errorf("parseDiag(NLMSG_DONE) = %v, %v; want done", done, err)
	}
}

func TestParseDiagErrors(t *testing.T) {
	errno := make([]byte, 4)
	binary.NativeEndian.PutUint32(errno, uint32(0xffffffff-1)) // -2
	short := diagMsg(sockDiagByFamily, 1, diagSocket(1, KernelRTT{}, 40))
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short header", make([]byte, 10), "want a 16-byte header"},
		{"truncated header", diagMsg(sockDiagByFamily, 1, nil)[:nlmsgHdrLen-1], "want a 16-byte header"},
		{"bad length", func() []byte { b := diagMsg(nlmsgDone, 1, nil); b[0] = 200; return b }(), "length 200 is outside"},
		{"sequence", diagMsg(nlmsgDone, 2, nil), "sequence 2, want 1"},
		{"kernel error", diagMsg(nlmsgError, 1, errno), "kernel error 2"},
		{"short error", diagMsg(nlmsgError, 1, nil), "want 4"},
		{"short inet_diag_msg", diagMsg(sockDiagByFamily, 1, make([]byte, 20)), "20 bytes, want 72"},
		{"short tcp_info", short, "tcp_info: 40 bytes"},
		{"bad attribute", diagMsg(sockDiagByFamily, 1, append(make([]byte, inetDiagMsgLen), 2, 0, 2, 0)), "attribute at offset 0: length 2"},
		{"unexpected type", diagMsg(99, 1, nil), "unexpected type 99"},
	} {
		_, err := parseDiag(tc.b, 1, map[uint64]bool{0: true, 1: true}, map[uint64]KernelRTT{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parseDiag() = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// FuzzParseDiag checks that the netlink decoder never panics and reports
// only wanted sockets.
func FuzzParseDiag(f *testing.F) {
	r := KernelRTT{RTT: time.Second, MinRTT: time.Millisecond, RTTVar: time.Microsecond}
	f.Add(append(diagMsg(sockDiagByFamily, 1, diagSocket(1, r, 232)), diagMsg(nlmsgDone, 1, make([]byte, 4))...))
	f.Add(diagMsg(sockDiagByFamily, 1, diagSocket(1, r, 76)))
	f.Add(diagMsg(nlmsgError, 1, make([]byte, 20)))
	f.Add(diagRequest(2, 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := map[uint64]KernelRTT{}
		parseDiag(b, 1, map[uint64]bool{1: true}, out)
		for ino := range out {
			if ino != 1 {
				t.Fatalf("reported inode %d, want only 1", ino)
			}
		}
	})
}
