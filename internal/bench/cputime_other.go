//go:build !linux

package bench

import "time"

const cpuMeasured = false

// threadCPU is not measured outside Linux.
func threadCPU() time.Duration { return 0 }
