package reward

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Message type names.
const (
	TypeSetOracle    = "reward/set-oracle"
	TypeRemoveOracle = "reward/remove-oracle"
	TypeSetPools     = "reward/set-pools"
	TypeSubmitRoot   = "reward/submit-root"
	TypeClaim        = "reward/claim"
)

// maxPools bounds a pool list: every pool has at least one basis point.
const maxPools = 64

// Payer pays out a forwarded pool (RecipientUsage, RecipientValidators)
// when an epoch settles: the module owning the recipient mints exactly
// amount (bank.Mint) to accounts of its choosing, in the same block, and
// emits its own events. An error fails the settling submission.
type Payer func(ctx *ledger.Context, epoch uint64, pool Pool, amount uint64) *ledger.Error

// Payers maps forwarded recipients to their payer. A forwarded recipient
// without a payer is paid to Treasury.
type Payers map[Recipient]Payer

type handlers struct{ payers Payers }

// Handlers returns a Register function for a chain whose modules pay the
// forwarded pools through payers (nil: every forwarded pool goes to
// Treasury).
func Handlers(payers Payers) func(*ledger.Router) {
	h := handlers{payers: payers}
	return func(rt *ledger.Router) {
		rt.Add(TypeSetOracle, handleSetOracle)
		rt.Add(TypeRemoveOracle, handleRemoveOracle)
		rt.Add(TypeSetPools, handleSetPools)
		rt.Add(TypeSubmitRoot, h.submitRoot)
		rt.Add(TypeClaim, handleClaim)
	}
}

// Register adds the reward messages to a router, with no payers: the usage
// and validators pools go to Treasury.
func Register(rt *ledger.Router) { Handlers(nil)(rt) }

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

// checkOracle validates an oracle's address and weight, and that a new
// oracle fits in the set.
func checkOracle(st ledger.Store, a ledger.Address, weight uint64) *ledger.Error {
	if a.IsZero() {
		return ledger.Errorf(ledger.CodeInvalidAddress, "oracle address is zero")
	}
	if max := params.Get(st, MaxOracleWeight); weight == 0 || weight > max {
		return ledger.Errorf(ledger.CodeParamOutOfBounds, "oracle weight %d outside [1, %d]", weight, max)
	}
	return oracleSet.CheckRoom(st, a[:], params.Get(st, MaxOracles))
}

func handleSetOracle(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m rewardv1.MsgSetOracle
	if e := ledger.Unmarshal(TypeSetOracle, raw, &m); e != nil {
		return e
	}
	a, err := ledger.AddressFromBytes(m.Oracle)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "oracle: %v", err)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	if e := checkOracle(ctx.Store, a, m.Weight); e != nil {
		return e
	}
	oracleSet.Put(ctx.Store, a[:], ledger.Encode(&rewardv1.Oracle{Address: a[:], Weight: m.Weight}))
	ctx.Emit("reward.oracle_set", ledger.A("oracle", a.String()), ledger.A("weight", u64(m.Weight)))
	return nil
}

func handleRemoveOracle(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m rewardv1.MsgRemoveOracle
	if e := ledger.Unmarshal(TypeRemoveOracle, raw, &m); e != nil {
		return e
	}
	a, err := ledger.AddressFromBytes(m.Oracle)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "oracle: %v", err)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	if !oracleSet.Has(ctx.Store, a[:]) {
		return ledger.Errorf(CodeUnknownOracle, "%s is not in the oracle set", a)
	}
	oracleSet.Remove(ctx.Store, a[:])
	ctx.Emit("reward.oracle_removed", ledger.A("oracle", a.String()))
	return nil
}

func handleSetPools(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m rewardv1.MsgSetPools
	if e := ledger.Unmarshal(TypeSetPools, raw, &m); e != nil {
		return e
	}
	if len(m.Pools) > maxPools {
		return ledger.Errorf(ledger.CodeTooLarge, "%d pools, at most %d allowed", len(m.Pools), maxPools)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	pools := PoolsFromProto(m.Pools)
	if err := ValidatePools(pools); err != nil {
		return err.(*ledger.Error)
	}
	setPools(ctx.Store, pools)
	for _, p := range pools {
		ctx.Emit("reward.pool", ledger.A("name", p.Name), ledger.A("bps", strconv.FormatUint(uint64(p.Bps), 10)),
			ledger.A("recipient", p.Recipient.String()), ledger.A("kind", p.Kind))
	}
	return nil
}
