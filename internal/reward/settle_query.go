package reward

import (
	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Read-only views of the reward module's state, for handlers and for
// internal/query. Every list is bounded: submissions by the oracle set,
// epochs are read one at a time.

// GetSubmission returns an oracle's latest submission for an epoch.
func GetSubmission(st ledger.Store, epoch uint64, oracle ledger.Address) (*rewardv1.Submission, bool) {
	b := st.Get(submissionKey(epoch, oracle))
	if b == nil {
		return nil, false
	}
	s := new(rewardv1.Submission)
	ledger.DecodeState(b, s)
	return s, true
}

// Submissions returns an epoch's submissions sorted by oracle address.
func Submissions(st ledger.Store, epoch uint64) []*rewardv1.Submission {
	var out []*rewardv1.Submission
	ledger.IteratePrefix(st, key(tagSubmission, ledger.U64(epoch)), func(_, v []byte) bool {
		s := new(rewardv1.Submission)
		ledger.DecodeState(v, s)
		out = append(out, s)
		return true
	})
	return out
}

// GetSettlement returns a settled epoch's settlement.
func GetSettlement(st ledger.Store, epoch uint64) (*rewardv1.Settlement, bool) {
	b := st.Get(settlementKey(epoch))
	if b == nil {
		return nil, false
	}
	s := new(rewardv1.Settlement)
	ledger.DecodeState(b, s)
	return s, true
}

// LatestSettlement returns the settlement of the latest settled epoch; its
// root is the one claims prove against.
func LatestSettlement(st ledger.Store) (*rewardv1.Settlement, bool) {
	b := st.Get(key(tagLatest))
	if b == nil {
		return nil, false
	}
	return GetSettlement(st, ledger.ReadU64(b))
}

// EpochStatus summarises an epoch for clients: its record, its
// submissions, and its settlement once settled.
type EpochStatus struct {
	Epoch       *rewardv1.Epoch
	Submissions []*rewardv1.Submission
	Settlement  *rewardv1.Settlement
}

// Status returns an epoch's status, and false if it has not started.
func Status(st ledger.Store, epoch uint64) (EpochStatus, bool) {
	ep, ok := GetEpoch(st, epoch)
	if !ok {
		return EpochStatus{}, false
	}
	s := EpochStatus{Epoch: ep, Submissions: Submissions(st, epoch)}
	if set, ok := GetSettlement(st, epoch); ok {
		s.Settlement = set
	}
	return s, true
}
