package storage

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// TestLoweredLeafLimitKeepsLiveDealsProvable: governance lowers
// storage.max_leaf_bytes below the leaf size of a live deal; the honest
// provider's proof still passes and nothing is slashed, while a leaf longer
// than the deal's own is still refused.
func TestLoweredLeafLimitKeepsLiveDealsProvable(t *testing.T) {
	st, prov, tree, leaves, h := dealState(t, 256)
	reg := params.NewRegistry(Specs(), bank.Specs(), proof.Specs(), epoch.Specs())
	raw, _ := proto.Marshal(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: MaxLeafSize.Name, Value: 64}}})
	rt := ledger.NewRouter()
	reg.Register(rt)
	set, _ := rt.Handler(params.TypeSet)
	if e := set(&ledger.Context{Store: st, Height: h, Signer: ledger.ModuleAddress("authority")}, raw); e != nil {
		t.Fatalf("lowering the leaf limit: %v", e)
	}
	if got := params.Get(st, MaxLeafSize); got != 64 {
		t.Fatalf("storage.max_leaf_bytes is %d, want 64", got)
	}
	w, _ := WindowAt(st, h)
	d, _ := GetDeal(st, 1)
	ch, _ := ChallengeOf(st, d, w)
	p, _ := tree.Proof(ch.Index)
	good := &storagev1.Proof{Deal: 1, Window: w.Number, Index: ch.Index, Leaf: leaves[ch.Index]}
	for _, x := range p.Path {
		good.Path = append(good.Path, append([]byte(nil), x[:]...))
	}

	long := proto.Clone(good).(*storagev1.Proof)
	long.Leaf = append(append([]byte(nil), long.Leaf...), 0)
	ov := ledger.NewOverlay(st)
	rawLong, _ := proto.Marshal(&storagev1.MsgProve{Proofs: []*storagev1.Proof{long}})
	if e := handleProve(&ledger.Context{Store: ov, Height: h, Signer: prov}, rawLong); e == nil || e.Code != ledger.CodeTooLarge || len(ov.Writes()) != 0 {
		t.Fatalf("a leaf longer than the deal's: %v, %d writes", e, len(ov.Writes()))
	}

	rawGood, _ := proto.Marshal(&storagev1.MsgProve{Proofs: []*storagev1.Proof{good}})
	if e := handleProve(&ledger.Context{Store: st, Height: h, Signer: prov}, rawGood); e != nil {
		t.Fatalf("honest proof of a %d-byte leaf after the limit fell to 64: %v", len(good.Leaf), e)
	}
	d, _ = GetDeal(st, 1)
	if d.ProofsPassed != 1 || d.ProofsWrong != 0 || d.CollateralLeft != d.Collateral || d.State != storagev1.DealState_DEAL_STATE_ACTIVE {
		t.Fatalf("after an honest proof: passed %d, wrong %d, collateral %d of %d, %s",
			d.ProofsPassed, d.ProofsWrong, d.CollateralLeft, d.Collateral, dealStateName(d.State))
	}
	if err := Invariants(st); err != nil {
		t.Fatal(err)
	}
}
