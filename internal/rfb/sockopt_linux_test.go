package rfb

import (
	"net"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// noDelay reads TCP_NODELAY from the socket under c.
func noDelay(t *testing.T, c net.Conn) bool {
	t.Helper()
	sc, ok := c.(interface {
		SyscallConn() (syscall.RawConn, error)
	})
	if !ok {
		t.Fatalf("%T has no socket", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := raw.Control(func(fd uintptr) {
		v, serr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY)
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatalf("getsockopt TCP_NODELAY: %v", serr)
	}
	return v != 0
}
