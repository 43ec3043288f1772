//go:build !linux

package remote

import (
	"context"
	"errors"
	"fmt"
)

// SockDiagRTTs asks the kernel for the RTTs of the TCP sockets whose
// inodes are listed. Only Linux has sock_diag: elsewhere the error wraps
// [errors.ErrUnsupported].
func SockDiagRTTs(ctx context.Context, inodes []uint64) (map[uint64]KernelRTT, error) {
	return nil, fmt.Errorf("sock_diag: %w", errors.ErrUnsupported)
}
