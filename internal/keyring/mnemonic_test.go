package keyring

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// bip39Vectors are from the BIP-39 reference vectors (trezor/python-mnemonic
// vectors.json, English, passphrase "TREZOR"): entropy, mnemonic, seed.
var bip39Vectors = [][3]string{
	{"00000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"},
	{"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f", "legal winner thank year wave sausage worth useful legal winner thank yellow", "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"},
	{"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong", "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069"},
	{"000000000000000000000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon agent", "035895f2f481b1b0f01fcf8c289c794660b289981a78f8106447707fdd9666ca06da5a9a565181599b79f53b844d8a71dd9f439c52a3d7b3e8a79c906ac845fa"},
	{"9e885d952ad362caeb4efe34a8e91bd2", "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic", "274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606aa6a8595ad213d4c9c9f9aca3fb217069a41028"},
	{"6610b25967cdcca9d59875f5cb50b0ea75433311869e930b", "gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog", "628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5737666fbbef35d1f1903953b66624f910feef245ac"},
	{"6d9be1ee6ebd27a258115aad99b7317b9c8d28b6d76431c3", "horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap uncle crack brave", "fd579828af3da1d32544ce4db5c73d53fc8acc4ddb1e3b251a31179cdb71e853c56d2fcb11aed39898ce6c34b10b5382772db8796e52837b54468aeb312cfc3d"},
	{"f585c11aec520db57dd353c69554b21a89b20fb0650966fa0a9d6f74fd989d8f", "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol group space point ten exist slush involve unfold", "01f5bced59dec48e362f2c45b5de68b9fd6c92c6634f44d6d40aab69056506f0e35524a518034ddc1192e1dacd32c1ed3eaa3c3b131c88ed8e7e54c49a5d0998"},
}

func TestEnglishList(t *testing.T) {
	sum := sha256.Sum256([]byte(englishList))
	if got := hex.EncodeToString(sum[:]); got != "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda" {
		t.Errorf("english list: got sha256 %s, want the published list's", got)
	}
	if len(englishWords) != 2048 || len(englishIndex) != 2048 {
		t.Errorf("english list: got %d words (%d distinct), want 2048", len(englishWords), len(englishIndex))
	}
}

func TestBIP39Vectors(t *testing.T) {
	for _, v := range bip39Vectors {
		ent, _ := hex.DecodeString(v[0])
		m, err := MnemonicFromEntropy(ent)
		if err != nil || m != v[1] {
			t.Errorf("mnemonic of %s: got %q, %v; want %q", v[0], m, err, v[1])
		}
		back, err := MnemonicEntropy(strings.ToUpper(v[1]) + "  ")
		if err != nil || !bytes.Equal(back, ent) {
			t.Errorf("entropy of %q: got %x, %v; want %s", v[1], back, err, v[0])
		}
		seed, err := MnemonicSeed(v[1], "TREZOR")
		if err != nil || hex.EncodeToString(seed) != v[2] {
			t.Errorf("seed of %q: got %x, %v; want %s", v[1], seed, err, v[2])
		}
	}
}

func TestMnemonicRejects(t *testing.T) {
	good := bip39Vectors[0][1]
	for _, m := range []string{
		"",
		"abandon abandon abandon",
		strings.Replace(good, "about", "abandon", 1), // checksum
		strings.Replace(good, "about", "abought", 1), // not a word
		good + " about", // 13 words
	} {
		if _, err := MnemonicEntropy(m); !errors.Is(err, ErrBadMnemonic) {
			t.Errorf("%q: got %v, want ErrBadMnemonic", m, err)
		}
		if _, err := MnemonicSeed(m, ""); !errors.Is(err, ErrBadMnemonic) {
			t.Errorf("seed of %q: got %v, want ErrBadMnemonic", m, err)
		}
	}
	if _, err := MnemonicFromEntropy(make([]byte, 15)); err == nil {
		t.Error("15 bytes of entropy: got no error")
	}
}

func TestNewMnemonic(t *testing.T) {
	a, err := NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewMnemonic()
	if len(strings.Fields(a)) != MnemonicWords || a == b {
		t.Errorf("got %q and %q, want two different %d-word mnemonics", a, b, MnemonicWords)
	}
	if _, err := MnemonicEntropy(a); err != nil {
		t.Errorf("fresh mnemonic does not decode: %v", err)
	}
}

// TestSLIP10Vectors checks the derivation against SLIP-0010's "Test vector
// 1 for ed25519" (github.com/satoshilabs/slips, slip-0010.md).
func TestSLIP10Vectors(t *testing.T) {
	seed, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	for _, v := range []struct{ path, chain, priv string }{
		{"m", "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb", "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7"},
		{"m/0'", "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69", "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3"},
		{"m/0'/1'", "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14", "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2"},
		{"m/0'/1'/2'", "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c", "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9"},
		{"m/0'/1'/2'/2'", "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc", "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662"},
		{"m/0h/1h/2h/2h/1000000000h", "68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230", "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793"},
	} {
		path, err := ParseHDPath(v.path)
		if err != nil {
			t.Fatalf("%s: %v", v.path, err)
		}
		key, chain, err := DeriveSLIP10(seed, path)
		if err != nil || hex.EncodeToString(key) != v.priv || hex.EncodeToString(chain) != v.chain {
			t.Errorf("%s: got key %x chain %x (%v), want %s %s", v.path, key, chain, err, v.priv, v.chain)
		}
	}
	for _, p := range []string{"0'/1'", "m/0", "m/0'/x'", "m/2147483648'"} {
		if _, err := ParseHDPath(p); err == nil {
			t.Errorf("path %q: got no error", p)
		}
	}
	if _, _, err := DeriveSLIP10(seed, []uint32{1}); err == nil {
		t.Error("unhardened index: got no error")
	}
}

func TestAddFromMnemonic(t *testing.T) {
	kr, err := Open(t.TempDir(), BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := bip39Vectors[1][1]
	a, err := kr.AddFromMnemonic("a", m, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := kr.AddFromMnemonic("b", strings.ToUpper(m), "")
	if err != nil || !bytes.Equal(a.PubKey, b.PubKey) {
		t.Errorf("same mnemonic: got %x and %x (%v), want the same key", a.PubKey, b.PubKey, err)
	}
	c, err := kr.AddFromMnemonic("c", m, "extra")
	if err != nil || bytes.Equal(a.PubKey, c.PubKey) {
		t.Errorf("with a passphrase: got %x (%v), want another key", c.PubKey, err)
	}
}

func FuzzMnemonicEntropy(f *testing.F) {
	for _, v := range bip39Vectors {
		f.Add(v[1])
	}
	f.Add("zoo zoo")
	f.Fuzz(func(t *testing.T, m string) {
		ent, err := MnemonicEntropy(m)
		if err != nil {
			return
		}
		again, err := MnemonicFromEntropy(ent)
		if err != nil {
			t.Fatalf("entropy %x of %q does not encode: %v", ent, m, err)
		}
		if back, err := MnemonicEntropy(again); err != nil || !bytes.Equal(back, ent) {
			t.Fatalf("round trip of %q: got %x, %v", m, back, err)
		}
	})
}
