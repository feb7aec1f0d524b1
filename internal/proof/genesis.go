package proof

import (
	"bytes"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
)

// InitGenesis registers the genesis ingest operators at height 0. Call it
// after the params genesis.
func InitGenesis(st ledger.Store, operators []ledger.Address) error {
	for i, a := range operators {
		if e := addOperator(st, a, 0); e != nil {
			return fmt.Errorf("proof: genesis operator %d: %s", i, e.Msg)
		}
	}
	return nil
}

// Invariants checks that segment records, the hash index and the per-epoch
// counts agree: each epoch's segments are numbered 0..count-1 and every
// segment's hash points back at it.
func Invariants(st ledger.Store) error {
	var err error
	var epoch, want uint64
	var epochs, segs int
	started := false
	check := func() error {
		if started && SegmentCount(st, epoch) != want {
			return fmt.Errorf("proof: epoch %d has %d segments, its count says %d", epoch, want, SegmentCount(st, epoch))
		}
		return nil
	}
	ledger.IteratePrefix(st, key(tagSegment), func(k, v []byte) bool {
		s := new(proofv1.Segment)
		ledger.DecodeState(v, s)
		if !started || s.Epoch != epoch {
			if err = check(); err != nil {
				return false
			}
			epoch, want, started = s.Epoch, 0, true
			epochs++
		}
		if !bytes.Equal(k, segmentKey(s.Epoch, s.Seq)) || s.Seq != want {
			err = fmt.Errorf("proof: segment %x stored as epoch %d seq %d out of order", s.Hash, s.Epoch, s.Seq)
			return false
		}
		if !bytes.Equal(st.Get(hashKey(s.Hash)), append(ledger.U64(s.Epoch), ledger.U64(s.Seq)...)) {
			err = fmt.Errorf("proof: segment %x has no hash index entry", s.Hash)
			return false
		}
		want++
		segs++
		return true
	})
	if err != nil {
		return err
	}
	if err := check(); err != nil {
		return err
	}
	var counts, hashes int
	ledger.IteratePrefix(st, key(tagCount), func(_, _ []byte) bool { counts++; return true })
	ledger.IteratePrefix(st, key(tagHash), func(_, _ []byte) bool { hashes++; return true })
	if hashes != segs {
		return fmt.Errorf("proof: %d hash index entries for %d segments", hashes, segs)
	}
	if counts != epochs {
		return fmt.Errorf("proof: %d epoch counts for %d epochs with segments", counts, epochs)
	}
	return nil
}
