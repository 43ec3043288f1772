// Package tcpinfo reads the kernel's view of a TCP connection: its smoothed
// round-trip time, the RTT variance, the minimum RTT seen, and the
// retransmission counters.
//
// The kernel estimates RTT from the ACKs it receives, so the numbers describe
// the network path and the peer's TCP stack, not the application: a slow
// handler on the far side does not inflate them, while a delayed ACK can
// (by up to the peer's delayed-ACK timeout, 40 ms on Linux). MinRTT is the
// best single sample and the closest thing to the propagation delay.
//
// Only Linux is supported (getsockopt TCP_INFO). On other systems [Read]
// returns an error wrapping [errors.ErrUnsupported]; callers branch with
// errors.Is(err, errors.ErrUnsupported). Fields that the running kernel does
// not report (for example MinRTT before Linux 4.6) are zero.
//
// Read is safe for concurrent use with reads and writes on the connection.
package tcpinfo

import (
	"net"
	"syscall"
	"time"
)

// Info is a snapshot of the kernel's state for one TCP connection.
type Info struct {
	// State is the TCP state as the kernel numbers it (1 established,
	// 7 closed, ...; see TCP_ESTABLISHED in linux/tcp_states.h).
	State uint8

	// RTT is the smoothed round-trip time (tcpi_rtt, srtt).
	RTT time.Duration
	// RTTVar is the smoothed mean deviation of the RTT (tcpi_rttvar).
	RTTVar time.Duration
	// MinRTT is the smallest RTT sample over a recent window (tcpi_min_rtt,
	// a windowed minimum of about five minutes on Linux).
	MinRTT time.Duration
	// RcvRTT is the receiver-side RTT estimate used for receive-window
	// tuning (tcpi_rcv_rtt); zero until this side has received enough data.
	RcvRTT time.Duration
	// RTO is the current retransmission timeout (tcpi_rto).
	RTO time.Duration

	// Retransmits is the number of consecutive retransmission timeouts of
	// the segment at the head of the queue, reset when it is acknowledged
	// (tcpi_retransmits).
	Retransmits uint32
	// TotalRetrans is the number of segments retransmitted over the life of
	// the connection (tcpi_total_retrans).
	TotalRetrans uint32
	// Lost is the number of segments currently presumed lost (tcpi_lost).
	Lost uint32
	// Unacked is the number of segments sent and not yet acknowledged
	// (tcpi_unacked).
	Unacked uint32

	// SndMSS and RcvMSS are the maximum segment sizes in each direction.
	SndMSS, RcvMSS uint32
	// PMTU is the path MTU the kernel uses.
	PMTU uint32
	// SndCwnd is the congestion window in segments.
	SndCwnd uint32

	// SegsOut and SegsIn count the segments sent and received, including
	// pure ACKs and retransmissions.
	SegsOut, SegsIn uint32
	// BytesAcked is the number of payload bytes the peer acknowledged.
	BytesAcked uint64
	// BytesReceived is the number of payload bytes received in order.
	BytesReceived uint64
	// BytesRetrans is the number of payload bytes retransmitted.
	BytesRetrans uint64
	// DeliveryRate is the most recent delivery-rate estimate in bytes per
	// second (tcpi_delivery_rate).
	DeliveryRate uint64
}

// syscallConn is what Read needs from a connection: access to its socket.
type syscallConn interface {
	SyscallConn() (syscall.RawConn, error)
}

// netConner is implemented by wrappers such as *tls.Conn.
type netConner interface {
	NetConn() net.Conn
}

// unwrap returns the innermost connection with a socket, following
// NetConn methods (as on *tls.Conn) at most a few levels deep.
func unwrap(c net.Conn) (syscallConn, bool) {
	for range 8 {
		if sc, ok := c.(syscallConn); ok {
			return sc, true
		}
		w, ok := c.(netConner)
		if !ok {
			return nil, false
		}
		c = w.NetConn()
	}
	return nil, false
}

// Read returns the kernel's TCP state for c. c must be a *net.TCPConn or
// anything with a SyscallConn method backed by a TCP socket; wrappers with a
// NetConn method, such as *tls.Conn, are unwrapped.
//
// On systems other than Linux the error wraps [errors.ErrUnsupported].
func Read(c net.Conn) (Info, error) {
	return read(c)
}
