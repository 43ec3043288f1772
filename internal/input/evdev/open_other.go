//go:build !linux

package evdev

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

func openDevice(path string) (*os.File, error) {
	return nil, fmt.Errorf("open %s: evdev on %s: %w", path, runtime.GOOS, errors.ErrUnsupported)
}

func nodeOf(path string, _ os.FileInfo) nodeID { return nodeID{path: path} }
