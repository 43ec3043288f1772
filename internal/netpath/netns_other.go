//go:build !linux

package netpath

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
)

var errUnsupported = fmt.Errorf("netpath: network namespaces need Linux, not %s: %w", runtime.GOOS, errors.ErrUnsupported)

// Available reports whether New can work here. Outside Linux it always
// returns an error wrapping errors.ErrUnsupported.
func Available() error { return errUnsupported }

// system is empty outside Linux: New fails before using it.
type system struct{}

func (*system) setup(context.Context, *Net) error    { return errUnsupported }
func (*system) tun(side) *os.File                    { return nil }
func (*system) closeTUNs() error                     { return nil }
func (*system) teardown(context.Context, *Net) error { return nil }
func (*system) handle(side) (nsHandle, error)        { return nsHandle{}, errUnsupported }
func runIn(nsHandle, func() error) error             { return errUnsupported }

// nsHandle stands in for a namespace handle.
type nsHandle struct{}

// Close does nothing.
func (nsHandle) Close() error { return nil }
