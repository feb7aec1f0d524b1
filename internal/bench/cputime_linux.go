package bench

import (
	"syscall"
	"time"
)

// cpuMeasured says whether threadCPU measures anything.
const cpuMeasured = true

// threadCPU returns the CPU time (user + system) the calling OS thread has
// used; callers lock their goroutine to the thread. On a shared machine it
// counts this work only, not the time other processes took the cores.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD, linux/resource.h
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
