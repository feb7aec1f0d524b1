package abci

import (
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/depin-network/depin/internal/ledger"
)

func TestBlockOf(t *testing.T) {
	v1, v2 := ledger.AddressOf([]byte("v1")), ledger.AddressOf([]byte("v2"))
	at := time.Unix(100, 5)
	req := &abcitypes.RequestFinalizeBlock{
		Height: 9, Time: at, Txs: [][]byte{{1}}, ProposerAddress: v1[:],
		DecidedLastCommit: abcitypes.CommitInfo{Votes: []abcitypes.VoteInfo{
			{Validator: abcitypes.Validator{Address: v1[:], Power: 10}, BlockIdFlag: cmtproto.BlockIDFlagCommit},
			{Validator: abcitypes.Validator{Address: v2[:], Power: 4}, BlockIdFlag: cmtproto.BlockIDFlagAbsent},
			{Validator: abcitypes.Validator{Address: []byte{1, 2}, Power: 1}, BlockIdFlag: cmtproto.BlockIDFlagNil},
		}},
		Misbehavior: []abcitypes.Misbehavior{{Type: abcitypes.MisbehaviorType_DUPLICATE_VOTE,
			Validator: abcitypes.Validator{Address: v2[:], Power: 4}, Height: 7, Time: at, TotalVotingPower: 15}},
	}
	b := blockOf(req)
	if b.Height != 9 || b.Time != at.UnixNano() || len(b.Txs) != 1 || b.Proposer != v1 {
		t.Fatalf("block %+v: height, time, txs or proposer wrong", b)
	}
	wantVotes := []ledger.Vote{{Validator: v1, Power: 10, Signed: true}, {Validator: v2, Power: 4}, {Power: 1, Signed: true}}
	if len(b.Votes) != len(wantVotes) {
		t.Fatalf("votes %v, want %v", b.Votes, wantVotes)
	}
	for i := range wantVotes {
		if b.Votes[i] != wantVotes[i] {
			t.Errorf("vote %d: %+v, want %+v", i, b.Votes[i], wantVotes[i])
		}
	}
	want := ledger.Misbehavior{Kind: ledger.MisbehaviorDuplicateVote, Validator: v2, Power: 4, Height: 7, Time: at.UnixNano(), TotalPower: 15}
	if len(b.Evidence) != 1 || b.Evidence[0] != want {
		t.Errorf("evidence %+v, want %+v", b.Evidence, want)
	}
}
