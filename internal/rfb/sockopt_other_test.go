//go:build !linux

package rfb

import (
	"net"
	"testing"
)

func noDelay(t *testing.T, c net.Conn) bool {
	t.Skip("reading TCP_NODELAY is only implemented on Linux")
	return false
}
