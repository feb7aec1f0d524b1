package keyring

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keyFileOf adds a key named name and returns its file's bytes.
func keyFileOf(t *testing.T, backend, name string) (dir string, data []byte) {
	t.Helper()
	dir = t.TempDir()
	if _, err := openRing(t, dir, backend, StaticPassphrase(testPass)).Add(name); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, data
}

func TestTruncatedFilesAreCorrupt(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		dir, data := keyFileOf(t, backend, "alice")
		path := filepath.Join(dir, "alice.json")
		// Every proper prefix of a key file must be rejected as corrupt,
		// except the file minus its final newline, which is still whole.
		for n := 0; n < len(data)-1; n++ {
			if err := os.WriteFile(path, data[:n], 0o600); err != nil {
				t.Fatal(err)
			}
			k := openRing(t, dir, backend, StaticPassphrase(testPass))
			if _, err := k.Show("alice"); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: Show of file truncated to %d of %d bytes: got %v, want ErrCorrupt", backend, n, len(data), err)
			}
			if _, err := k.List(); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: List with truncated file: got %v, want ErrCorrupt", backend, err)
			}
		}
	}
}

func TestEditedFiles(t *testing.T) {
	_, plain := keyFileOf(t, BackendTest, "alice")
	_, enc := keyFileOf(t, BackendFile, "alice")
	_, other := keyFileOf(t, BackendTest, "alice")
	field := func(data []byte, key string) string {
		s := string(data)
		i := strings.Index(s, `"`+key+`": "`) + len(key) + 5
		return s[i : i+strings.IndexByte(s[i:], '"')]
	}
	replace := func(data []byte, old, new string) []byte {
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("test setup: %q not in file", old)
		}
		return bytes.Replace(data, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"other key's address", replace(plain, field(plain, "address"), field(other, "address")), ErrCorrupt},
		{"other key's public key", replace(plain, field(plain, "pub_key"), field(other, "pub_key")), ErrCorrupt},
		{"other key's seed", replace(plain, field(plain, "seed"), field(other, "seed")), ErrCorrupt},
		{"unknown field", replace(plain, `"version"`, `"extra": 1, "version"`), ErrCorrupt},
		{"trailing data", append(bytes.Clone(plain), "{}"...), ErrCorrupt},
		{"version 2", replace(plain, `"version": 1`, `"version": 2`), ErrCorrupt},
		{"unknown encryption", replace(enc, `argon2id-chacha20poly1305`, `rot13`), ErrCorrupt},
		{"huge kdf memory", replace(enc, `"memory_kib": 64`, `"memory_kib": 4294967295`), ErrCorrupt},
		{"4 GiB kdf memory (issue 8 item 8)", replace(enc, `"memory_kib": 64`, `"memory_kib": 4194304`), ErrCorrupt},
		{"kdf memory just over the bound", replace(enc, `"memory_kib": 64`, `"memory_kib": 262145`), ErrCorrupt},
		{"kdf work over the bound", replace(replace(enc, `"memory_kib": 64`, `"memory_kib": 262144`), `"time": 1`, `"time": 5`), ErrCorrupt},
		{"many kdf passes", replace(enc, `"time": 1`, `"time": 17`), ErrCorrupt},
		{"zero kdf time", replace(enc, `"time": 1`, `"time": 0`), ErrCorrupt},
		{"other kdf params", replace(enc, `"time": 1`, `"time": 2`), ErrWrongPassphrase},
		{"altered ciphertext", replace(enc, field(enc, "ciphertext")[:4], "AAAA"), ErrWrongPassphrase},
		{"renamed inside", replace(plain, `"name": "alice"`, `"name": "bob"`), ErrCorrupt},
		{"empty", nil, ErrCorrupt},
		{"not json", []byte("-----BEGIN"), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "alice.json"), tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := openRing(t, dir, BackendFile, StaticPassphrase(testPass)).PrivateKey("alice")
			if !errors.Is(err, tt.want) {
				t.Errorf("PrivateKey: got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCorruptFileDoesNotBlockAdd(t *testing.T) {
	dir, _ := keyFileOf(t, BackendFile, "alice")
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	k := openRing(t, dir, BackendFile, StaticPassphrase(testPass))
	if _, err := k.Add("bob"); err != nil {
		t.Fatalf("Add beside a corrupt file: %v", err)
	}
	if err := k.Delete("broken"); err != nil {
		t.Fatalf("Delete of corrupt key: %v", err)
	}
	if infos, err := k.List(); err != nil || len(infos) != 2 {
		t.Errorf("List after deleting the corrupt key: got %d keys, %v, want 2", len(infos), err)
	}
}
