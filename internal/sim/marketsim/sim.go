package marketsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Config configures the simulation. Start from DefaultConfig.
type Config struct {
	// NodeURL is the node's CometBFT RPC.
	NodeURL string
	// Fee is paid by every transaction, in upin.
	Fee uint64
	// Interval is the time between two steps.
	Interval time.Duration
	// MaxPrice is what consumers offer per unit per block, in upin.
	MaxPrice uint64
	// Duration is the lease length consumers ask for, in blocks.
	Duration uint64
	// DryBlocks is about how many blocks the dry consumer's deposit
	// lasts at the maximum price (longer at a lower bid).
	DryBlocks uint64
	// FundedBlocks is how many blocks of payment the other consumers keep
	// in escrow: they top up when the balance falls below half of it.
	FundedBlocks uint64
	// Credits is how many credits the pay-per-use consumer buys at a time.
	Credits uint64
	// ReceiptCredits is what each usage receipt spends.
	ReceiptCredits uint64
	// AcceptAfter is how many blocks a consumer waits for bids before it
	// accepts the cheapest.
	AcceptAfter int64
}

// DefaultConfig is the devnet's configuration: a lease that runs dry in
// about a minute of 200 ms blocks.
func DefaultConfig() Config {
	return Config{
		Interval: time.Second, MaxPrice: 5_000, Duration: 20_000, DryBlocks: 200, FundedBlocks: 600,
		Credits: 10_000, ReceiptCredits: 25, AcceptAfter: 3,
	}
}

// Keys are the simulated participants' keys.
type Keys struct {
	// Providers register and bid.
	Providers []sig.PrivateKey
	// Consumers order and lease; the first never tops up its lease.
	Consumers []sig.PrivateKey
	// PayPerUse buys credits and signs receipts.
	PayPerUse sig.PrivateKey
}

// Stats counts what the simulation did.
type Stats struct {
	Orders, Bids, Leases, TopUps, Receipts, CreditBuys int
	// DryClosed counts leases the sweep closed for insufficient funds.
	DryClosed int
}

// Sim is a running market simulation.
type Sim struct {
	cfg    Config
	keys   Keys
	c      *client.Client
	log    *slog.Logger
	stats  Stats
	active map[ledger.Address]uint64 // each consumer's active lease, as last seen
	seen   map[uint64]bool           // leases whose close was reported
	last   int64                     // height of the last receipt period's end
}

// New builds a simulation.
func New(cfg Config, keys Keys, logger *slog.Logger) (*Sim, error) {
	if len(keys.Providers) == 0 || len(keys.Consumers) == 0 {
		return nil, errors.New("marketsim: needs providers and consumers")
	}
	c, err := client.New(cfg.NodeURL)
	if err != nil {
		return nil, fmt.Errorf("marketsim: %w", err)
	}
	return &Sim{cfg: cfg, keys: keys, c: c, log: logger, active: map[ledger.Address]uint64{}, seen: map[uint64]bool{}}, nil
}

// Stats returns what the simulation did so far.
func (s *Sim) Stats() Stats { return s.stats }

