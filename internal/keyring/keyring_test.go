package keyring

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// cheapKDF keeps tests fast; the format records it like any other.
var cheapKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

const testPass = "correct horse battery"

func openRing(t *testing.T, dir, backend string, pass PassphraseFunc) *Keyring {
	t.Helper()
	k, err := Open(dir, backend, pass)
	if err != nil {
		t.Fatalf("Open(%s, %s): %v", dir, backend, err)
	}
	if err := k.SetKDFParams(cheapKDF); err != nil {
		t.Fatalf("SetKDFParams: %v", err)
	}
	return k
}

// countingPass counts how often the passphrase is asked.
func countingPass(p string, n *int) PassphraseFunc {
	return func(string, bool) ([]byte, error) { *n++; return []byte(p), nil }
}

func TestRoundTripBothBackends(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			k := openRing(t, dir, backend, StaticPassphrase(testPass))
			info, err := k.Add("alice")
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			if got, want := info.Encrypted, backend == BackendFile; got != want {
				t.Errorf("Encrypted: got %v, want %v", got, want)
			}
			if got, want := info.Address, ledger.AddressOf(info.PubKey); got != want {
				t.Errorf("address: got %s, want %s", got, want)
			}
			if !strings.HasPrefix(info.Address.String(), "pin1") {
				t.Errorf("address %s: want prefix pin1", info.Address)
			}
			shown, err := k.Show("alice")
			if err != nil {
				t.Fatalf("Show: %v", err)
			}
			if shown.Address != info.Address || shown.PubKeyHex() != info.PubKeyHex() || shown.Name != "alice" {
				t.Errorf("Show: got %+v, want %+v", shown, info)
			}
			// A fresh keyring (no cached passphrase) reads the key back.
			k2 := openRing(t, dir, backend, StaticPassphrase(testPass))
			priv, err := k2.PrivateKey("alice")
			if err != nil {
				t.Fatalf("PrivateKey: %v", err)
			}
			msg := []byte("transfer 5upin")
			if !sig.Verify(info.PubKey, sig.DomainTx, msg, sig.Sign(priv, sig.DomainTx, msg)) {
				t.Errorf("signature by the stored key does not verify under the shown public key")
			}
			data, err := os.ReadFile(filepath.Join(dir, "alice.json"))
			if err != nil {
				t.Fatal(err)
			}
			seedHex := hex.EncodeToString(priv.Seed())
			if got, want := bytes.Contains(data, []byte(seedHex)), backend == BackendTest; got != want {
				t.Errorf("clear seed in file: got %v, want %v", got, want)
			}
		})
	}
}

func TestAddFromSeedMatchesRFC8032(t *testing.T) {
	// RFC 8032 §7.1, TEST 1.
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	wantPub := "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
	for _, backend := range []string{BackendFile, BackendTest} {
		k := openRing(t, t.TempDir(), backend, StaticPassphrase(testPass))
		info, err := k.AddFromSeed("dev0", seed)
		if err != nil {
			t.Fatalf("%s: AddFromSeed: %v", backend, err)
		}
		if got := info.PubKeyHex(); got != wantPub {
			t.Errorf("%s: public key: got %s, want %s", backend, got, wantPub)
		}
		priv, err := k.PrivateKey("dev0")
		if err != nil {
			t.Fatalf("%s: PrivateKey: %v", backend, err)
		}
		if !bytes.Equal(priv.Seed(), seed) {
			t.Errorf("%s: seed: got %x, want %x", backend, priv.Seed(), seed)
		}
	}
	k := openRing(t, t.TempDir(), BackendTest, nil)
	if _, err := k.AddFromSeed("short", seed[:31]); !errors.Is(err, ErrBadSeed) {
		t.Errorf("31-byte seed: got %v, want ErrBadSeed", err)
	}
}

func TestPassphraseErrors(t *testing.T) {
	dir := t.TempDir()
	k := openRing(t, dir, BackendFile, StaticPassphrase(testPass))
	if _, err := k.Add("alice"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	wrong := openRing(t, dir, BackendFile, StaticPassphrase("not the passphrase"))
	if _, err := wrong.PrivateKey("alice"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("PrivateKey with wrong passphrase: got %v, want ErrWrongPassphrase", err)
	}
	if _, err := wrong.Add("bob"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Add with wrong keyring passphrase: got %v, want ErrWrongPassphrase", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bob.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed Add left a file: stat err %v", err)
	}
	none := openRing(t, dir, BackendFile, nil)
	if _, err := none.PrivateKey("alice"); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("PrivateKey without passphrase source: got %v, want ErrNoPassphrase", err)
	}
	if _, err := openRing(t, dir, BackendFile, StaticPassphrase("")).PrivateKey("alice"); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("PrivateKey with empty passphrase: got %v, want ErrNoPassphrase", err)
	}
	fresh := openRing(t, t.TempDir(), BackendFile, StaticPassphrase("short"))
	if _, err := fresh.Add("alice"); !errors.Is(err, ErrWeakPassphrase) {
		t.Errorf("new keyring with short passphrase: got %v, want ErrWeakPassphrase", err)
	}
}

func TestPassphraseAskedOnce(t *testing.T) {
	n := 0
	k := openRing(t, t.TempDir(), BackendFile, countingPass(testPass, &n))
	for _, name := range []string{"a", "b", "c"} {
		if _, err := k.Add(name); err != nil {
			t.Fatalf("Add(%s): %v", name, err)
		}
		if _, err := k.PrivateKey(name); err != nil {
			t.Fatalf("PrivateKey(%s): %v", name, err)
		}
	}
	if n != 1 {
		t.Errorf("passphrase asked %d times, want 1", n)
	}
}

