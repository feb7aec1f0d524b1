package keyring

import (
	"bytes"
	"testing"
)

// FuzzDecodeKeyFile: the key file decoder never panics, and whatever it
// accepts re-encodes to a file that decodes to the same key.
func FuzzDecodeKeyFile(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeKeyFile(data)
		if err != nil {
			return
		}
		out, err := encodeKeyFile(e)
		if err != nil {
			t.Fatalf("encode of decoded file: %v", err)
		}
		again, err := decodeKeyFile(out)
		if err != nil {
			t.Fatalf("decode of re-encoded file: %v\n%s", err, out)
		}
		if again.info.Name != e.info.Name || again.info.Address != e.info.Address ||
			!bytes.Equal(again.seed, e.seed) || again.encrypted() != e.encrypted() {
			t.Fatalf("round trip: got %+v, want %+v", again, e)
		}
		if e.encrypted() && !bytes.Equal(again.sealed.Ciphertext, e.sealed.Ciphertext) {
			t.Fatalf("round trip changed the ciphertext")
		}
	})
}

// FuzzDecodeArmor: the armored export decoder never panics, and whatever
// it accepts re-encodes to an export that decodes to the same key.
func FuzzDecodeArmor(f *testing.F) {
	f.Add([]byte("-----BEGIN " + ArmorType + "-----\n-----END " + ArmorType + "-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := decodeArmor(data)
		if err != nil {
			return
		}
		again, err := decodeArmor(encodeArmor(a))
		if err != nil {
			t.Fatalf("decode of re-encoded armor: %v", err)
		}
		if !bytes.Equal(again.pub, a.pub) || !bytes.Equal(again.sealed.Ciphertext, a.sealed.Ciphertext) ||
			again.sealed.Params != a.sealed.Params {
			t.Fatalf("round trip: got %+v, want %+v", again, a)
		}
	})
}
