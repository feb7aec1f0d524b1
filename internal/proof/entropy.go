package proof

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// entropyDomain separates the entropy chain from every other hash.
const entropyDomain = "depin/entropy/v1"

// mixSegment folds a committed segment's hash into the running block's mix:
// mix = SHA-256(mix | hash).
func mixSegment(st ledger.Store, hash []byte) {
	h := sha256.New()
	h.Write(st.Get(key(tagMix)))
	h.Write(hash)
	st.Set(key(tagMix), h.Sum(nil))
}

// NextEntropy is the entropy of height given the previous height's entropy
// (empty at the first), the block time and the block's segment mix (empty if
// none): SHA-256("depin/entropy/v1" | prev | height (8) | time (8) | mix).
func NextEntropy(prev []byte, height, time int64, mix []byte) [32]byte {
	b := make([]byte, 0, len(entropyDomain)+len(prev)+16+len(mix))
	b = append(b, entropyDomain...)
	b = append(b, prev...)
	b = binary.BigEndian.AppendUint64(b, uint64(height))
	b = binary.BigEndian.AppendUint64(b, uint64(time))
	b = append(b, mix...)
	return sha256.Sum256(b)
}

// Entropy returns the entropy recorded at the end of block height, and false
// if the height is outside the kept window or not yet executed.
func Entropy(st ledger.Store, height int64) ([32]byte, bool) {
	var out [32]byte
	if height <= 0 {
		return out, false
	}
	b := st.Get(entropyKey(height))
	if len(b) != len(out) {
		return out, false
	}
	copy(out[:], b)
	return out, true
}

// LatestEntropy returns the last height with entropy and its value, and
// false before the first block.
func LatestEntropy(st ledger.Store) (int64, [32]byte, bool) {
	var out [32]byte
	b := st.Get(key(tagLatest))
	if len(b) != 8+len(out) {
		return 0, out, false
	}
	copy(out[:], b[8:])
	return int64(ledger.ReadU64(b[:8])), out, true
}

// EndBlock records the block's entropy and drops heights that left the
// window. It emits no event: every block has entropy, read it with Entropy.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	var prev []byte
	if _, e, ok := LatestEntropy(st); ok {
		prev = e[:]
	}
	mix := st.Get(key(tagMix))
	e := NextEntropy(prev, ctx.Height, ctx.Time, mix)
	if mix != nil {
		st.Delete(key(tagMix))
	}
	st.Set(entropyKey(ctx.Height), e[:])
	st.Set(key(tagLatest), append(ledger.U64(uint64(ctx.Height)), e[:]...))
	// Keep heights (height - window, height]. The loop deletes one height
	// per block, more only after the window shrank.
	window := int64(params.Get(st, EntropyWindow))
	if cut := ctx.Height - window; cut > 0 {
		var old [][]byte
		st.Iterate(key(tagEntropy), entropyKey(cut+1), func(k, _ []byte) bool {
			old = append(old, k)
			return true
		})
		for _, k := range old {
			st.Delete(k)
		}
	}
	return nil
}
