package keyring

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The BIP-39 English word list, as published with the standard
// (github.com/bitcoin/bips, bip-0039/english.txt, SHA-256
// 2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda).
//
//go:embed bip39_english.txt
var englishList string

var (
	englishWords = strings.Fields(englishList)
	englishIndex = func() map[string]int {
		m := make(map[string]int, len(englishWords))
		for i, w := range englishWords {
			m[w] = i
		}
		return m
	}()
)

// MnemonicWords is the length of the mnemonics `keys add` prints: 24 words
// encode 256 bits of entropy and an 8-bit checksum (BIP-39).
const MnemonicWords = 24

// ErrBadMnemonic is wrapped by every mnemonic that does not decode.
var ErrBadMnemonic = errors.New("invalid mnemonic")

// NewMnemonic returns a fresh 24-word BIP-39 mnemonic.
func NewMnemonic() (string, error) {
	ent := make([]byte, 32)
	if _, err := rand.Read(ent); err != nil {
		return "", fmt.Errorf("keyring: mnemonic entropy: %w", err)
	}
	return MnemonicFromEntropy(ent)
}

// MnemonicFromEntropy encodes 16 to 32 bytes (a multiple of 4) of entropy
// as BIP-39 English words: the entropy followed by the first len/4 bits of
// its SHA-256, in groups of 11 bits.
func MnemonicFromEntropy(ent []byte) (string, error) {
	if len(ent) < 16 || len(ent) > 32 || len(ent)%4 != 0 {
		return "", fmt.Errorf("keyring: mnemonic entropy of %d bytes, want 16, 20, 24, 28 or 32", len(ent))
	}
	sum := sha256.Sum256(ent)
	bits := append(append([]byte(nil), ent...), sum[0])
	n := (len(ent)*8 + len(ent)/4) / 11
	words := make([]string, n)
	for i := range n {
		words[i] = englishWords[bitsAt(bits, i*11, 11)]
	}
	return strings.Join(words, " "), nil
}

// bitsAt reads n bits (n ≤ 16) of b starting at bit off, most significant
// bit first.
func bitsAt(b []byte, off, n int) int {
	v := 0
	for i := range n {
		bit := off + i
		v = v<<1 | int(b[bit/8]>>(7-bit%8)&1)
	}
	return v
}

// MnemonicEntropy decodes a mnemonic of 12 to 24 English words (any case,
// any spacing) and checks its checksum.
func MnemonicEntropy(m string) ([]byte, error) {
	words := strings.FieldsFunc(strings.ToLower(m), unicode.IsSpace)
	if len(words) < 12 || len(words) > 24 || len(words)%3 != 0 {
		return nil, fmt.Errorf("%w: %d words, want 12, 15, 18, 21 or 24", ErrBadMnemonic, len(words))
	}
	total := len(words) * 11
	buf := make([]byte, (total+7)/8)
	for i, w := range words {
		idx, ok := englishIndex[w]
		if !ok {
			return nil, fmt.Errorf("%w: word %d %q is not in the BIP-39 English list", ErrBadMnemonic, i+1, w)
		}
		for j := range 11 {
			if idx>>(10-j)&1 == 1 {
				bit := i*11 + j
				buf[bit/8] |= 1 << (7 - bit%8)
			}
		}
	}
	csBits := total / 33
	ent := buf[:(total-csBits)/8]
	sum := sha256.Sum256(ent)
	if bitsAt(buf, total-csBits, csBits) != bitsAt(sum[:], 0, csBits) {
		return nil, fmt.Errorf("%w: checksum does not match (a word is wrong or out of order)", ErrBadMnemonic)
	}
	return append([]byte(nil), ent...), nil
}

// MnemonicSeed checks a mnemonic and returns its 64-byte BIP-39 seed:
// PBKDF2-HMAC-SHA512 of the normalised words, salt "mnemonic"+passphrase,
// 2048 iterations. Words and passphrase are taken as ASCII/UTF-8 as typed
// (the English list is ASCII, so NFKD changes nothing in the words).
func MnemonicSeed(m, passphrase string) ([]byte, error) {
	if _, err := MnemonicEntropy(m); err != nil {
		return nil, err
	}
	norm := strings.Join(strings.FieldsFunc(strings.ToLower(m), unicode.IsSpace), " ")
	return pbkdf2.Key(sha512.New, norm, []byte("mnemonic"+passphrase), 2048, 64)
}