func TestDuplicateNames(t *testing.T) {
	k := openRing(t, t.TempDir(), BackendTest, nil)
	first, err := k.Add("alice")
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if _, err := k.Add("alice"); !errors.Is(err, ErrKeyExists) {
		t.Errorf("second Add: got %v, want ErrKeyExists", err)
	}
	if _, err := k.AddFromSeed("alice", make([]byte, 32)); !errors.Is(err, ErrKeyExists) {
		t.Errorf("AddFromSeed over existing: got %v, want ErrKeyExists", err)
	}
	if got, _ := k.Show("alice"); got.Address != first.Address {
		t.Errorf("key after failed adds: got %s, want %s", got.Address, first.Address)
	}
	// The store itself refuses to replace a file that appeared after the check.
	if err := writeNew(k.dir, "alice.json", []byte("{}")); !errors.Is(err, os.ErrExist) {
		t.Errorf("writeNew over existing: got %v, want ErrExist", err)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"dev0", true},
		{"a_b-c", true},
		{strings.Repeat("x", 64), true},
		{"", false},
		{strings.Repeat("x", 65), false},
		{"Alice", false},
		{"a b", false},
		{"a/b", false},
		{"../etc", false},
		{"a.json", false},
		{"é", false},
	}
	k := openRing(t, t.TempDir(), BackendTest, nil)
	for _, tt := range tests {
		if got := ValidName(tt.name); got != tt.ok {
			t.Errorf("ValidName(%q): got %v, want %v", tt.name, got, tt.ok)
		}
		_, err := k.Add(tt.name)
		if got := !errors.Is(err, ErrBadName); got != tt.ok {
			t.Errorf("Add(%q): got err %v, want bad name %v", tt.name, err, !tt.ok)
		}
		if tt.ok {
			continue
		}
		if _, err := k.Show(tt.name); !errors.Is(err, ErrBadName) {
			t.Errorf("Show(%q): got %v, want ErrBadName", tt.name, err)
		}
		if err := k.Delete(tt.name); !errors.Is(err, ErrBadName) {
			t.Errorf("Delete(%q): got %v, want ErrBadName", tt.name, err)
		}
		if _, err := k.PrivateKey(tt.name); !errors.Is(err, ErrBadName) {
			t.Errorf("PrivateKey(%q): got %v, want ErrBadName", tt.name, err)
		}
	}
}

func TestUnknownKeyAndDelete(t *testing.T) {
	k := openRing(t, t.TempDir(), BackendTest, nil)
	if _, err := k.Add("alice"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("alice"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := k.Show("alice"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Show after Delete: got %v, want ErrUnknownKey", err)
	}
	if err := k.Delete("alice"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("second Delete: got %v, want ErrUnknownKey", err)
	}
	if _, err := k.PrivateKey("bob"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("PrivateKey(bob): got %v, want ErrUnknownKey", err)
	}
	if _, err := k.Export("bob", StaticPassphrase(testPass)); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Export(bob): got %v, want ErrUnknownKey", err)
	}
}

func TestListSortedAndIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	k := openRing(t, dir, BackendTest, nil)
	for _, n := range []string{"b", "a-b", "a", "a_"} {
		if _, err := k.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	for _, junk := range []string{".tmp-x.json-1", "README", "Upper.json"} {
		if err := os.WriteFile(filepath.Join(dir, junk), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	infos, err := k.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var got []string
	for _, i := range infos {
		got = append(got, i.Name)
	}
	if want := "a a-b a_ b"; strings.Join(got, " ") != want {
		t.Errorf("List: got %q, want %q", strings.Join(got, " "), want)
	}
	empty, err := openRing(t, t.TempDir(), BackendTest, nil).List()
	if err != nil || len(empty) != 0 {
		t.Errorf("List of empty keyring: got %v, %v, want none", empty, err)
	}
}

func TestFileModes(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		dir := filepath.Join(t.TempDir(), "keyring")
		k := openRing(t, dir, backend, StaticPassphrase(testPass))
		if _, err := k.Add("alice"); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, "alice.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: key file mode: got %o, want 600", backend, got)
		}
		dst, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := dst.Mode().Perm(); got != 0o700 {
			t.Errorf("%s: keyring dir mode: got %o, want 700", backend, got)
		}
	}
}

func TestBackendsReadEachOther(t *testing.T) {
	dir := t.TempDir()
	if _, err := openRing(t, dir, BackendFile, StaticPassphrase(testPass)).Add("enc"); err != nil {
		t.Fatal(err)
	}
	if _, err := openRing(t, dir, BackendTest, nil).Add("plain"); err != nil {
		t.Fatal(err)
	}
	if _, err := openRing(t, dir, BackendTest, nil).PrivateKey("enc"); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("test backend, encrypted key, no passphrase: got %v, want ErrNoPassphrase", err)
	}
	if _, err := openRing(t, dir, BackendTest, StaticPassphrase(testPass)).PrivateKey("enc"); err != nil {
		t.Errorf("test backend, encrypted key, passphrase: %v", err)
	}
	if _, err := openRing(t, dir, BackendFile, nil).PrivateKey("plain"); err != nil {
		t.Errorf("file backend, plain key: %v", err)
	}
	if _, err := Open(dir, "os", nil); !errors.Is(err, ErrBadBackend) {
		t.Errorf("Open with backend os: got %v, want ErrBadBackend", err)
	}
}
