package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// maxTxMsgs is how many messages the provider puts in one transaction
// (tx.max_msgs defaults to 8).
const maxTxMsgs = 8

type pendingProof struct {
	window uint64
	proof  *storagev1.Proof
}

// Tick is one round of chain work: register, answer the open window's
// challenges, acknowledge kept uploads, bid on open storage orders, submit
// consumers' egress receipts.
func (p *Provider) Tick(ctx context.Context) error {
	p.watch(ctx)
	if err := p.register(ctx); err != nil {
		return err
	}
	return errors.Join(p.prove(ctx), p.ack(ctx), p.bid(ctx), p.submitReceipts(ctx))
}

// watch records the chain's id and height for the download statements the
// provider signs (a Chain without Status leaves them unset).
func (p *Provider) watch(ctx context.Context) {
	c, ok := p.chain.(interface {
		Status(context.Context) (client.Status, error)
	})
	if !ok {
		return
	}
	if st, err := c.Status(ctx); err == nil {
		p.chainID.Store(st.ChainID)
		p.height.Store(st.Height)
	}
}

func (p *Provider) send(ctx context.Context, typ string, msgs ...proto.Message) error {
	for len(msgs) > 0 {
		n := min(len(msgs), maxTxMsgs)
		var tx client.Tx
		tx.Fee = p.cfg.Fee
		for _, m := range msgs[:n] {
			v, err := proto.Marshal(m)
			if err != nil {
				return err
			}
			tx.Msgs = append(tx.Msgs, &txv1.Msg{Type: typ, Value: v})
		}
		if _, err := p.chain.SignAndSend(ctx, p.key, tx); err != nil {
			return fmt.Errorf("%s: %w", typ, err)
		}
		msgs = msgs[n:]
	}
	return nil
}

func (p *Provider) register(ctx context.Context) error {
	var v market.ProviderView
	err := p.chain.Query(ctx, "market/providers/"+p.addr.String(), &v)
	if err == nil {
		if v.HostURI == p.cfg.HostURI {
			return nil
		}
		return p.send(ctx, market.TypeUpdateProvider, &marketv1.MsgUpdateProvider{HostUri: p.cfg.HostURI})
	}
	var qe *client.QueryError
	if !errors.As(err, &qe) {
		return err
	}
	p.log.Info("registering as a storage provider", "address", p.addr, "host_uri", p.cfg.HostURI)
	return p.send(ctx, market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: p.cfg.HostURI})
}

// prove answers the challenges of the open window (an AdversaryLate
// provider holds them until the window has closed).
func (p *Provider) prove(ctx context.Context) error {
	var w storage.WindowView
	if err := p.chain.Query(ctx, "storage/challenges/"+p.addr.String(), &w); err != nil {
		return err
	}
	if p.cfg.Adversary == AdversaryLate {
		var late []*storagev1.Proof
		var keep []pendingProof
		for _, lp := range p.lateProofs {
			if !w.Open || w.Number > lp.window {
				late = append(late, lp.proof)
			} else {
				keep = append(keep, lp)
			}
		}
		p.lateProofs = keep
		if len(late) > 0 {
			err := p.send(ctx, storage.TypeProve, &storagev1.MsgProve{Proofs: late})
			p.log.Info("late proofs sent", "proofs", len(late), "err", err)
		}
	}
	if !w.Open || len(w.Challenges) == 0 {
		return nil
	}
	var proofs []*storagev1.Proof
	var errs []error
	for _, c := range w.Challenges {
		cid, err := content.ParseCID(c.CID)
		if err != nil {
			return err
		}
		pr, err := p.disk.Prove(cid, int(c.Shard), c.Index)
		if err != nil {
			p.m.proofErrors.Inc()
			errs = append(errs, fmt.Errorf("deal %d: %w", c.Deal, err))
			continue
		}
		if p.cfg.Adversary == AdversaryCorrupt && len(pr.Leaf) > 0 {
			// The corrupt provider proves from the bytes it serves.
			pr.Leaf[0] ^= 1
		}
		sp := &storagev1.Proof{Deal: c.Deal, Window: c.Window, Index: c.Index, Leaf: pr.Leaf}
		for _, h := range pr.Path {
			sp.Path = append(sp.Path, append([]byte(nil), h[:]...))
		}
		proofs = append(proofs, sp)
	}
	if p.cfg.Adversary == AdversaryLate {
		for _, sp := range proofs {
			if !p.holding(sp.Deal) {
				p.lateProofs = append(p.lateProofs, pendingProof{window: w.Number, proof: sp})
			}
		}
		return errors.Join(errs...)
	}
	if len(proofs) > 0 {
		if err := p.send(ctx, storage.TypeProve, &storagev1.MsgProve{Proofs: proofs}); err != nil {
			p.m.proofErrors.Add(float64(len(proofs)))
			errs = append(errs, err)
		} else {
			p.m.proofs.Add(float64(len(proofs)))
		}
	}
	return errors.Join(errs...)
}

