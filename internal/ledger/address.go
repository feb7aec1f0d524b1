package ledger

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// AddressPrefix is the bech32 human-readable part of every depin address.
const AddressPrefix = "pin"

// AddressLen is the length of an address in bytes.
const AddressLen = 20

// Address identifies an account, a maker or a device: the first 20 bytes of
// the SHA-256 of its ed25519 public key.
type Address [AddressLen]byte

// AddressOf derives the address of an ed25519 public key.
func AddressOf(pubKey []byte) Address {
	sum := sha256.Sum256(pubKey)
	var a Address
	copy(a[:], sum[:AddressLen])
	return a
}

// AddressFromBytes converts a 20-byte slice into an Address.
func AddressFromBytes(b []byte) (Address, error) {
	var a Address
	if len(b) != AddressLen {
		return a, fmt.Errorf("address must be %d bytes, got %d", AddressLen, len(b))
	}
	copy(a[:], b)
	return a, nil
}

// ModuleAddress derives the address of a module account (fee collector,
// reward pool, treasury) from its name. No key can sign for it.
func ModuleAddress(name string) Address {
	sum := sha256.Sum256([]byte("depin/module/" + name))
	var a Address
	copy(a[:], sum[:AddressLen])
	return a
}

// String renders the address in bech32 with the "pin" prefix.
func (a Address) String() string {
	s, err := bech32Encode(AddressPrefix, a[:])
	if err != nil {
		panic(err) // 20 bytes always encode
	}
	return s
}

// IsZero reports whether the address is all zeros.
func (a Address) IsZero() bool { return a == Address{} }

// ParseAddress decodes a bech32 "pin1..." address.
func ParseAddress(s string) (Address, error) {
	hrp, data, err := bech32Decode(s)
	if err != nil {
		return Address{}, fmt.Errorf("invalid address %q: %w", s, err)
	}
	if hrp != AddressPrefix {
		return Address{}, fmt.Errorf("invalid address %q: prefix %q, want %q", s, hrp, AddressPrefix)
	}
	a, err := AddressFromBytes(data)
	if err != nil {
		return Address{}, fmt.Errorf("invalid address %q: %w", s, err)
	}
	return a, nil
}

// bech32 as specified in BIP-173.

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var errBech32 = errors.New("malformed bech32")

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>uint(i))&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

func bech32HRPExpand(hrp string) []byte {
	out := make([]byte, 0, len(hrp)*2+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

func convertBits(data []byte, from, to uint, pad bool) ([]byte, error) {
	acc, bits := uint32(0), uint(0)
	maxv := uint32(1)<<to - 1
	out := make([]byte, 0, len(data)*int(from)/int(to)+1)
	for _, b := range data {
		if uint32(b)>>from != 0 {
			return nil, errBech32
		}
		acc = acc<<from | uint32(b)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, errBech32
	}
	return out, nil
}

func bech32Encode(hrp string, data []byte) (string, error) {
	// Stack buffers for an address-sized input: Address.String runs a few
	// times per transaction, and the allocations were most of its cost.
	var convBuf [64]byte
	conv := appendConvertBits(convBuf[:0], data)
	var valBuf [128]byte
	values := append(appendHRPExpand(valBuf[:0], hrp), conv...)
	poly := bech32Polymod(append(values, 0, 0, 0, 0, 0, 0)) ^ 1
	out := make([]byte, 0, len(hrp)+1+len(conv)+6)
	out = append(out, hrp...)
	out = append(out, '1')
	for _, c := range conv {
		out = append(out, bech32Charset[c])
	}
	for i := 0; i < 6; i++ {
		out = append(out, bech32Charset[(poly>>uint(5*(5-i)))&31])
	}
	return string(out), nil
}

// appendHRPExpand is bech32HRPExpand appending to dst.
func appendHRPExpand(dst []byte, hrp string) []byte {
	for i := 0; i < len(hrp); i++ {
		dst = append(dst, hrp[i]>>5)
	}
	dst = append(dst, 0)
	for i := 0; i < len(hrp); i++ {
		dst = append(dst, hrp[i]&31)
	}
	return dst
}

// appendConvertBits regroups 8-bit bytes into padded 5-bit groups, as
// convertBits(data, 8, 5, true) does, appending to dst.
func appendConvertBits(dst, data []byte) []byte {
	acc, bits := uint32(0), uint(0)
	for _, b := range data {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			dst = append(dst, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(5-bits)&31))
	}
	return dst
}

func bech32Decode(s string) (string, []byte, error) {
	if len(s) < 8 || len(s) > 90 {
		return "", nil, errBech32
	}
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return "", nil, errors.New("mixed case")
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return "", nil, errBech32
	}
	hrp := s[:pos]
	data := make([]byte, 0, len(s)-pos-1)
	for i := pos + 1; i < len(s); i++ {
		c := strings.IndexByte(bech32Charset, s[i])
		if c < 0 {
			return "", nil, fmt.Errorf("invalid character %q", s[i])
		}
		data = append(data, byte(c))
	}
	if bech32Polymod(append(bech32HRPExpand(hrp), data...)) != 1 {
		return "", nil, errors.New("bad checksum")
	}
	out, err := convertBits(data[:len(data)-6], 5, 8, false)
	if err != nil {
		return "", nil, err
	}
	return hrp, out, nil
}
