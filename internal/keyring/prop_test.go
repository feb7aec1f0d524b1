package keyring

import (
	"bytes"
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// genEntry draws a key, encrypted or not, with its seed and passphrase.
func genEntry(t *rapid.T) (e *entry, seed, pass []byte) {
	seed = rapid.SliceOfN(rapid.Byte(), seedLen, seedLen).Draw(t, "seed")
	pass = rapid.SliceOfN(rapid.Byte(), 1, 64).Draw(t, "pass")
	name := rapid.StringMatching(`[a-z0-9_-]{1,64}`).Draw(t, "name")
	pub := sig.PublicOf(sig.KeyFromSeed(seed))
	e = &entry{info: Info{Name: name, Address: ledger.AddressOf(pub), PubKey: pub}}
	if rapid.Bool().Draw(t, "encrypted") {
		s, err := seal(seed, pass, additionalData(aadFile, pub), cheapKDF)
		if err != nil {
			t.Fatal(err)
		}
		e.sealed, e.info.Encrypted = s, true
	} else {
		e.seed = seed
	}
	return e, seed, pass
}

// TestKeyFileRoundTrip: decode(encode(e)) gives back the key, and only the
// right passphrase opens it.
func TestKeyFileRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e, seed, pass := genEntry(t)
		data, err := encodeKeyFile(e)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		got, err := decodeKeyFile(data)
		if err != nil {
			t.Fatalf("decode of encoded file: %v\n%s", err, data)
		}
		if got.info.Name != e.info.Name || got.info.Address != e.info.Address || got.info.Encrypted != e.info.Encrypted {
			t.Fatalf("info: got %+v, want %+v", got.info, e.info)
		}
		k := &Keyring{pass: StaticPassphrase(string(pass))}
		opened, err := k.openEntry(got)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if !bytes.Equal(opened, seed) {
			t.Fatalf("seed: got %x, want %x", opened, seed)
		}
		if e.encrypted() {
			wrong := append(bytes.Clone(pass), 'x')
			k := &Keyring{pass: StaticPassphrase(string(wrong))}
			if _, err := k.openEntry(got); !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("open with wrong passphrase: got %v, want ErrWrongPassphrase", err)
			}
		}
	})
}

// TestArmorRoundTrip: decodeArmor(encodeArmor(a)) gives back the export.
func TestArmorRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.SliceOfN(rapid.Byte(), seedLen, seedLen).Draw(t, "seed")
		pass := rapid.SliceOfN(rapid.Byte(), 1, 64).Draw(t, "pass")
		pub := sig.PublicOf(sig.KeyFromSeed(seed))
		s, err := seal(seed, pass, additionalData(aadExport, pub), cheapKDF)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeArmor(encodeArmor(&armored{pub: pub, sealed: s}))
		if err != nil {
			t.Fatalf("decode of encoded armor: %v", err)
		}
		opened, err := got.sealed.open(pass, additionalData(aadExport, got.pub))
		if err != nil || !bytes.Equal(opened, seed) {
			t.Fatalf("open: got %x, %v, want %x", opened, err, seed)
		}
		// A key file's ciphertext does not open as an export, nor vice versa.
		if _, err := got.sealed.open(pass, additionalData(aadFile, got.pub)); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("export opened as a key file: got %v, want ErrWrongPassphrase", err)
		}
	})
}
