package stake

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// GenesisValidator is a validator of the genesis set. Its operator must be
// funded in the genesis balances with at least SelfBond.
type GenesisValidator struct {
	Operator         ledger.Address
	PubKey           []byte
	SelfBond         uint64
	CommissionBps    uint32
	MaxCommissionBps uint32
	MaxChangeBps     uint32
	Moniker          string
}

// InitGenesis creates the genesis validators with their self-bonds. With at
// least one, staking drives the validator set from the first block and the
// active set is what CometBFT starts with (GenesisUpdates); with none, the
// validator set stays the one in CometBFT's genesis and staking is off.
func InitGenesis(st ledger.Store, vals []GenesisValidator) error {
	if len(vals) == 0 {
		return nil
	}
	st.Set(key(tagEnabled), []byte{1})
	ctx := &ledger.Context{Store: st, NoEvents: true}
	for i, g := range vals {
		ctx.Signer = g.Operator
		m := &stakev1.MsgCreateValidator{PubKey: g.PubKey, Amount: g.SelfBond, CommissionBps: g.CommissionBps,
			MaxCommissionBps: g.MaxCommissionBps, MaxChangeBps: g.MaxChangeBps, Moniker: g.Moniker}
		if e := CreateValidator(ctx, g.Operator, m); e != nil {
			return fmt.Errorf("stake: genesis validator %d (%s): %s", i, g.Operator, e.Msg)
		}
	}
	max := params.Get(st, MaxValidators)
	set := computeSet(st, max)
	if len(set) == 0 {
		return fmt.Errorf("stake: no genesis validator has a power of at least 1 (%d upin)", PowerReduction)
	}
	putActiveSet(st, set)
	st.Set(key(tagSetMax), ledger.U64(max))
	st.Delete(key(tagDirty))
	return nil
}
