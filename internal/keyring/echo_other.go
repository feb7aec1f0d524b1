//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package keyring

import "os"

// echoOff cannot turn off echo on this platform: the passphrase is read as
// a plain line.
func echoOff(*os.File) (restore func(), ok bool) { return nil, false }
