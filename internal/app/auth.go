package app

import "github.com/depin-network/depin/internal/ledger"

func sequenceKey(a ledger.Address) []byte { return ledger.Key(ledger.PrefixAuth, a[:]) }

// Sequence returns the next sequence an account's transaction must carry.
func Sequence(st ledger.Store, a ledger.Address) uint64 {
	return ledger.ReadU64(st.Get(sequenceKey(a)))
}

func setSequence(st ledger.Store, a ledger.Address, seq uint64) {
	st.Set(sequenceKey(a), ledger.U64(seq))
}
