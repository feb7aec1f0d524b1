package bench

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used.
// The ledger runs hold the nodes and the load generator in one process, so
// the difference across a run is the CPU the run cost, whatever other
// processes took from the cores meanwhile.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
