//go:build !linux

package tcpinfo

import (
	"errors"
	"fmt"
	"net"
	"runtime"
)

func read(c net.Conn) (Info, error) {
	return Info{}, fmt.Errorf("tcpinfo: read TCP_INFO on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
