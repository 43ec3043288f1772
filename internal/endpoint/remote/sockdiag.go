package remote

import (
	"encoding/binary"
	"fmt"
	"time"
)

// KernelRTT is the kernel's round-trip estimate for one TCP socket, from
// its tcp_info.
type KernelRTT struct {
	// RTT is the smoothed round-trip time (tcpi_rtt).
	RTT time.Duration
	// MinRTT is the smallest sample over the last few minutes
	// (tcpi_min_rtt; zero before Linux 4.6).
	MinRTT time.Duration
	// RTTVar is the smoothed mean deviation (tcpi_rttvar).
	RTTVar time.Duration
}

// Netlink and sock_diag constants (linux/netlink.h, linux/sock_diag.h,
// linux/inet_diag.h), spelled out so the parser builds on every system.
const (
	nlmsgHdrLen      = 16
	nlmsgError       = 2
	nlmsgDone        = 3
	sockDiagByFamily = 20
	inetDiagInfo     = 2  // INET_DIAG_INFO attribute: struct tcp_info
	inetDiagMsgLen   = 72 // struct inet_diag_msg
	inetDiagReqLen   = 56 // struct inet_diag_req_v2
	rtaHdrLen        = 4

	// Offsets of inode in struct inet_diag_msg and of the RTT fields in
	// struct tcp_info.
	diagInodeOff  = 68
	tcpiRTTOff    = 68
	tcpiRTTVarOff = 72
	tcpiMinRTTOff = 148
)

// parseDiag decodes one buffer of netlink messages answering a
// SOCK_DIAG_BY_FAMILY dump with sequence number seq. It adds the RTTs of
// the sockets whose inode is in want to out, and reports whether the dump
// is done. Integers are in host byte order, as the kernel sends them.
func parseDiag(b []byte, seq uint32, want map[uint64]bool, out map[uint64]KernelRTT) (done bool, err error) {
	ne := binary.NativeEndian
	for off := 0; off < len(b); {
		rest := b[off:]
		if len(rest) < nlmsgHdrLen {
			return false, fmt.Errorf("netlink message at offset %d: %d bytes left, want a %d-byte header", off, len(rest), nlmsgHdrLen)
		}
		n := int(ne.Uint32(rest))
		typ := ne.Uint16(rest[4:])
		if n < nlmsgHdrLen || n > len(rest) {
			return false, fmt.Errorf("netlink message at offset %d: length %d is outside [%d, %d]", off, n, nlmsgHdrLen, len(rest))
		}
		if got := ne.Uint32(rest[8:]); got != seq {
			return false, fmt.Errorf("netlink message at offset %d: sequence %d, want %d", off, got, seq)
		}
		body := rest[nlmsgHdrLen:n]
		switch typ {
		case nlmsgDone:
			return true, nil
		case nlmsgError:
			if len(body) < 4 {
				return false, fmt.Errorf("netlink error message at offset %d: %d bytes, want 4", off, len(body))
			}
			if errno := int32(ne.Uint32(body)); errno != 0 {
				return false, fmt.Errorf("sock_diag: kernel error %d", -errno)
			}
		case sockDiagByFamily:
			if len(body) < inetDiagMsgLen {
				return false, fmt.Errorf("inet_diag_msg at offset %d: %d bytes, want %d", off, len(body), inetDiagMsgLen)
			}
			inode := uint64(ne.Uint32(body[diagInodeOff:]))
			if want[inode] {
				rtt, ok, err := parseDiagAttrs(body[inetDiagMsgLen:])
				if err != nil {
					return false, fmt.Errorf("inet_diag_msg at offset %d (inode %d): %w", off, inode, err)
				}
				if ok {
					out[inode] = rtt
				}
			}
		default:
			return false, fmt.Errorf("netlink message at offset %d: unexpected type %d", off, typ)
		}
		off += align4(n)
	}
	return false, nil
}

// parseDiagAttrs finds INET_DIAG_INFO among the attributes of an
// inet_diag_msg and reads the RTT fields of its tcp_info.
func parseDiagAttrs(b []byte) (KernelRTT, bool, error) {
	ne := binary.NativeEndian
	for off := 0; off < len(b); {
		rest := b[off:]
		if len(rest) < rtaHdrLen {
			return KernelRTT{}, false, fmt.Errorf("attribute at offset %d: %d bytes left, want a %d-byte header", off, len(rest), rtaHdrLen)
		}
		n := int(ne.Uint16(rest))
		if n < rtaHdrLen || n > len(rest) {
			return KernelRTT{}, false, fmt.Errorf("attribute at offset %d: length %d is outside [%d, %d]", off, n, rtaHdrLen, len(rest))
		}
		if ne.Uint16(rest[2:]) == inetDiagInfo {
			info := rest[rtaHdrLen:n]
			if len(info) < tcpiRTTVarOff+4 {
				return KernelRTT{}, false, fmt.Errorf("tcp_info: %d bytes, want at least %d", len(info), tcpiRTTVarOff+4)
			}
			rtt := KernelRTT{
				RTT:    usec(ne.Uint32(info[tcpiRTTOff:])),
				RTTVar: usec(ne.Uint32(info[tcpiRTTVarOff:])),
			}
			if len(info) >= tcpiMinRTTOff+4 {
				rtt.MinRTT = usec(ne.Uint32(info[tcpiMinRTTOff:]))
			}
			return rtt, true, nil
		}
		off += align4(n)
	}
	return KernelRTT{}, false, nil
}

// diagRequest returns a SOCK_DIAG_BY_FAMILY dump request for the
// established TCP sockets of family with their tcp_info.
func diagRequest(family uint8, seq uint32) []byte {
	const (
		nlmFRequest = 0x1
		nlmFDump    = 0x300 // NLM_F_ROOT | NLM_F_MATCH
		ipprotoTCP  = 6
	)
	ne := binary.NativeEndian
	b := make([]byte, nlmsgHdrLen+inetDiagReqLen)
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], sockDiagByFamily)
	ne.PutUint16(b[6:], nlmFRequest|nlmFDump)
	ne.PutUint32(b[8:], seq)
	req := b[nlmsgHdrLen:]
	req[0] = family
	req[1] = ipprotoTCP
	req[2] = 1 << (inetDiagInfo - 1) // idiag_ext
	ne.PutUint32(req[4:], 1<<tcpEstablished)
	return b
}

func align4(n int) int { return (n + 3) &^ 3 }

func usec(us uint32) time.Duration { return time.Duration(us) * time.Microsecond }
