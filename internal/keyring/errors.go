package keyring

import (
	"errors"
	"fmt"
	"regexp"
)

// Sentinel errors. Every error the keyring returns wraps one of them, with
// the operation and key name in front.
var (
	ErrBadName         = errors.New("invalid key name: use 1 to 64 of a-z, 0-9, '_' and '-'")
	ErrUnknownKey      = errors.New("no such key")
	ErrKeyExists       = errors.New("a key with that name exists")
	ErrWrongPassphrase = errors.New("wrong passphrase")
	ErrCorrupt         = errors.New("corrupt key data")
	ErrNoPassphrase    = errors.New("no passphrase given")
	ErrWeakPassphrase  = errors.New("passphrase too short")
	ErrPassphraseMatch = errors.New("passphrases do not match")
	ErrBadBackend      = errors.New("unknown keyring backend: use file or test")
	ErrBadSeed         = errors.New("seed must be 32 bytes")
)

// Backends name how new keys are written.
const (
	BackendFile = "file" // encrypted with the keyring passphrase
	BackendTest = "test" // unencrypted, for development networks only
)

// MinPassphraseLen is the shortest passphrase accepted when one is chosen
// (a new keyring, an export); existing keyrings are opened with whatever
// passphrase they were made with.
const MinPassphraseLen = 8

var nameRE = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// ValidName reports whether name is a valid key name.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// checkName returns ErrBadName, with the name quoted, if name is invalid.
func checkName(name string) error {
	if !ValidName(name) {
		if len(name) > 80 {
			name = name[:80] + "..."
		}
		return fmt.Errorf("%q: %w", name, ErrBadName)
	}
	return nil
}
