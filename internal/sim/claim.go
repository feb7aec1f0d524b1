package sim

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/oracle"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/sig"
)

// OwnerStats counts one owner's claims.
type OwnerStats struct {
	Owner ledger.Address
	// Claims counts accepted claim transactions, Failed those that failed
	// inside a block (both pay the fee); Claimed sums what was claimed.
	Claims, Failed int
	Claimed        uint64
	// FeesPaid is what the claims cost the owner.
	FeesPaid uint64
}

// OwnerStats returns each owner's claim counters, in owner order.
func (f *Fleet) OwnerStats() []OwnerStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]OwnerStats(nil), f.owners...)
}

func addressOf(k sig.PrivateKey) ledger.Address { return ledger.AddressOf(sig.PublicOf(k)) }

// claimLoop claims every ClaimInterval, for each owner in parallel, the
// rewards of the owner's devices that have more settled than claimed.
func (f *Fleet) claimLoop(ctx context.Context, rpc *client.Client) {
	src := replay.NewHTTPSource(f.cfg.OracleURL, "")
	claimer := &oracle.Claimer{Proofs: src, Sender: &oracle.NodeLedger{Client: rpc, Fee: f.cfg.Fee}, Log: f.log}
	claimed := make([]map[ledger.Address]uint64, len(f.keys.Owners))
	for i := range claimed {
		claimed[i] = map[ledger.Address]uint64{}
	}
	t := time.NewTicker(f.cfg.ClaimInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var wg sync.WaitGroup
		for o := range f.keys.Owners {
			wg.Go(func() { f.claimOwner(ctx, o, src, claimer, claimed[o]) })
		}
		wg.Wait()
	}
}

// claimOwner claims for one owner's devices whose proof shows more than
// this loop claimed before. claimed is the owner's own map.
func (f *Fleet) claimOwner(ctx context.Context, o int, src *replay.HTTPSource, c *oracle.Claimer, claimed map[ledger.Address]uint64) {
	key := f.keys.Owners[o]
	for _, d := range f.devs {
		if d.m.Owner != o {
			continue
		}
		dev := ledger.Address(d.m.Key.Address())
		p, err := src.Proof(ctx, dev)
		if err != nil || p.Cumulative <= claimed[dev] {
			continue
		}
		n, err := c.ClaimAll(ctx, []oracle.ClaimRequest{{Key: key, Device: dev}})
		var te *client.TxError
		f.mu.Lock()
		st := &f.owners[o]
		switch {
		case n == 1:
			st.Claims++
			st.Claimed += p.Cumulative - claimed[dev]
			st.FeesPaid += f.cfg.Fee
			claimed[dev] = p.Cumulative
		case errors.As(err, &te) && te.Stage == "failed":
			st.Failed++
			st.FeesPaid += f.cfg.Fee
		}
		f.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			f.log.Warn("sim: claim", "device", dev, "err", err)
		}
	}
}
