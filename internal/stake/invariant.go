package stake

import (
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// Invariants checks that the staking module's accounts hold exactly what
// its records say: the bonded pool every validator's tokens, the unbonding
// pool every unbonding entry's balance, the rewards pool every validator's
// outstanding reward and commission; and that no validator's shares are
// less than the sum of its delegations.
func Invariants(st ledger.Store) error {
	var tokens, rewards uint64
	shares := make(map[string]uint64)
	for _, v := range Validators(st) {
		tokens += v.Tokens
		rewards += v.Outstanding + v.Commission
		shares[string(v.Operator)] = v.Shares
	}
	if b := bank.Balance(st, BondedPool); b != tokens {
		return fmt.Errorf("bonded pool holds %d upin, validators have %d", b, tokens)
	}
	if b := bank.Balance(st, RewardsPool); b != rewards {
		return fmt.Errorf("rewards pool holds %d upin, validators owe %d", b, rewards)
	}
	var unbonding uint64
	for _, id := range idsUnder(st, key(tagUBDQueue)) {
		u, ok := GetUnbonding(st, id)
		if !ok {
			return fmt.Errorf("unbonding queue names missing entry %d", id)
		}
		unbonding += u.Balance
	}
	if b := bank.Balance(st, UnbondingPool); b != unbonding {
		return fmt.Errorf("unbonding pool holds %d upin, entries have %d", b, unbonding)
	}
	sum := make(map[string]uint64)
	var err error
	ledger.IteratePrefix(st, key(tagDelegation), func(k, b []byte) bool {
		val := string(k[len(k)-ledger.AddressLen:])
		d := &stakev1.Delegation{}
		decodeState(b, d)
		sum[val] += d.Shares
		if _, ok := shares[val]; !ok {
			err = fmt.Errorf("delegation to unknown validator %x", val)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, v := range Validators(st) {
		if s := sum[string(v.Operator)]; s != v.Shares {
			return fmt.Errorf("validator %s has %d shares, its delegations %d", operatorOf(v), v.Shares, s)
		}
	}
	return nil
}
