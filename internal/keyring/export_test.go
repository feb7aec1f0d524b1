package keyring

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exportPass = "export passphrase"

func TestExportImportBetweenHomes(t *testing.T) {
	for _, from := range []string{BackendFile, BackendTest} {
		for _, to := range []string{BackendFile, BackendTest} {
			t.Run(from+"_to_"+to, func(t *testing.T) {
				src := openRing(t, t.TempDir(), from, StaticPassphrase(testPass))
				info, err := src.Add("alice")
				if err != nil {
					t.Fatal(err)
				}
				armor, err := src.Export("alice", StaticPassphrase(exportPass))
				if err != nil {
					t.Fatalf("Export: %v", err)
				}
				if !bytes.HasPrefix(armor, []byte("-----BEGIN "+ArmorType+"-----\n")) {
					t.Errorf("export does not start with the armor header:\n%s", armor)
				}
				want, err := src.PrivateKey("alice")
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(armor, want.Seed()) {
					t.Errorf("export contains the clear seed")
				}
				dstDir := t.TempDir()
				dst := openRing(t, dstDir, to, StaticPassphrase("other keyring pass"))
				got, err := dst.Import("alice2", armor, StaticPassphrase(exportPass))
				if err != nil {
					t.Fatalf("Import: %v", err)
				}
				if got.Address != info.Address || got.Name != "alice2" {
					t.Errorf("imported: got %s %s, want alice2 %s", got.Name, got.Address, info.Address)
				}
				priv, err := openRing(t, dstDir, to, StaticPassphrase("other keyring pass")).PrivateKey("alice2")
				if err != nil {
					t.Fatalf("PrivateKey after import: %v", err)
				}
				if !bytes.Equal(priv, want) {
					t.Errorf("imported private key differs from the exported one")
				}
			})
		}
	}
}

func TestImportFailuresChangeNothing(t *testing.T) {
	src := openRing(t, t.TempDir(), BackendTest, nil)
	if _, err := src.Add("alice"); err != nil {
		t.Fatal(err)
	}
	armor, err := src.Export("alice", StaticPassphrase(exportPass))
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(armor, []byte("Kdf-Params: t=1,"), []byte("Kdf-Params: t=2,"), 1)
	lines := strings.Split(string(armor), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Nonce: ") {
			lines[i] = "Nonce: AAAAAAAAAAAAAAAA"
		}
	}
	otherNonce := []byte(strings.Join(lines, "\n"))
	tests := []struct {
		name  string
		key   string
		armor []byte
		pass  PassphraseFunc
		want  error
	}{
		{"wrong passphrase", "bob", armor, StaticPassphrase("not the export pass"), ErrWrongPassphrase},
		{"no passphrase", "bob", armor, nil, ErrNoPassphrase},
		{"altered kdf params", "bob", tampered, StaticPassphrase(exportPass), ErrWrongPassphrase},
		{"altered nonce", "bob", otherNonce, StaticPassphrase(exportPass), ErrWrongPassphrase},
		{"truncated", "bob", armor[:len(armor)/2], StaticPassphrase(exportPass), ErrCorrupt},
		{"trailing data", "bob", append(bytes.Clone(armor), "x"...), StaticPassphrase(exportPass), ErrCorrupt},
		{"trailing block", "bob", append(bytes.Clone(armor), armor...), StaticPassphrase(exportPass), ErrCorrupt},
		{"key file instead", "bob", []byte(`{"version":1}`), StaticPassphrase(exportPass), ErrCorrupt},
		{"name taken", "carol", armor, StaticPassphrase(exportPass), ErrKeyExists},
		{"bad name", "Bob", armor, StaticPassphrase(exportPass), ErrBadName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dst := openRing(t, dir, BackendTest, nil)
			if _, err := dst.Add("carol"); err != nil {
				t.Fatal(err)
			}
			if _, err := dst.Import(tt.key, tt.armor, tt.pass); !errors.Is(err, tt.want) {
				t.Errorf("Import: got %v, want %v", err, tt.want)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 1 || ents[0].Name() != "carol.json" {
				t.Errorf("directory after failed import: got %d entries, want only carol.json", len(ents))
			}
		})
	}
}

func TestExportNeedsStrongPassphrase(t *testing.T) {
	k := openRing(t, t.TempDir(), BackendTest, nil)
	if _, err := k.Add("alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Export("alice", StaticPassphrase("short")); !errors.Is(err, ErrWeakPassphrase) {
		t.Errorf("Export with short passphrase: got %v, want ErrWeakPassphrase", err)
	}
	if _, err := k.Export("alice", nil); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("Export without passphrase: got %v, want ErrNoPassphrase", err)
	}
}

func TestWriteNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alice.key")
	if err := WriteNewFile(path, []byte("one")); err != nil {
		t.Fatalf("WriteNewFile: %v", err)
	}
	if err := WriteNewFile(path, []byte("two")); !errors.Is(err, os.ErrExist) {
		t.Errorf("second WriteNewFile: got %v, want ErrExist", err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "one" {
		t.Errorf("content: got %q, %v, want %q", got, err, "one")
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %o, want 600", st.Mode().Perm())
	}
}
