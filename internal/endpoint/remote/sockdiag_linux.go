package remote

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// diagBufSize is the receive buffer for sock_diag dumps; the kernel fills
// at most 32 KiB per message batch.
const diagBufSize = 64 << 10

// defaultDiagTimeout bounds each receive when ctx has no deadline.
const defaultDiagTimeout = 5 * time.Second

// SockDiagRTTs asks the kernel, through sock_diag (NETLINK_SOCK_DIAG,
// INET_DIAG_INFO), for the RTTs of the established TCP sockets, IPv4 and
// IPv6, whose inodes are listed. Sockets that are not found (closed, not
// established, or in another network namespace) are missing from the
// result.
//
// It sees the sockets of the caller's network namespace only: the
// namespace of the thread that opens the netlink socket. No privilege is
// needed, for other users' sockets too.
func SockDiagRTTs(ctx context.Context, inodes []uint64) (map[uint64]KernelRTT, error) {
	out := map[uint64]KernelRTT{}
	if len(inodes) == 0 {
		return out, nil
	}
	want := make(map[uint64]bool, len(inodes))
	for _, ino := range inodes {
		want[ino] = true
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("open sock_diag netlink socket: %w", err)
	}
	defer unix.Close(fd)
	timeout := defaultDiagTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, max(time.Until(dl), time.Millisecond))
	}
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("set sock_diag receive timeout: %w", err)
	}
	buf := make([]byte, diagBufSize)
	for i, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		seq := uint32(i + 1)
		if err := unix.Sendto(fd, diagRequest(family, seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return nil, fmt.Errorf("send sock_diag request for family %d: %w", family, err)
		}
		for done := false; !done; {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			n, _, flags, _, err := unix.Recvmsg(fd, buf, nil, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("receive sock_diag answer for family %d: %w", family, err)
			}
			if flags&unix.MSG_TRUNC != 0 {
				return nil, fmt.Errorf("receive sock_diag answer for family %d: truncated at %d bytes", family, len(buf))
			}
			if done, err = parseDiag(buf[:n], seq, want, out); err != nil {
				return nil, fmt.Errorf("sock_diag answer for family %d: %w", family, err)
			}
		}
	}
	return out, nil
}
