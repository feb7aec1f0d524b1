package proof

import (
	"fmt"

	"google.golang.org/protobuf/proto"

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

func operatorKey(a ledger.Address) []byte { return key(tagOperator, a[:]) }
func segmentKey(epoch, seq uint64) []byte { return key(tagSegment, ledger.U64(epoch), ledger.U64(seq)) }
func hashKey(h []byte) []byte             { return key(tagHash, h) }
func countKey(epoch uint64) []byte        { return key(tagCount, ledger.U64(epoch)) }
func entropyKey(height int64) []byte      { return key(tagEntropy, ledger.U64(uint64(height))) }

var marshal = proto.MarshalOptions{Deterministic: true}

func encode(m proto.Message) []byte {
	b, err := marshal.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("proof: encode %T: %v", m, err)) // records always encode
	}
	return b
}

// decodeState decodes a record read from state; one that does not decode is
// a broken invariant, and the node must halt rather than diverge.
func decodeState(b []byte, m proto.Message) {
	if err := proto.Unmarshal(b, m); err != nil {
		panic(fmt.Sprintf("proof: corrupt %T in state: %v", m, err))
	}
}

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

func attr(k, v string) ledger.Attr { return ledger.Attr{Key: k, Value: v} }
