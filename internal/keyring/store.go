package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// store writes a new key file for seed under name, encrypted if the
// backend is "file". It fails with ErrKeyExists if the name is taken, even
// by a key another process added after checkNew.
func (k *Keyring) store(name string, seed []byte) (Info, error) {
	priv := sig.KeyFromSeed(seed)
	pub := sig.PublicOf(priv)
	e := &entry{info: Info{Name: name, Address: ledger.AddressOf(pub), PubKey: pub}}
	if k.backend == BackendFile {
		pass, err := k.writePassphrase()
		if err != nil {
			return Info{}, err
		}
		s, err := seal(seed, pass, additionalData(aadFile, pub), k.params)
		if err != nil {
			return Info{}, fmt.Errorf("encrypt: %w", err)
		}
		e.sealed = s
		e.info.Encrypted = true
	} else {
		e.seed = seed
	}
	data, err := encodeKeyFile(e)
	if err != nil {
		return Info{}, fmt.Errorf("encode: %w", err)
	}
	if err := writeNew(k.dir, name+fileExt, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Info{}, ErrKeyExists
		}
		return Info{}, err
	}
	return e.info, nil
}

// openEntry returns the seed of an entry, decrypting it with the keyring
// passphrase if needed.
func (k *Keyring) openEntry(e *entry) ([]byte, error) {
	if !e.encrypted() {
		return e.seed, nil
	}
	pass := k.unlock
	if pass == nil {
		var err error
		if pass, err = k.ask("Keyring passphrase", false); err != nil {
			return nil, err
		}
	}
	seed, err := e.sealed.open(pass, additionalData(aadFile, e.info.PubKey))
	if err != nil {
		return nil, err
	}
	if err := checkSeed(seed, e.info.PubKey); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	k.unlock = pass
	return seed, nil
}

// writePassphrase returns the passphrase new keys are encrypted with: the
// keyring passphrase, checked against an existing encrypted key, or a new
// one (asked twice when prompted) if the keyring holds none.
func (k *Keyring) writePassphrase() ([]byte, error) {
	if k.unlock != nil {
		return k.unlock, nil
	}
	probe, err := k.firstEncrypted()
	if err != nil {
		return nil, err
	}
	if probe != nil {
		if _, err := k.openEntry(probe); err != nil {
			return nil, fmt.Errorf("check against key %q: %w", probe.info.Name, err)
		}
		return k.unlock, nil
	}
	pass, err := k.ask("New keyring passphrase", true)
	if err != nil {
		return nil, err
	}
	if len(pass) < MinPassphraseLen {
		return nil, fmt.Errorf("%w: need at least %d characters", ErrWeakPassphrase, MinPassphraseLen)
	}
	k.unlock = pass
	return pass, nil
}

// firstEncrypted returns the first readable encrypted key by name, or nil.
// Corrupt files are skipped: they must not stop new keys being added.
func (k *Keyring) firstEncrypted() (*entry, error) {
	names, err := k.names()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if e, err := k.load(n); err == nil && e.encrypted() {
			return e, nil
		}
	}
	return nil, nil
}

// ask calls the passphrase source.
func (k *Keyring) ask(prompt string, confirm bool) ([]byte, error) {
	if k.pass == nil {
		return nil, ErrNoPassphrase
	}
	p, err := k.pass(prompt, confirm)
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, ErrNoPassphrase
	}
	return p, nil
}

// writeNew writes data to dir/name with mode 0600, atomically and never
// over an existing file (the result wraps fs.ErrExist if name is taken).
func writeNew(dir, name string, data []byte) error {
	return durable.WriteNew(filepath.Join(dir, name), data, 0o600)
}

// WriteNewFile writes data to path with mode 0600, atomically, and fails
// (wrapping fs.ErrExist) rather than replace an existing file. The CLI uses
// it for exported keys.
func WriteNewFile(path string, data []byte) error {
	if err := writeNew(filepath.Dir(path), filepath.Base(path), data); err != nil {
		return fmt.Errorf("keyring: write %s: %w", path, err)
	}
	return nil
}
