package gov

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
)

// FuzzHandlers feeds arbitrary bytes to every governance message handler
// (with a proposal open for voting and one for deposits): no input may
// panic, and the invariants hold through the end of both proposals.
func FuzzHandlers(f *testing.F) {
	seed := func(m proto.Message) []byte { b, _ := proto.Marshal(m); return b }
	f.Add(uint8(0), uint8(4), seed(&govv1.MsgSubmitProposal{Title: "t", Deposit: 10 * pin}))
	f.Add(uint8(1), uint8(5), seed(&govv1.MsgDeposit{Proposal: 1, Amount: pin}))
	f.Add(uint8(2), uint8(0), seed(&govv1.MsgVote{Proposal: 2, Option: 1}))
	f.Add(uint8(3), uint8(0), seed(&govv1.MsgTreasurySpend{To: make([]byte, 20), Amount: 1}))
	f.Add(uint8(0), uint8(4), seed(&govv1.MsgSubmitProposal{Title: "p", Deposit: 10 * pin, Actions: []*govv1.Action{{Type: "params/set", Value: []byte{1, 2}}}}))
	f.Add(uint8(0), uint8(4), seed(&govv1.MsgSubmitProposal{Title: "p", Deposit: 10 * pin, Actions: []*govv1.Action{{Type: "gov/vote", Value: nil}}}))
	f.Fuzz(func(t *testing.T, which, signer uint8, raw []byte) {
		k := newKit(t)
		wantCode(t, k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "d", Deposit: 3 * pin}), ledger.CodeOK)
		wantCode(t, k.tx(acct(4), TypeSubmitProposal, &govv1.MsgSubmitProposal{Title: "v", Deposit: 10 * pin,
			Actions: []*govv1.Action{setParam(t, bank.MinFee.Name, 5)}}), ledger.CodeOK)
		types := []string{TypeSubmitProposal, TypeDeposit, TypeVote, TypeTreasurySpend}
		before := snapshot(k.st)
		if e := k.txRaw(acct(int(signer)%8), types[int(which)%len(types)], raw); e != nil {
			if snapshot(k.st) != before {
				t.Fatal("a rejected message changed state")
			}
		}
		k.blocks(62)
	})
}
