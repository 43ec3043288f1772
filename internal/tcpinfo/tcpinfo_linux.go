package tcpinfo

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

func read(c net.Conn) (Info, error) {
	sc, ok := unwrap(c)
	if !ok {
		return Info{}, fmt.Errorf("tcpinfo: read %T: no socket (no SyscallConn method)", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return Info{}, fmt.Errorf("tcpinfo: get raw socket of %s: %w", describe(c), err)
	}
	var ti *unix.TCPInfo
	var serr error
	err = raw.Control(func(fd uintptr) {
		ti, serr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return Info{}, fmt.Errorf("tcpinfo: getsockopt TCP_INFO on %s: %w", describe(c), err)
	}
	return Info{
		State:         ti.State,
		RTT:           usec(ti.Rtt),
		RTTVar:        usec(ti.Rttvar),
		MinRTT:        usec(ti.Min_rtt),
		RcvRTT:        usec(ti.Rcv_rtt),
		RTO:           usec(ti.Rto),
		Retransmits:   uint32(ti.Retransmits),
		TotalRetrans:  ti.Total_retrans,
		Lost:          ti.Lost,
		Unacked:       ti.Unacked,
		SndMSS:        ti.Snd_mss,
		RcvMSS:        ti.Rcv_mss,
		PMTU:          ti.Pmtu,
		SndCwnd:       ti.Snd_cwnd,
		SegsOut:       ti.Segs_out,
		SegsIn:        ti.Segs_in,
		BytesAcked:    ti.Bytes_acked,
		BytesReceived: ti.Bytes_received,
		BytesRetrans:  ti.Bytes_retrans,
		DeliveryRate:  ti.Delivery_rate,
	}, nil
}

// usec converts the kernel's microsecond counters. The kernel reports
// ^uint32(0) for "no sample yet" in tcpi_min_rtt; that becomes zero.
func usec(v uint32) time.Duration {
	if v == ^uint32(0) {
		return 0
	}
	return time.Duration(v) * time.Microsecond
}

// describe names a connection by its addresses for error messages.
func describe(c net.Conn) string {
	var local, remote string
	if a := c.LocalAddr(); a != nil {
		local = a.String()
	}
	if a := c.RemoteAddr(); a != nil {
		remote = a.String()
	}
	if remote == "" {
		return local
	}
	return local + "->" + remote
}
