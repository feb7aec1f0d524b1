package reward

import (
	"fmt"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Key layout under ledger.PrefixReward (all big-endian):
//
//	'e' epoch (u64)         -> Epoch (the running epoch is internal/epoch's)
//	'n'                     -> next epoch to settle (u64)
//	'l'                     -> latest settled epoch (u64), absent before the first
//	'o' oracle              -> Oracle
//	'p'                     -> PoolList (absent: DefaultPools)
//	'u' epoch (u64), oracle -> Submission
//	's' epoch (u64)         -> Settlement
//	'k' device              -> claimed so far (u64)
//	'm'                     -> total minted to the reward pool (u64)
//	't'                     -> total claimed from the reward pool (u64)
const (
	tagEpoch      = 'e'
	tagNext       = 'n'
	tagLatest     = 'l'
	tagOracle     = 'o'
	tagPools      = 'p'
	tagSubmission = 'u'
	tagSettlement = 's'
	tagClaimed    = 'k'
	tagMinted     = 'm'
	tagPaidOut    = 't'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(ledger.PrefixReward, append([][]byte{{tag}}, parts...)...)
}

func epochKey(n uint64) []byte                        { return key(tagEpoch, ledger.U64(n)) }
func submissionKey(n uint64, a ledger.Address) []byte { return key(tagSubmission, ledger.U64(n), a[:]) }
func settlementKey(n uint64) []byte                   { return key(tagSettlement, ledger.U64(n)) }
func claimedKey(device ledger.Address) []byte         { return key(tagClaimed, device[:]) }

// oracleSet is the oracle set, bounded by reward.max_oracles.
var oracleSet = ledger.BoundedSet{Prefix: key(tagOracle), Noun: "oracle", FullCode: CodeOracleSetFull}

// Oracles returns the oracle set sorted by address.
func Oracles(st ledger.Store) []*rewardv1.Oracle {
	var out []*rewardv1.Oracle
	oracleSet.Each(st, func(_, v []byte) bool {
		o := new(rewardv1.Oracle)
		ledger.DecodeState(v, o)
		out = append(out, o)
		return true
	})
	return out
}

// OracleWeight returns an oracle's weight, 0 if it is not in the set.
func OracleWeight(st ledger.Store, a ledger.Address) uint64 {
	b := oracleSet.Get(st, a[:])
	if b == nil {
		return 0
	}
	o := new(rewardv1.Oracle)
	ledger.DecodeState(b, o)
	return o.Weight
}

// Pools returns the current pool list (DefaultPools until the authority
// sets one). Ended epochs keep the list they ended with (Epoch.Pools).
func Pools(st ledger.Store) []Pool {
	b := st.Get(key(tagPools))
	if b == nil {
		return DefaultPools()
	}
	l := new(rewardv1.PoolList)
	ledger.DecodeState(b, l)
	return PoolsFromProto(l.Pools)
}

func setPools(st ledger.Store, pools []Pool) {
	st.Set(key(tagPools), ledger.Encode(&rewardv1.PoolList{Pools: PoolsToProto(pools)}))
}

// PoolsFromProto converts stored or sent pools. A recipient outside the
// uint8 range becomes 0, which ValidatePools refuses.
func PoolsFromProto(ps []*rewardv1.Pool) []Pool {
	out := make([]Pool, len(ps))
	for i, p := range ps {
		r := Recipient(0)
		if p.Recipient > 0 && p.Recipient <= rewardv1.Recipient(recipientLast) {
			r = Recipient(p.Recipient)
		}
		out[i] = Pool{Name: p.Name, Bps: p.Bps, Recipient: r, Kind: p.Kind}
	}
	return out
}

// PoolsToProto converts pools for storage or a message.
func PoolsToProto(ps []Pool) []*rewardv1.Pool {
	out := make([]*rewardv1.Pool, len(ps))
	for i, p := range ps {
		out[i] = &rewardv1.Pool{Name: p.Name, Bps: p.Bps, Recipient: rewardv1.Recipient(p.Recipient), Kind: p.Kind}
	}
	return out
}

// Claimed returns what a device's owners have claimed in total.
func Claimed(st ledger.Store, device ledger.Address) uint64 {
	return ledger.GetU64(st, claimedKey(device))
}

// Owed is what the reward pool owes: minted to it minus claimed from it.
func Owed(st ledger.Store) uint64 {
	return ledger.GetU64(st, key(tagMinted)) - ledger.GetU64(st, key(tagPaidOut))
}

// PoolTotals returns everything minted to the reward pool and everything
// claimed from it.
func PoolTotals(st ledger.Store) (minted, claimed uint64) {
	return ledger.GetU64(st, key(tagMinted)), ledger.GetU64(st, key(tagPaidOut))
}

// GenesisOracle is an oracle of the genesis set.
type GenesisOracle struct {
	Address ledger.Address
	Weight  uint64
}

// InitGenesis writes the genesis oracle set and pool list (nil pools keep
// DefaultPools) and opens epoch 0 at height 1. Call it after the params
// genesis: it checks the set against the current params.
func InitGenesis(st ledger.Store, oracles []GenesisOracle, pools []Pool) error {
	if pools != nil {
		if err := ValidatePools(pools); err != nil {
			return fmt.Errorf("reward: genesis pools: %w", err)
		}
		setPools(st, pools)
	}
	for i, o := range oracles {
		if e := checkOracle(st, o.Address, o.Weight); e != nil {
			return fmt.Errorf("reward: genesis oracle %d: %s", i, e.Msg)
		}
		if oracleSet.Has(st, o.Address[:]) {
			return fmt.Errorf("reward: genesis oracle %d: %s is listed twice", i, o.Address)
		}
		oracleSet.Put(st, o.Address[:], ledger.Encode(&rewardv1.Oracle{Address: o.Address[:], Weight: o.Weight}))
	}
	openEpoch(st, epoch.Current(st))
	return nil
}

// Invariants checks the reward module's books: the reward pool holds at
// least what it owes (minted to it minus claimed; it holds more only if
// someone sent it tokens), the claimed total equals the sum of per-device
// claims, and no claim exceeds what was minted.
func Invariants(st ledger.Store) error {
	minted, claimed := PoolTotals(st)
	if claimed > minted {
		return fmt.Errorf("reward: claimed %d exceeds the %d minted to the reward pool", claimed, minted)
	}
	owed := minted - claimed
	if bal := bank.Balance(st, RewardPool); bal < owed {
		return fmt.Errorf("reward: the reward pool holds %d upin but owes %d", bal, owed)
	}
	var sum uint64
	var err error
	ledger.IteratePrefix(st, key(tagClaimed), func(_, v []byte) bool {
		var ok bool
		if sum, ok = ledger.Add(sum, ledger.ReadU64(v)); !ok {
			err = fmt.Errorf("reward: per-device claims overflow")
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	if sum != claimed {
		return fmt.Errorf("reward: per-device claims sum to %d, the claimed total is %d", sum, claimed)
	}
	return nil
}
