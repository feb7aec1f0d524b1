package segment

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/depin-network/depin/internal/ledger"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// CodeMismatch: a segment's bytes do not match its on-chain commitment
// (content hash, Merkle root, record count or epoch): forged or corrupted
// contents. It is the first code of the oracle range (200-219).
const CodeMismatch ledger.Code = 200

func init() { ledger.RegisterCode(CodeMismatch, "segment_mismatch") }

// Ref is a segment commitment as recorded on chain.
type Ref struct {
	Hash       [32]byte
	MerkleRoot [32]byte
	Count      uint64
}

// Verify checks segment file bytes against their on-chain commitment: the
// SHA-256 of the bytes must be the committed hash, the bytes must be a
// canonical segment of epoch, and its record count and Merkle root
// (RFC 6962 over the records' leaf hashes) must be the committed ones. A
// mismatch is a *ledger.Error with CodeMismatch.
func Verify(raw []byte, ref Ref, epoch uint64) (*ingestv1.Segment, error) {
	name := hex.EncodeToString(ref.Hash[:])
	if sum := sha256.Sum256(raw); sum != ref.Hash {
		return nil, ledger.Errorf(CodeMismatch,
			"segment %s: content hash is %x, not the committed hash", name, sum[:])
	}
	seg, err := Decode(raw)
	if err != nil {
		return nil, ledger.Errorf(CodeMismatch, "segment %s: %v", name, err)
	}
	if seg.GetEpoch() != epoch {
		return nil, ledger.Errorf(CodeMismatch, "segment %s: belongs to epoch %d, committed for epoch %d", name, seg.GetEpoch(), epoch)
	}
	if n := uint64(len(seg.GetRecords())); n != ref.Count {
		return nil, ledger.Errorf(CodeMismatch, "segment %s: holds %d records, %d committed", name, n, ref.Count)
	}
	if root := Root(seg); root != ref.MerkleRoot {
		return nil, ledger.Errorf(CodeMismatch,
			"segment %s: merkle root is %x, committed %x", name, root[:], ref.MerkleRoot[:])
	}
	return seg, nil
}