func (p *Provider) holding(deal uint64) bool {
	for _, lp := range p.lateProofs {
		if lp.proof.Deal == deal {
			return true
		}
	}
	return false
}

// ack acknowledges the pending deals whose shard is kept here, and applies
// the deleting adversaries to acknowledged ones.
func (p *Provider) ack(ctx context.Context) error {
	var deals []storage.DealView
	if err := p.chain.Query(ctx, "storage/deals?provider="+url.QueryEscape(p.addr.String()), &deals); err != nil {
		return err
	}
	var acks []proto.Message
	for _, d := range deals {
		cid, err := content.ParseCID(d.CID)
		if err != nil {
			return err
		}
		switch d.State {
		case "pending":
			if m, _, err := p.disk.Manifest(cid); err == nil && p.disk.HasShard(cid, int(d.Shard)) && keptFor(m, d) {
				acks = append(acks, &storagev1.MsgAck{Deal: d.ID})
			}
		case "active":
			if p.cfg.Adversary == AdversaryDelete || (p.cfg.Adversary == AdversaryPartial && p.dropsPartial(d.ID)) {
				if p.disk.HasShard(cid, int(d.Shard)) {
					p.log.Info("adversary: deleting an acknowledged shard", "deal", d.ID, "cid", d.CID, "shard", d.Shard)
					p.disk.DeleteShard(cid, int(d.Shard))
				}
			}
		case "closed":
			if p.disk.HasShard(cid, int(d.Shard)) && !p.heldByOpenDeal(deals, d) {
				p.disk.DeleteShard(cid, int(d.Shard))
			}
		}
	}
	if len(acks) == 0 {
		return nil
	}
	if err := p.send(ctx, storage.TypeAck, acks...); err != nil {
		return err
	}
	p.m.acks.Add(float64(len(acks)))
	p.log.Info("uploads acknowledged", "deals", len(acks))
	return nil
}

// dropsPartial decides, the first time an AdversaryPartial provider sees an
// acknowledged deal, whether it drops the shard: every other one it
// receives, the first included.
func (p *Provider) dropsPartial(deal uint64) bool {
	if p.partial == nil {
		p.partial = make(map[uint64]bool)
	}
	drop, seen := p.partial[deal]
	if !seen {
		drop = len(p.partial)%2 == 0
		p.partial[deal] = drop
	}
	return drop
}

// heldByOpenDeal reports whether another open deal of this provider keeps
// the same shard.
func (p *Provider) heldByOpenDeal(deals []storage.DealView, d storage.DealView) bool {
	for _, o := range deals {
		if o.ID != d.ID && o.CID == d.CID && o.Shard == d.Shard && o.State != "closed" {
			return true
		}
	}
	return false
}

// bid bids on open storage orders this provider has not bid on, at its
// price if the order's maximum allows, while its capacity lasts.
func (p *Provider) bid(ctx context.Context) error {
	var page market.OrdersPage
	if err := p.chain.Query(ctx, "market/orders?state=open", &page); err != nil {
		return err
	}
	// A provider still being vetted bids no further than the chain's cap
	// on its open deals (a deal past it would be refused).
	var rep storage.ReputationView
	if err := p.chain.Query(ctx, "storage/providers/"+p.addr.String(), &rep); err != nil {
		return err
	}
	room := -1
	if rep.DealCap > 0 {
		room = max(0, int(min(rep.DealCap, 1<<30))-rep.OpenDeals)
	}
	var bids []proto.Message
	reserved := p.disk.Used()
	for _, o := range page.Orders {
		if room >= 0 && len(bids) >= room {
			break
		}
		if o.Kind != storage.Kind || o.MaxPrice < p.cfg.Price {
			continue
		}
		size := int64(o.Quantity) * storage.MiB
		if p.cfg.Capacity > 0 && reserved+size > p.cfg.Capacity {
			continue
		}
		var mine market.BidsPage
		if err := p.chain.Query(ctx, fmt.Sprintf("market/bids?order=%d&provider=%s", o.ID, p.addr), &mine); err != nil {
			return err
		}
		if len(mine.Bids) > 0 {
			continue
		}
		reserved += size
		bids = append(bids, &marketv1.MsgBid{Order: o.ID, Price: p.cfg.Price, Collateral: p.cfg.Collateral})
	}
	if len(bids) == 0 {
		return nil
	}
	if err := p.send(ctx, market.TypeBid, bids...); err != nil {
		return err
	}
	p.m.bids.Add(float64(len(bids)))
	return nil
}

// keptFor reports whether the stored manifest's shard is the one the deal
// will challenge: the same root, shard size and leaf size. A deal whose
// layout differs in any of them (a consumer naming twice the stored leaf
// size, say) asks for proofs no stored shard can answer, so acknowledging it
// would hand the consumer the provider's collateral window after window.
func keptFor(m *content.Manifest, d storage.DealView) bool {
	return int(d.Shard) < len(m.Roots) && m.Roots[d.Shard].String() == d.Root &&
		m.ShardSize() == d.ShardSize && uint64(m.LeafSize) == uint64(d.LeafSize)
}
