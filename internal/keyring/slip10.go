package keyring

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// HDPath is the derivation path of keys made from a mnemonic:
// m/44'/118'/0'/0'/<index>', with BIP-44's purpose, the Cosmos coin type
// (SLIP-0044 118, as Cosmos wallets use) and every level hardened, since
// SLIP-0010 derives ed25519 keys only along hardened paths.
const HDPath = "m/44'/118'/0'/0'/0'"

// hardened is the first hardened child index (2^31).
const hardened = 1 << 31

// ParseHDPath reads a path such as m/44'/118'/0'/0'/0' into child
// indexes; every level must be hardened (written with ' or h).
func ParseHDPath(p string) ([]uint32, error) {
	parts := strings.Split(p, "/")
	if len(parts) < 1 || parts[0] != "m" {
		return nil, fmt.Errorf("keyring: hd path %q must start with m/", p)
	}
	out := make([]uint32, 0, len(parts)-1)
	for _, s := range parts[1:] {
		n := strings.TrimRight(s, "'hH")
		if len(n) != len(s)-1 {
			return nil, fmt.Errorf("keyring: hd path %q: level %q must be hardened (ed25519 has no public derivation)", p, s)
		}
		v, err := strconv.ParseUint(n, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("keyring: hd path %q: level %q: want a number below 2^31", p, s)
		}
		out = append(out, uint32(v)+hardened)
	}
	return out, nil
}

// DeriveSLIP10 derives the ed25519 private key (its 32-byte seed) and chain
// code at path from a BIP-39 seed, as SLIP-0010 specifies for ed25519:
// I = HMAC-SHA512("ed25519 seed", seed) for the master, then for each
// hardened index i, I = HMAC-SHA512(chain, 0x00 || key || ser32(i));
// key and chain are I's left and right halves.
func DeriveSLIP10(seed []byte, path []uint32) (key, chain []byte, err error) {
	mac := hmac.New(sha512.New, []byte("ed25519 seed"))
	mac.Write(seed)
	I := mac.Sum(nil)
	key, chain = I[:32], I[32:]
	for _, i := range path {
		if i < hardened {
			return nil, nil, fmt.Errorf("keyring: slip-0010: ed25519 index %d is not hardened", i)
		}
		mac = hmac.New(sha512.New, chain)
		var data [1 + 32 + 4]byte
		copy(data[1:33], key)
		binary.BigEndian.PutUint32(data[33:], i)
		mac.Write(data[:])
		I = mac.Sum(nil)
		key, chain = I[:32], I[32:]
	}
	return key, chain, nil
}

// AddFromMnemonic stores a key derived from a BIP-39 mnemonic (and
// optional BIP-39 passphrase) along HDPath.
func (k *Keyring) AddFromMnemonic(name, mnemonic, passphrase string) (Info, error) {
	seed, err := MnemonicSeed(mnemonic, passphrase)
	if err != nil {
		return Info{}, err
	}
	path, err := ParseHDPath(HDPath)
	if err != nil {
		return Info{}, err
	}
	key, _, err := DeriveSLIP10(seed, path)
	if err != nil {
		return Info{}, err
	}
	return k.AddFromSeed(name, key)
}
