//go:build unix

package importer

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used, so
// that a benchmark can report its cost apart from the wall-clock time, which
// other load on the machine inflates.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
