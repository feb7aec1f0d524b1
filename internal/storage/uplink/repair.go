package uplink

import (
	"context"
	"fmt"
	"io"

	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
)

// Repair rebuilds the shards of a file that have no open deal (closed as
// faulty, disqualified, expired ...) from K good shards and places them
// with providers that keep none of the file's shards. It returns how many
// shards it placed.
func (u *Uplink) Repair(ctx context.Context, cidStr string) (int, error) {
	cid, err := content.ParseCID(cidStr)
	if err != nil {
		return 0, err
	}
	ds, err := u.Deals(ctx, cid)
	if err != nil {
		return 0, err
	}
	open := map[int]bool{}
	holders := map[string]bool{}
	owner := ""
	for _, d := range ds {
		owner = d.Owner
		switch {
		case d.State != "closed":
			open[int(d.Shard)] = true
			holders[d.Provider] = true
		case d.CloseReason != "owner_closed" && d.CloseReason != "expired" && d.CloseReason != "insufficient_funds":
			holders[d.Provider] = true // it failed this file once: not again
		}
	}
	// Anyone but the owner repairs on the owner's repair fund: only shards
	// the chain lists as needing a repair, each naming its closed deal.
	var repairOf map[int]uint64
	if owner != "" && owner != u.owner.String() {
		if repairOf, err = u.repairsOf(ctx, cid); err != nil {
			return 0, err
		}
		for i := range open {
			delete(repairOf, i)
		}
		holders[owner] = true // a deal with the file's owner would be a self deal
	}
	hs, err := u.holders(ctx, cid)
	if err != nil {
		return 0, err
	}
	m, err := u.manifest(ctx, cid, hs)
	if err != nil {
		return 0, fmt.Errorf("repair: %w", err)
	}
	var missing []int
	for i := range m.N {
		if _, listed := repairOf[i]; !open[i] && (repairOf == nil || listed) {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	readers, _, _, cleanup, err := u.fetchShards(ctx, m, cid, hs, m.K)
	defer cleanup()
	if err != nil {
		return 0, fmt.Errorf("repair %s: %w", cid, err)
	}
	isMissing := map[int]bool{}
	for _, i := range missing {
		isMissing[i] = true
	}
	files, cleanOut, err := u.tmpFiles(m.N, func(i int) bool { return isMissing[i] })
	if err != nil {
		return 0, err
	}
	defer cleanOut()
	outs := make([]io.Writer, m.N)
	for i, f := range files {
		if f != nil {
			outs[i] = f
		}
	}
	if err := content.Rebuild(m, readers, outs); err != nil {
		return 0, fmt.Errorf("repair %s: %w", cid, err)
	}
	u.log.Info("repairing", "cid", cid, "shards", missing)
	// One shard at a time, each with a provider keeping none of the file,
	// so that a network short of such providers still gets back what it
	// can.
	placed := 0
	for _, i := range missing {
		if err := u.place(ctx, m, []int{i}, filesSource(files, int64(m.ShardSize())), false, holders, repairOf); err != nil {
			return placed, fmt.Errorf("repair %s: shard %d: %w", cid, i, err)
		}
		placed++
		if ds, err := u.Deals(ctx, cid); err == nil {
			for _, d := range ds {
				if d.State != "closed" {
					holders[d.Provider] = true
				}
			}
		}
	}
	return placed, nil
}

// repairsOf returns, by shard, the closed deals of cid the chain lists as
// needing a repair whose owner's repair fund can pay for one more: what a
// party other than the owner may repair.
func (u *Uplink) repairsOf(ctx context.Context, cid content.CID) (map[int]uint64, error) {
	var rs []storage.RepairView
	if err := u.chain.Query(ctx, "storage/repairs", &rs); err != nil {
		return nil, err
	}
	out := map[int]uint64{}
	for _, r := range rs {
		if r.CID == cid.String() {
			out[int(r.Shard)] = r.Deal
		}
	}
	return out, nil
}

// RepairAny is the repair worker of any party: it repairs every file the
// chain lists as degraded (storage/repairs) whose owner keeps a repair
// fund, the owner's own files as the owner. It needs no owner's key: the
// shards are erasure-coded ciphertext, rebuilt without decrypting them.
// Errors are logged and the other files go on.
func (u *Uplink) RepairAny(ctx context.Context) int {
	var rs []storage.RepairView
	if err := u.chain.Query(ctx, "storage/repairs", &rs); err != nil {
		u.log.Warn("repair: list degraded files", "err", err)
		return 0
	}
	placed := 0
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.CID] || (r.Fund == 0 && r.Owner != u.owner.String()) {
			continue
		}
		seen[r.CID] = true
		n, err := u.Repair(ctx, r.CID)
		if err != nil {
			u.log.Warn("repair failed", "cid", r.CID, "err", err)
		}
		placed += n
	}
	return placed
}

// RepairAll repairs every file of the owner; errors are logged and the
// others go on.
func (u *Uplink) RepairAll(ctx context.Context) int {
	cids, err := u.Files(ctx)
	if err != nil {
		u.log.Warn("repair: list files", "err", err)
		return 0
	}
	placed := 0
	for _, c := range cids {
		n, err := u.Repair(ctx, c.String())
		if err != nil {
			u.log.Warn("repair failed", "cid", c, "err", err)
		}
		placed += n
	}
	return placed
}
