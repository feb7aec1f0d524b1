//go:build !unix

package bench

import "time"

// ingestProcessCPU is not measured outside Unix; the CPU row is left out.
func ingestProcessCPU() time.Duration { return 0 }
