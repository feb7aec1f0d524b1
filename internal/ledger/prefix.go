package ledger

import "fmt"

// Key prefixes: one byte per module, so that modules never collide and the
// state can be read module by module. Append; never renumber.
const (
	PrefixApp    byte = 0x00 // chain metadata (chain id, genesis)
	PrefixAuth   byte = 0x01 // account sequences
	PrefixBank   byte = 0x02 // balances, supply, denom
	PrefixParams byte = 0x03 // parameters and the params authority
	PrefixDevice byte = 0x04 // makers, devices, locations, indexes
	PrefixProof  byte = 0x05 // ingest segment commitments, entropy
	PrefixReward byte = 0x06 // epochs, oracle roots, claims
	PrefixEpoch  byte = 0x07 // the epoch clock
)

// Key spaces outside consensus state: the app hash does not cover them.
const (
	PrefixMeta byte = 0xF0 // last committed height and app hash
	// PrefixIndex held a JSON transaction index written at commit until
	// CometBFT's kv indexer replaced it (issue 12); retired, never reused,
	// as older homes may still hold entries under it.
	PrefixIndex byte = 0xF1
)

// StateEnd bounds consensus state: every state key sorts below it.
var StateEnd = []byte{0x80}

// Key joins a module prefix and parts into one key.
func Key(prefix byte, parts ...[]byte) []byte {
	n := 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// U64 encodes v big-endian, so that numeric keys sort in numeric order.
func U64(v uint64) []byte {
	return []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// ReadU64 decodes a big-endian uint64 read from state or a key. An absent
// value (nil or empty) reads as zero; a value of any other length than 8 is
// a corrupt state record, a broken invariant, and panics: the node halts
// rather than read it as 0 and diverge.
func ReadU64(b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	if len(b) != 8 {
		panic(fmt.Sprintf("ledger: a uint64 state value of %d bytes, want 8", len(b)))
	}
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 | uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}
