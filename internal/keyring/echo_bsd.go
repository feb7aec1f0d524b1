//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package keyring

import (
	"os"

	"golang.org/x/sys/unix"
)

// echoOff turns off echo on f if it is a terminal, as golang.org/x/term's
// ReadPassword does, and returns the function that restores it.
func echoOff(f *os.File) (restore func(), ok bool) {
	return echoOffIoctl(int(f.Fd()), unix.TIOCGETA, unix.TIOCSETA)
}
