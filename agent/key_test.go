package agent

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
)

func testKey(t testing.TB, b byte) *Key {
	t.Helper()
	k, err := KeyFromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeySaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "device.json")
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveKey(path, "dev", k); err != nil {
		t.Fatalf("SaveKey: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("got mode %04o, want 0600", got)
	}
	got, err := LoadKey(path)
	if err != nil {
		t.Fatalf("LoadKey: %v", err)
	}
	if !bytes.Equal(got.PubKey(), k.PubKey()) || got.Address() != Address(ledger.AddressOf(k.PubKey())) {
		t.Errorf("got key %x, want %x", got.PubKey(), k.PubKey())
	}
	if err := SaveKey(path, "dev", testKey(t, 1)); !errors.Is(err, os.ErrExist) {
		t.Errorf("SaveKey over an existing file: got %v, want ErrExist", err)
	}
	again, _ := LoadKey(path)
	if !bytes.Equal(again.PubKey(), k.PubKey()) {
		t.Errorf("existing key file was replaced")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(path); !errors.Is(err, ErrBadKeyFile) {
		t.Errorf("LoadKey of a 0644 file: got %v, want ErrBadKeyFile", err)
	}
}

// TestKeyringTestKeyLoads checks that an unencrypted keyring key (depin keys
// add --keyring-backend test) is a device key file.
func TestKeyringTestKeyLoads(t *testing.T) {
	dir := t.TempDir()
	kr, err := keyring.Open(dir, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := kr.Add("sensor1")
	if err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(filepath.Join(dir, "sensor1.json"))
	if err != nil {
		t.Fatalf("LoadKey: %v", err)
	}
	if !bytes.Equal(k.PubKey(), info.PubKey) {
		t.Errorf("got public key %x, want %x", k.PubKey(), info.PubKey)
	}
}

func TestUnmarshalKeyFileRejects(t *testing.T) {
	good, err := MarshalKeyFile(testKey(t, 7), "x")
	if err != nil {
		t.Fatal(err)
	}
	other := testKey(t, 8)
	tests := []struct {
		name, from, to string
	}{
		{"version", `"version": 1`, `"version": 2`},
		{"encrypted", `"encryption": "none"`, `"encryption": "argon2id-chacha20poly1305"`},
		{"short seed", `"seed": "0707`, `"seed": "07`},
		{"not hex", `"seed": "0707`, `"seed": "zz07`},
		{"foreign pub_key", mustField(t, good, "pub_key"), hexOf(other.PubKey())},
		{"foreign address", mustField(t, good, "address"), other.Address().String()},
		{"not json", `{`, `[`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := strings.Replace(string(good), tt.from, tt.to, 1)
			if b == string(good) {
				t.Fatalf("replacement %q not found", tt.from)
			}
			if _, err := UnmarshalKeyFile([]byte(b)); !errors.Is(err, ErrBadKeyFile) {
				t.Errorf("got %v, want ErrBadKeyFile", err)
			}
		})
	}
	if _, err := UnmarshalKeyFile(good); err != nil {
		t.Errorf("good file: got %v, want nil", err)
	}
}

func mustField(t *testing.T, file []byte, name string) string {
	t.Helper()
	s := string(file)
	i := strings.Index(s, `"`+name+`": "`)
	if i < 0 {
		t.Fatalf("no field %s", name)
	}
	rest := s[i+len(name)+5:]
	return rest[:strings.IndexByte(rest, '"')]
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
