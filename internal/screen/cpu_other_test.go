//go:build !linux

package screen

import "time"

// cpuTime is not measured outside Linux.
func cpuTime() time.Duration { return 0 }

// threadCPUTime is not measured outside Linux.
func threadCPUTime() time.Duration { return 0 }
