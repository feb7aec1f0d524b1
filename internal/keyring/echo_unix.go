//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package keyring

import "golang.org/x/sys/unix"

// echoOffIoctl clears ECHO on the terminal fd with the given get and set
// requests; ok is false if fd is not a terminal.
func echoOffIoctl(fd int, get, set uint) (restore func(), ok bool) {
	t, err := unix.IoctlGetTermios(fd, get)
	if err != nil {
		return nil, false
	}
	old := *t
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, set, t); err != nil {
		return nil, false
	}
	return func() { _ = unix.IoctlSetTermios(fd, set, &old) }, true
}
