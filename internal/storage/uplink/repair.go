package uplink

import (
	"context"
	"fmt"
	"io"

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
	for _, d := range ds {
		if d.State != "closed" {
			open[int(d.Shard)] = true
			holders[d.Provider] = true
		}
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
		if !open[i] {
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
	if err := u.place(ctx, m, missing, filesSource(files, int64(m.ShardSize())), false, holders); err != nil {
		return 0, fmt.Errorf("repair %s: %w", cid, err)
	}
	return len(missing), nil
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
