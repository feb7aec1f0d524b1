package proof

import (
	"github.com/depin-network/depin/internal/ledger"
)

// Key layout under ledger.PrefixProof (all big-endian):
//
//	'o' operator                -> Operator
//	's' epoch (u64), seq (u64)  -> Segment
//	'h' segment hash            -> epoch (u64), seq (u64)
//	'n' epoch (u64)             -> number of segments of the epoch (u64)
//	'e' height (u64)            -> entropy (32 bytes)
//	'l'                         -> latest height (u64) and its entropy
//	'x'                         -> mix of the running block's segments
const (
	tagOperator = 'o'
	tagSegment  = 's'
	tagHash     = 'h'
	tagCount    = 'n'
	tagEntropy  = 'e'
	tagLatest   = 'l'
	tagMix      = 'x'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(ledger.PrefixProof, append([][]byte{{tag}}, parts...)...)
}

func segmentKey(epoch, seq uint64) []byte { return key(tagSegment, ledger.U64(epoch), ledger.U64(seq)) }
func hashKey(h []byte) []byte             { return key(tagHash, h) }
func countKey(epoch uint64) []byte        { return key(tagCount, ledger.U64(epoch)) }
func entropyKey(height int64) []byte      { return key(tagEntropy, ledger.U64(uint64(height))) }

// Message type names.
const (
	TypeAddOperator    = "proof/add-operator"
	TypeRemoveOperator = "proof/remove-operator"
	TypeCommitSegment  = "proof/commit-segment"
)

// Register adds the proof messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeAddOperator, handleAddOperator)
	rt.Add(TypeRemoveOperator, handleRemoveOperator)
	rt.Add(TypeCommitSegment, handleCommitSegment)
}