// Run steps every Interval until ctx ends. A failed step is logged and
// retried at the next one.
func (s *Sim) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("market step failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func addrOf(k sig.PrivateKey) ledger.Address { return ledger.AddressOf(sig.PublicOf(k)) }

// send signs and sends one message, waiting for its commit.
func (s *Sim) send(ctx context.Context, k sig.PrivateKey, typ string, m proto.Message) error {
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	_, err = s.c.SignAndSend(ctx, k, client.Tx{Msgs: []*txv1.Msg{{Type: typ, Value: v}}, Fee: s.cfg.Fee})
	if err != nil {
		return fmt.Errorf("%s by %s: %w", typ, addrOf(k), err)
	}
	return nil
}

// Step runs one round: register providers, bid, order and accept, top up,
// report closed leases, and one round of pay-per-use usage.
func (s *Sim) Step(ctx context.Context) error {
	st, err := s.c.Status(ctx)
	if err != nil {
		return err
	}
	for _, fn := range []func(context.Context, int64) error{s.providers, s.bid, s.consumers, s.payPerUse} {
		if err := fn(ctx, st.Height); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sim) providers(ctx context.Context, _ int64) error {
	for i, k := range s.keys.Providers {
		var p market.ProviderView
		err := s.c.Query(ctx, "/market/providers/"+addrOf(k).String(), &p)
		if err == nil {
			continue
		}
		var qe *client.QueryError
		if !errors.As(err, &qe) || qe.Code != ledger.QueryNotFound {
			return err
		}
		region := []string{"eu-central", "eu-west", "us-east"}[i%3]
		if err := s.send(ctx, k, market.TypeCreateProvider, &marketv1.MsgCreateProvider{
			HostUri:    fmt.Sprintf("https://provider%d.devnet.example", i),
			Attributes: []*marketv1.Attribute{{Key: "region", Value: region}, {Key: "tier", Value: "community"}}}); err != nil {
			return err
		}
		s.log.Info("provider registered", "provider", addrOf(k), "region", region)
	}
	return nil
}

func (s *Sim) isConsumer(owner string) bool {
	for _, k := range s.keys.Consumers {
		if addrOf(k).String() == owner {
			return true
		}
	}
	return false
}

// bid places every provider's bid on every open order it has not bid on,
// at a price between 60% and 95% of the maximum that varies with the
// provider and the order.
func (s *Sim) bid(ctx context.Context, _ int64) error {
	var open market.OrdersPage
	if err := s.c.Query(ctx, "/market/orders?state=open", &open); err != nil {
		return err
	}
	collateral := market.MinCollateral.Default
	if len(open.Orders) > 0 {
		var ps query.Params
		if err := s.c.Query(ctx, "/params", &ps); err != nil {
			return err
		}
		if v, ok := ps.Value(market.MinCollateral.Name); ok {
			collateral = v
		}
	}
	for _, o := range open.Orders {
		// A real storage order needs a storage service that keeps shards
		// and answers proofs (the storage fleet's providers); these
		// providers have none, and a put that accepted their bid could not
		// upload. They bid on their own consumers' orders only.
		if o.Kind == storage.Kind && !s.isConsumer(o.Owner) {
			continue
		}
		var bids market.BidsPage
		if err := s.c.Query(ctx, fmt.Sprintf("/market/bids?order=%d", o.ID), &bids); err != nil {
			return err
		}
		have := map[string]bool{}
		for _, b := range bids.Bids {
			have[b.Provider] = true
		}
		for i, k := range s.keys.Providers {
			if have[addrOf(k).String()] || addrOf(k).String() == o.Owner {
				continue
			}
			// Prices vary by provider and order, so different providers win.
			pct := 60 + (uint64(i)*37+o.ID*13)%36
			price := max(1, min(o.MaxPrice, o.MaxPrice*min(pct, 95)/100))
			if err := s.send(ctx, k, market.TypeBid, &marketv1.MsgBid{Order: o.ID, Price: price, Collateral: collateral}); err != nil {
				return err
			}
			s.stats.Bids++
		}
	}
	return nil
}

// consumers keeps each consumer with one lease: it orders when it has
// neither an open order nor an active lease, accepts the cheapest bid once
// the order is AcceptAfter blocks old, and tops up (all but the first).
func (s *Sim) consumers(ctx context.Context, height int64) error {
	for i, k := range s.keys.Consumers {
		me := addrOf(k)
		leases, err := s.activeLeases(ctx, me)
		if err != nil {
			return err
		}
		if prev, ok := s.active[me]; ok && (len(leases.Leases) == 0 || leases.Leases[0].ID != prev) {
			s.reportClosed(ctx, prev)
			delete(s.active, me)
		}
		if len(leases.Leases) > 0 {
			l := leases.Leases[0]
			s.active[me] = l.ID
			if i > 0 && l.Balance < l.Rate*s.cfg.FundedBlocks/2 {
				if err := s.send(ctx, k, market.TypeDeposit, &marketv1.MsgDeposit{Lease: l.ID, Amount: l.Rate * s.cfg.FundedBlocks}); err != nil {
					return err
				}
				s.stats.TopUps++
			}
			continue
		}
		var orders market.OrdersPage
		if err := s.c.Query(ctx, "/market/orders?state=open&owner="+me.String(), &orders); err != nil {
			return err
		}
		if len(orders.Orders) == 0 {
			if err := s.order(ctx, i, k); err != nil {
				return err
			}
			continue
		}
		o := orders.Orders[0]
		if height < o.CreatedHeight+s.cfg.AcceptAfter {
			continue
		}
		var bids market.BidsPage
		if err := s.c.Query(ctx, fmt.Sprintf("/market/bids?state=open&order=%d", o.ID), &bids); err != nil {
			return err
		}
		var best *market.BidView
		for j := range bids.Bids {
			b := &bids.Bids[j]
			if b.ExpiresHeight >= height+1 && (best == nil || b.Price < best.Price) {
				best = b
			}
		}
		if best == nil {
			continue
		}
		prov, err := ledger.ParseAddress(best.Provider)
		if err != nil {
			return err
		}
		if err := s.send(ctx, k, market.TypeAccept, &marketv1.MsgAccept{Order: o.ID, Provider: prov[:]}); err != nil {
			return err
		}
		s.stats.Leases++
		s.log.Info("lease started", "consumer", me, "order", o.ID, "provider", prov, "price", best.Price, "dry", i == 0)
	}
	return nil
}

// activeLeases reads every page of a consumer's active leases (its index
// also holds its closed ones).
func (s *Sim) activeLeases(ctx context.Context, owner ledger.Address) (market.LeasesPage, error) {
	var all market.LeasesPage
	key := ""
	for {
		var p market.LeasesPage
		path := "/market/leases?state=active&owner=" + owner.String()
		if key != "" {
			path += "&page_key=" + key
		}
		if err := s.c.Query(ctx, path, &p); err != nil {
			return all, err
		}
		all.Leases = append(all.Leases, p.Leases...)
		if key = p.NextPageKey; key == "" {
			return all, nil
		}
	}
}

func (s *Sim) order(ctx context.Context, i int, k sig.PrivateKey) error {
	qty := uint64(1 + i%3)
	deposit := s.cfg.MaxPrice * qty * s.cfg.FundedBlocks
	if i == 0 {
		deposit = s.cfg.MaxPrice * qty * s.cfg.DryBlocks
	}
	var ps query.Params
	if err := s.c.Query(ctx, "/params", &ps); err != nil {
		return err
	}
	if min, ok := ps.Value(market.MinDeposit.Name); ok {
		deposit = max(deposit, min)
	}
	kind := []string{"compute", "storage", "relay"}[i%3]
	if err := s.send(ctx, k, market.TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: kind, Quantity: qty,
		Requirements: &marketv1.Requirements{Attributes: []*marketv1.Attribute{{Key: "tier", Value: "community"}}},
		MaxPrice:     s.cfg.MaxPrice, Duration: s.cfg.Duration, Deposit: deposit}); err != nil {
		return err
	}
	s.stats.Orders++
	return nil
}

// reportClosed logs why a consumer's lease closed.
func (s *Sim) reportClosed(ctx context.Context, id uint64) {
	if s.seen[id] {
		return
	}
	var l market.LeaseView
	if err := s.c.Query(ctx, fmt.Sprintf("/market/leases/%d", id), &l); err != nil || l.State != "closed" {
		return
	}
	s.seen[id] = true
	if l.CloseReason == "insufficient_funds" {
		s.stats.DryClosed++
	}
	s.log.Info("lease closed", "lease", id, "reason", l.CloseReason, "height", l.ClosedHeight, "paid", l.Paid, "take", l.Take, "refunded", l.Refunded)
}

// payPerUse keeps the pay-per-use consumer's credits topped up and has a
// provider submit one receipt it signed for the blocks since the last.
func (s *Sim) payPerUse(ctx context.Context, height int64) error {
	k := s.keys.PayPerUse
	if k == nil || height <= s.last {
		return nil
	}
	me := addrOf(k)
	var cv credit.View
	if err := s.c.Query(ctx, "/credits/"+me.String(), &cv); err != nil {
		return err
	}
	if cv.Credits < s.cfg.ReceiptCredits*4 {
		if err := s.send(ctx, k, credit.TypeBuy, &creditv1.MsgBuy{Credits: s.cfg.Credits}); err != nil {
			return err
		}
		s.stats.CreditBuys++
	}
	st, err := s.c.Status(ctx)
	if err != nil {
		return err
	}
	pk := s.keys.Providers[int(height)%len(s.keys.Providers)]
	prov := addrOf(pk)
	start := s.last + 1
	if start < 1 {
		start = 1
	}
	r := market.SignReceipt(k, &marketv1.Receipt{ChainId: st.ChainID, Payer: me[:], Provider: prov[:], Kind: "relay",
		PeriodStart: start, PeriodEnd: height, Units: uint64(height-start+1) * 1 << 20, Credits: s.cfg.ReceiptCredits,
		Nonce: uint64(height)})
	if err := s.send(ctx, pk, market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{r}}); err != nil {
		return err
	}
	s.last = height
	s.stats.Receipts++
	return nil
}
