package keyring

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// fileExt is the extension of key files.
const fileExt = ".json"

// Dir returns the conventional keyring directory of a home directory.
func Dir(home string) string { return filepath.Join(home, "keyring") }

// Info is the public description of a key.
type Info struct {
	Name      string
	Address   ledger.Address
	PubKey    sig.PublicKey
	Encrypted bool // the seed on disk is encrypted with the keyring passphrase
}

// PubKeyHex returns the public key in lower-case hex.
func (i Info) PubKeyHex() string { return hex.EncodeToString(i.PubKey) }

// MarshalJSON renders the address in bech32 and the public key in hex.
func (i Info) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name      string `json:"name"`
		Address   string `json:"address"`
		PubKey    string `json:"pub_key"`
		Encrypted bool   `json:"encrypted"`
	}{i.Name, i.Address.String(), i.PubKeyHex(), i.Encrypted})
}

// Keyring is a directory of keys. It is not safe for concurrent use by
// several goroutines; several processes may share the directory, and adding
// a key never overwrites one another process added.
type Keyring struct {
	dir     string
	backend string
	pass    PassphraseFunc
	params  KDFParams
	unlock  []byte // the keyring passphrase, once checked
}

// Open opens (creating if needed, mode 0700) the keyring in dir. backend is
// BackendFile or BackendTest; pass supplies the keyring passphrase when one
// is needed and may be nil if no encrypted key will be read or written.
func Open(dir string, backend string, pass PassphraseFunc) (*Keyring, error) {
	if backend != BackendFile && backend != BackendTest {
		return nil, fmt.Errorf("keyring: open %q: %w", backend, ErrBadBackend)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: open: %w", err)
	}
	return &Keyring{dir: dir, backend: backend, pass: pass, params: DefaultKDFParams()}, nil
}

// SetKDFParams changes the argon2id parameters used for keys written from
// now on (tests use cheap ones). Keys already on disk keep theirs.
func (k *Keyring) SetKDFParams(p KDFParams) error {
	if err := p.validate(); err != nil {
		return fmt.Errorf("keyring: set kdf params: %w", err)
	}
	k.params = p
	return nil
}

// Backend returns the backend the keyring was opened with.
func (k *Keyring) Backend() string { return k.backend }

// Add generates a new key named name.
func (k *Keyring) Add(name string) (Info, error) {
	if err := k.checkNew(name); err != nil {
		return Info{}, fmt.Errorf("keyring: add: %w", err)
	}
	_, priv, err := sig.GenerateKey(nil)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: add %q: generate key: %w", name, err)
	}
	info, err := k.store(name, priv.Seed())
	if err != nil {
		return Info{}, fmt.Errorf("keyring: add %q: %w", name, err)
	}
	return info, nil
}

// AddFromSeed stores the key derived from a 32-byte ed25519 seed, so that
// a devnet can make the same dev accounts on every run.
func (k *Keyring) AddFromSeed(name string, seed []byte) (Info, error) {
	if err := k.checkNew(name); err != nil {
		return Info{}, fmt.Errorf("keyring: add from seed: %w", err)
	}
	if len(seed) != seedLen {
		return Info{}, fmt.Errorf("keyring: add from seed %q: got %d bytes: %w", name, len(seed), ErrBadSeed)
	}
	info, err := k.store(name, seed)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: add from seed %q: %w", name, err)
	}
	return info, nil
}

// List returns every key, sorted by name. A corrupt key file fails the
// whole listing, naming the file.
func (k *Keyring) List() ([]Info, error) {
	names, err := k.names()
	if err != nil {
		return nil, fmt.Errorf("keyring: list: %w", err)
	}
	infos := make([]Info, 0, len(names))
	for _, n := range names {
		e, err := k.load(n)
		if err != nil {
			return nil, fmt.Errorf("keyring: list: %w", err)
		}
		infos = append(infos, e.info)
	}
	return infos, nil
}

// Show returns the key named name.
func (k *Keyring) Show(name string) (Info, error) {
	e, err := k.load(name)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: show: %w", err)
	}
	return e.info, nil
}

// Delete removes the key named name.
func (k *Keyring) Delete(name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("keyring: delete: %w", err)
	}
	if err := os.Remove(k.path(name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("keyring: delete %q: %w", name, ErrUnknownKey)
		}
		return fmt.Errorf("keyring: delete %q: %w", name, err)
	}
	if err := durable.SyncDir(k.dir); err != nil {
		return fmt.Errorf("keyring: delete %q: %w", name, err)
	}
	return nil
}

// PrivateKey returns the private key named name, asking for the keyring
// passphrase if the key is encrypted.
func (k *Keyring) PrivateKey(name string) (sig.PrivateKey, error) {
	e, err := k.load(name)
	if err != nil {
		return nil, fmt.Errorf("keyring: private key: %w", err)
	}
	seed, err := k.openEntry(e)
	if err != nil {
		return nil, fmt.Errorf("keyring: private key %q: %w", name, err)
	}
	return sig.KeyFromSeed(seed), nil
}

// path is the file of the key named name.
func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name+fileExt) }

// checkNew checks that name is valid and free.
func (k *Keyring) checkNew(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if _, err := os.Lstat(k.path(name)); err == nil {
		return fmt.Errorf("%q: %w", name, ErrKeyExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%q: %w", name, err)
	}
	return nil
}

// names lists the key names in the directory, sorted.
func (k *Keyring) names() ([]string, error) {
	des, err := os.ReadDir(k.dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		n, ok := strings.CutSuffix(de.Name(), fileExt)
		if ok && ValidName(n) && de.Type().IsRegular() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// load reads and decodes the key file of name.
func (k *Keyring) load(name string) (*entry, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(k.path(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%q: %w in %s (depin keys list shows the keys; check --home and --keyring-backend)", name, ErrUnknownKey, k.dir)
		}
		return nil, fmt.Errorf("%q: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%q: read: %w", name, err)
	}
	e, err := decodeKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("%q: file %s: %w", name, k.path(name), err)
	}
	if e.info.Name != name {
		return nil, fmt.Errorf("%q: file %s names key %q: %w", name, k.path(name), e.info.Name, ErrCorrupt)
	}
	return e, nil
}
