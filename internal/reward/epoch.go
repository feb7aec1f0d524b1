package reward

import (
	"slices"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// The epoch clock is internal/epoch. The reward module keeps its own
// record of each epoch the clock opens (rewardv1.Epoch: the heights, and
// once it ended the emission and pools it settles with, whether it is
// sealed and settled). At the end block of an epoch's last height, after
// the clock's EndBlock (internal/chain lists the epoch module first), the
// epoch's emission (EpochEmission of the schedule in params) and the
// current pool list are recorded in it and the next epoch's record opens.
//
// The reward record also keeps the block times of the epoch's first and
// last heights (they bound its receive window), and the ending epoch
// records the governed values its scoring depends on, as of its end height
// (rewardv1.Epoch.Params): the reward module's WindowSlackMs and the specs
// the chain passes to EndBlockWithParams (every network kind's params and
// scorer version). Oracles read them from the epoch record, never from the
// current params or their own config, so a change voted in the middle of
// an epoch applies to that epoch if it
// executed at or before the end height and to the next one otherwise.

// openEpoch records the clock's epoch e.
func openEpoch(st ledger.Store, e epoch.Epoch) *rewardv1.Epoch {
	ep := &rewardv1.Epoch{Number: e.Number, StartHeight: e.StartHeight, EndHeight: e.EndHeight}
	st.Set(epochKey(e.Number), ledger.Encode(ep))
	return ep
}

// GetEpoch returns an epoch that has started.
func GetEpoch(st ledger.Store, n uint64) (*rewardv1.Epoch, bool) {
	b := st.Get(epochKey(n))
	if b == nil {
		return nil, false
	}
	ep := new(rewardv1.Epoch)
	ledger.DecodeState(b, ep)
	return ep, true
}

func putEpoch(st ledger.Store, ep *rewardv1.Epoch) { st.Set(epochKey(ep.Number), ledger.Encode(ep)) }

// CurrentEpoch returns the reward record of the running epoch: the one
// holding the height being executed.
func CurrentEpoch(st ledger.Store) *rewardv1.Epoch {
	e := epoch.Current(st)
	if ep, ok := GetEpoch(st, e.Number); ok {
		return ep
	}
	return &rewardv1.Epoch{Number: e.Number, StartHeight: e.StartHeight, EndHeight: e.EndHeight}
}

// NextToSettle is the epoch oracles settle next: epochs settle in order,
// because each manifest's totals build on the previous one's.
func NextToSettle(st ledger.Store) uint64 { return ledger.GetU64(st, key(tagNext)) }

// EpochHook adjusts an epoch as it ends, before it is recorded: given the
// schedule's emission and the pool list, it returns extra emission to add
// (re-minted burn, helium/HIP HIP-20 net emissions) and the pool list to
// record for the total. The market uses it to re-mint part of the PIN
// burned for credits and to move the usage pool's unearned part to the
// availability pools while the network bootstraps.
type EpochHook func(ctx *ledger.Context, epoch, emission uint64, pools []Pool) (extra uint64, out []Pool)

// EndBlock closes the reward record of the epoch the clock ended at this
// height and opens the record of the next. It must run after the epoch
// module's EndBlock.
func EndBlock(ctx *ledger.Context) *ledger.Error { return EndBlockWith(nil)(ctx) }

// EndBlockWith is EndBlock with a hook (nil: none) run as an epoch ends.
func EndBlockWith(hook EpochHook) func(*ledger.Context) *ledger.Error {
	return EndBlockWithParams(hook, nil)
}

// EndBlockWithParams is EndBlockWith that also records the values of
// specs in each epoch as it ends (besides WindowSlackMs).
func EndBlockWithParams(hook EpochHook, specs []params.Spec) func(*ledger.Context) *ledger.Error {
	specs = append(slices.Clone(specs), WindowSlackMs)
	slices.SortFunc(specs, func(a, b params.Spec) int { return strings.Compare(a.Name, b.Name) })
	specs = slices.CompactFunc(specs, func(a, b params.Spec) bool { return a.Name == b.Name })
	return func(ctx *ledger.Context) *ledger.Error { return endBlock(ctx, hook, specs) }
}

// EpochParam returns a value recorded in an ended epoch, and false if the
// epoch recorded none of that name.
func EpochParam(ep *rewardv1.Epoch, name string) (uint64, bool) {
	i, ok := slices.BinarySearchFunc(ep.Params, name, func(p *rewardv1.EpochParam, n string) int { return strings.Compare(p.Name, n) })
	if !ok {
		return 0, false
	}
	return ep.Params[i].Value, true
}

func endBlock(ctx *ledger.Context, hook EpochHook, specs []params.Spec) *ledger.Error {
	st := ctx.Store
	cur := epoch.Current(st)
	if _, ok := GetEpoch(st, cur.Number); !ok && cur.Number == 0 {
		openEpoch(st, cur)
	}
	if cur.StartHeight == ctx.Height {
		if ep, ok := GetEpoch(st, cur.Number); ok && ep.StartTime == 0 {
			ep.StartTime = ctx.Time
			putEpoch(st, ep)
		}
	}
	ended, ok := epoch.EndedAt(st, ctx.Height)
	if !ok {
		return nil
	}
	ep, ok := GetEpoch(st, ended.Number)
	if !ok {
		return ledger.Errorf(CodeUnknownEpoch, "epoch %d ended with no reward record", ended.Number)
	}
	ep.Ended, ep.EndTime = true, ctx.Time
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
	ep.Params = make([]*rewardv1.EpochParam, len(specs))
	for i, s := range specs {
		ep.Params[i] = &rewardv1.EpochParam{Name: s.Name, Value: params.Get(st, s)}
	}
	putEpoch(st, ep)
	next := openEpoch(st, cur)
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
