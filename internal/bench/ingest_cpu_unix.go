//go:build unix

package bench

import (
	"syscall"
	"time"
)

// ingestProcessCPU returns the CPU time (user + system) of the whole
// process: in the ingest benchmark, the service, its log, the batcher and
// the load generator together. Other processes on a shared machine do not
// count, so per-report CPU carries over between runs where wall time does
// not.
func ingestProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
