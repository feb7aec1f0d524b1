package node

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/stake"
)

// StakeOptions makes the generated validator keys the genesis validators of
// the staking module, so that bonded stake drives CometBFT's validator set
// from the first block.
type StakeOptions struct {
	// Operators are the validators' operator addresses (bech32), one per
	// validator; each must be funded in the genesis with at least SelfBond.
	Operators []string
	// SelfBond is each validator's bond; its voting power is SelfBond /
	// stake.PowerReduction.
	SelfBond         uint64
	CommissionBps    uint32
	MaxCommissionBps uint32
	MaxChangeBps     uint32
}

// power is the CometBFT voting power of a genesis validator.
func (o *StakeOptions) power() int64 { return int64(o.SelfBond / stake.PowerReduction) }

// addStakeGenesis writes the "stake" section of g for the validators'
// consensus keys, in order.
func addStakeGenesis(g *app.Genesis, o *StakeOptions, pubs [][]byte, monikers []string) error {
	if len(o.Operators) != len(pubs) {
		return fmt.Errorf("node: stake genesis: %d operators for %d validators", len(o.Operators), len(pubs))
	}
	if o.power() < 1 {
		return fmt.Errorf("node: stake genesis: self-bond %d gives no voting power", o.SelfBond)
	}
	var s chain.StakeGenesis
	for i, pub := range pubs {
		s.Validators = append(s.Validators, chain.GenesisValidator{Operator: o.Operators[i], PubKey: hex.EncodeToString(pub),
			SelfBond: o.SelfBond, CommissionBps: o.CommissionBps, MaxCommissionBps: o.MaxCommissionBps, MaxChangeBps: o.MaxChangeBps,
			Moniker: monikers[i]})
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("node: stake genesis: %w", err)
	}
	mods := make(map[string]json.RawMessage, len(g.Modules)+1)
	for k, v := range g.Modules {
		mods[k] = v
	}
	mods["stake"] = b
	g.Modules = mods
	return nil
}
