package reward

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Epochs are counted by block height. Epoch 0 starts at height 1; each
// epoch takes the value of reward.epoch_blocks when it starts, so epoch n
// covers heights [n*len+1, (n+1)*len] while the parameter is unchanged, and a
// change takes effect at the next epoch boundary without renumbering the
// past. At the end block of an epoch's last height the epoch ends: its
// emission (EpochEmission of the schedule in params) and the current pool
// list are recorded in it, and the next epoch opens.

// openEpoch records epoch n as starting at start with the current length.
func openEpoch(st ledger.Store, n uint64, start int64) *rewardv1.Epoch {
	length := int64(params.Get(st, EpochBlocks))
	ep := &rewardv1.Epoch{Number: n, StartHeight: start, EndHeight: start + length - 1}
	st.Set(epochKey(n), encode(ep))
	st.Set(key(tagCurrent), ledger.U64(n))
	return ep
}

// GetEpoch returns an epoch that has started.
func GetEpoch(st ledger.Store, n uint64) (*rewardv1.Epoch, bool) {
	b := st.Get(epochKey(n))
	if b == nil {
		return nil, false
	}
	ep := new(rewardv1.Epoch)
	decodeState(b, ep)
	return ep, true
}

func putEpoch(st ledger.Store, ep *rewardv1.Epoch) { st.Set(epochKey(ep.Number), encode(ep)) }

// CurrentEpoch returns the running epoch: the one holding the height being
// executed. Before genesis wrote one, it is epoch 0 from height 1.
func CurrentEpoch(st ledger.Store) *rewardv1.Epoch {
	if b := st.Get(key(tagCurrent)); b != nil {
		if ep, ok := GetEpoch(st, ledger.ReadU64(b)); ok {
			return ep
		}
	}
	length := int64(params.Get(st, EpochBlocks))
	return &rewardv1.Epoch{Number: 0, StartHeight: 1, EndHeight: length}
}

// NextToSettle is the epoch oracles settle next: epochs settle in order,
// because each manifest's totals build on the previous one's.
func NextToSettle(st ledger.Store) uint64 { return getU64(st, key(tagNext)) }

// EpochHook adjusts an epoch as it ends, before it is recorded: given the
// schedule's emission and the pool list, it returns extra emission to add
// (re-minted burn, helium/HIP HIP-20 net emissions) and the pool list to
// record for the total. The market uses it to re-mint part of the PIN
// burned for credits and to move the usage pool's unearned part to the
// availability pools while the network bootstraps.
type EpochHook func(ctx *ledger.Context, epoch, emission uint64, pools []Pool) (extra uint64, out []Pool)

// EndBlock ends the running epoch at its last height and opens the next.
func EndBlock(ctx *ledger.Context) *ledger.Error { return EndBlockWith(nil)(ctx) }

// EndBlockWith is EndBlock with a hook (nil: none) run as an epoch ends.
func EndBlockWith(hook EpochHook) func(*ledger.Context) *ledger.Error {
	return func(ctx *ledger.Context) *ledger.Error { return endBlock(ctx, hook) }
}

func endBlock(ctx *ledger.Context, hook EpochHook) *ledger.Error {
	st := ctx.Store
	if st.Get(key(tagCurrent)) == nil {
		openEpoch(st, 0, 1)
	}
	ep := CurrentEpoch(st)
	if ctx.Height < ep.EndHeight {
		return nil
	}
	ep.Ended = true
	ep.Emission = EpochEmission(ScheduleOf(st), ep.Number)
	pools := Pools(st)
	if hook != nil {
		extra, adjusted := hook(ctx, ep.Number, ep.Emission, pools)
		total, ok := ledger.Add(ep.Emission, extra)
		if !ok {
			return ledger.Errorf(ledger.CodeOverflow, "epoch %d emission %d + re-mint %d overflows", ep.Number, ep.Emission, extra)
		}
		if err := ValidatePools(adjusted); err != nil {
			return err.(*ledger.Error)
		}
		ep.Emission, pools = total, adjusted
	}
	ep.Pools = PoolsToProto(pools)
	putEpoch(st, ep)
	next := openEpoch(st, ep.Number+1, ctx.Height+1)
	ctx.Emit("reward.epoch_end",
		ledger.Attr{Key: "epoch", Value: strconv.FormatUint(ep.Number, 10)},
		ledger.Attr{Key: "emission", Value: strconv.FormatUint(ep.Emission, 10)},
		ledger.Attr{Key: "next_end_height", Value: strconv.FormatInt(next.EndHeight, 10)})
	return nil
}

// SegmentsOpen reports whether ingest may commit a segment for epoch at
// height: the running epoch, or the previous one within
// reward.segment_grace_blocks after its end and before any oracle submitted
// a root for it.
func SegmentsOpen(st ledger.Store, epoch uint64, height int64) bool {
	cur := CurrentEpoch(st)
	if epoch == cur.Number {
		return true
	}
	if epoch+1 != cur.Number {
		return false
	}
	ep, ok := GetEpoch(st, epoch)
	if !ok || ep.Sealed || ep.Settled {
		return false
	}
	return height <= ep.EndHeight+int64(params.Get(st, SegmentGraceBlocks))
}

// submitOpen checks that oracles may submit roots for epoch at height: it
// ended, its grace blocks passed, it is the next to settle.
func submitOpen(st ledger.Store, epoch uint64, height int64) (*rewardv1.Epoch, *ledger.Error) {
	ep, ok := GetEpoch(st, epoch)
	if !ok {
		return nil, ledger.Errorf(CodeUnknownEpoch, "epoch %d has not started", epoch)
	}
	if ep.Settled {
		return nil, ledger.Errorf(CodeEpochSettled, "epoch %d is settled already", epoch)
	}
	if !ep.Ended {
		return nil, ledger.Errorf(CodeEpochNotOpen, "epoch %d runs until height %d", epoch, ep.EndHeight)
	}
	if open := ep.EndHeight + int64(params.Get(st, SegmentGraceBlocks)); height <= open {
		return nil, ledger.Errorf(CodeEpochNotOpen, "epoch %d takes roots after height %d, when its segments are sealed", epoch, open)
	}
	if next := NextToSettle(st); epoch != next {
		return nil, ledger.Errorf(CodeEpochNotOpen, "epoch %d cannot settle before epoch %d", epoch, next)
	}
	return ep, nil
}
