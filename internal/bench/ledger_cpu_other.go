//go:build !linux

package bench

import "time"

// processCPU is not measured outside Linux.
func processCPU() time.Duration { return 0 }
