package chain_test

import (
	"fmt"
	"strings"

	"github.com/depin-network/depin/internal/storage"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Storage commands of the scenario files. A deal's shard is the synthetic
// one of the determinism generator (genShard: 1 + lease%16 leaves of 64
// bytes), so proofs can be built from the lease id:
//
//	tx <c> storage/create-deal lease=<id> [size=<bytes>] [leaf=<bytes>]
//	tx <p> storage/ack deal=<id>
//	tx <p> storage/prove deal=<id> [wrong=1] [shift=<n>] [window=<n>]
//	       (the challenge of the window open at the next height; wrong
//	       corrupts the leaf, shift moves the index, window overrides it)
//	dump deals | reputation

func nameStorageAccounts(names map[string]string) {
	names[storage.Collateral.String()] = "storage_collateral"
}

// storageMessage encodes a storage message of a tx command.
func (s *scenario) storageMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case storage.TypeCreateDeal:
		m := genDeal(a.optU64("lease", 0))
		m.ShardSize = a.optU64("size", m.ShardSize)
		m.LeafSize = uint32(a.optU64("leaf", uint64(m.LeafSize)))
		return mustMarshal(m), true
	case storage.TypeAck:
		return mustMarshal(&storagev1.MsgAck{Deal: a.optU64("deal", 0)}), true
	case storage.TypeProve:
		id := a.optU64("deal", 0)
		wrong, shift := a.opt("wrong", "") == "1", a.optU64("shift", 0)
		s.requireApp()
		st := s.app.Committed()
		h, _ := s.app.LastCommit()
		d, ok := storage.GetDeal(st, id)
		w, open := storage.WindowAt(st, h+1)
		if !ok || !open {
			return mustMarshal(&storagev1.MsgProve{Proofs: []*storagev1.Proof{{Deal: id, Window: a.optU64("window", w.Number)}}}), true
		}
		g := &gen{st: st}
		p, ok := g.genProof(d, w, wrong)
		if !ok {
			s.t.Fatalf("storage/prove: no entropy for window %d", w.Number)
		}
		leaves := uint64(len(genShard(d.Id)))
		p.Index = (p.Index + shift) % leaves
		p.Window = a.optU64("window", p.Window)
		return mustMarshal(&storagev1.MsgProve{Proofs: []*storagev1.Proof{p}}), true
	}
	return nil, false
}

// storageDump prints deals or reputations.
func (s *scenario) storageDump(b *strings.Builder, what string) bool {
	st := s.app.Committed()
	switch what {
	case "deals":
		for id := uint64(1); id < 1000; id++ {
			d, ok := storage.GetDeal(st, id)
			if !ok {
				continue
			}
			v := storage.ViewDeal(d)
			fmt.Fprintf(b, "%d %s shard=%d provider=%s collateral=%d left=%d to_owner=%d burned=%d passed=%d missed=%d wrong=%d",
				v.ID, v.State, v.Shard, v.Provider, v.Collateral, v.CollateralLeft, v.SlashedToOwner, v.Burned, v.ProofsPassed, v.ProofsMissed, v.ProofsWrong)
			if v.CloseReason != "" {
				fmt.Fprintf(b, " closed=%s", v.CloseReason)
			}
			b.WriteString("\n")
		}
	case "reputation":
		seen := map[string]bool{}
		for id := uint64(1); id < 1000; id++ {
			d, ok := storage.GetDeal(st, id)
			if !ok {
				continue
			}
			v := storage.ViewDeal(d)
			if seen[v.Provider] {
				continue
			}
			seen[v.Provider] = true
			if r, ok := storage.GetReputation(st, addrOf(d.Provider)); ok {
				fmt.Fprintf(b, "%s alpha=%d beta=%d score_ppm=%d outcomes=%d status=%s\n", v.Provider, r.Alpha, r.Beta, storage.Score(r),
					r.Outcomes, storage.StatusName(r.Status))
			}
		}
	default:
		return false
	}
	return true
}
