package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Chain is what the uplink needs of a node (internal/client implements it).
type Chain interface {
	Status(ctx context.Context) (client.Status, error)
	Query(ctx context.Context, path string, out any) error
	SignAndSend(ctx context.Context, priv sig.PrivateKey, tx client.Tx) (*client.TxResult, error)
}

// Config configures uploads.
type Config struct {
	// K of N shards rebuild a file.
	K, N int
	// SegmentSize and LeafSize of the layout (0: content's defaults).
	SegmentSize, LeafSize uint32
	// Plaintext turns client-side encryption off (it is on by default).
	Plaintext bool
	// MaxPrice is the most paid per MiB per block, in upin; Duration the
	// deal length in blocks; MinDeposit the market's smallest deposit (the
	// deposit of an order pays MaxPrice for the whole duration, at least
	// MinDeposit).
	MaxPrice, Duration, MinDeposit uint64
	// Fee of every transaction, in upin.
	Fee uint64
	// BidWait bounds the wait for bids; AckWait the wait for uploads to be
	// acknowledged. BidGrace is how long bids are still collected once
	// every order has one from a distinct provider, so that the cheapest
	// win rather than the quickest.
	BidWait, AckWait, BidGrace time.Duration
	// Poll is how often the chain is polled while waiting.
	Poll time.Duration
	// TmpDir holds shards while they are encoded or rebuilt.
	TmpDir string
	// EgressBytesPerCredit prices downloads: after a get, each provider
	// that served a shard gets a signed receipt for its bytes at one
	// credit per this many bytes, rounded up (0: no receipts).
	EgressBytesPerCredit uint64
	// Now is the clock egress receipt nonces come from (nil: time.Now).
	Now func() time.Time
}

// DefaultConfig returns the defaults: 4 of 8, encryption on.
func DefaultConfig() Config {
	return Config{K: 4, N: 8, MaxPrice: 2, Duration: 100_000, MinDeposit: 500_000, Fee: 1_000,
		BidWait: 2 * time.Minute, AckWait: 2 * time.Minute, BidGrace: 3 * time.Second, Poll: 500 * time.Millisecond, EgressBytesPerCredit: 1 << 20}
}

// Uplink puts and gets files as one account.
type Uplink struct {
	cfg    Config
	chain  Chain
	key    sig.PrivateKey
	owner  ledger.Address
	master []byte
	http   *http.Client
	log    *slog.Logger

	nonceMu   sync.Mutex
	lastNonce uint64 // the last egress receipt nonce signed
}

// New returns an uplink for the account of key; master is the owner's
// 32-byte encryption key (content.KeyLen). Without a key it only reads
// (Status, Deals).
func New(cfg Config, chain Chain, key sig.PrivateKey, master []byte, log *slog.Logger) *Uplink {
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	u := &Uplink{cfg: cfg, chain: chain, key: key, master: master, http: &http.Client{Timeout: 10 * time.Minute}, log: log}
	if key != nil {
		u.owner = ledger.AddressOf(sig.PublicOf(key))
	}
	return u
}

func (u *Uplink) send(ctx context.Context, typ string, msgs ...proto.Message) ([]*client.TxResult, error) {
	var out []*client.TxResult
	for len(msgs) > 0 {
		n := min(len(msgs), 8)
		tx := client.Tx{Fee: u.cfg.Fee}
		for _, m := range msgs[:n] {
			v, err := proto.Marshal(m)
			if err != nil {
				return nil, err
			}
			tx.Msgs = append(tx.Msgs, &txv1.Msg{Type: typ, Value: v})
		}
		res, err := u.chain.SignAndSend(ctx, u.key, tx)
		if err != nil {
			return out, fmt.Errorf("%s: %w", typ, err)
		}
		out = append(out, res)
		msgs = msgs[n:]
	}
	return out, nil
}

// Put stores the file at path and returns its content id. It reads the
// file once and keeps no copy: the layout is planned first (it fixes the
// shard size the orders need), and once the bids are accepted the file is
// encoded straight into the n parallel uploads; the roots, and so the
// content id the deals record, are known when the last byte is sent.
func (u *Uplink) Put(ctx context.Context, path string, rnd io.Reader) (content.CID, error) {
	f, err := os.Open(path)
	if err != nil {
		return content.CID{}, fmt.Errorf("put: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return content.CID{}, fmt.Errorf("put: %w", err)
	}
	size := info.Size()
	m, err := content.Plan(uint64(size), content.Options{K: u.cfg.K, N: u.cfg.N,
		SegmentSize: u.cfg.SegmentSize, LeafSize: u.cfg.LeafSize, Encrypt: !u.cfg.Plaintext, Key: u.master, Rand: rnd})
	if err != nil {
		return content.CID{}, fmt.Errorf("put: %w", err)
	}
	all := make([]int, m.N)
	for i := range all {
		all[i] = i
	}
	if err := u.place(ctx, m, all, encodeSource(io.NewSectionReader(f, 0, size), m, u.master), true, nil, nil); err != nil {
		return content.CID{}, fmt.Errorf("put: %w", err)
	}
	return m.CID(), nil
}

// place opens an order per shard of idx (in increasing order), accepts
// bids from distinct providers (none of exclude), records the deals and
// uploads the shards src produces (the uploads first when streamed: the
// roots are known only once they are sent), and waits for the
// acknowledgements. repairOf names, by shard, the closed deal a repair by
// a party other than the file's owner replaces (nil for a put).
func (u *Uplink) place(ctx context.Context, m *content.Manifest, idx []int, src shardSource, streamed bool, exclude map[string]bool, repairOf map[int]uint64) error {
	qty := (m.ShardSize() + storage.MiB - 1) / storage.MiB
	deposit, ok := ledger.MulDiv(u.cfg.MaxPrice*qty, u.cfg.Duration, 1)
	if !ok {
		return errors.New("price × size × duration overflows")
	}
	deposit = max(deposit, u.cfg.MinDeposit)
	orders := make([]proto.Message, len(idx))
	for j := range idx {
		orders[j] = &marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: qty, MaxPrice: u.cfg.MaxPrice, Duration: u.cfg.Duration, Deposit: deposit}
	}
	res, err := u.send(ctx, market.TypeCreateOrder, orders...)
	if err != nil {
		return err
	}
	var orderIDs []uint64
	for _, r := range res {
		for _, e := range r.Events {
			if e.Type == "market.order" {
				for _, a := range e.Attrs {
					if a.Key == "order" {
						id, _ := strconv.ParseUint(a.Value, 10, 64)
						orderIDs = append(orderIDs, id)
					}
				}
			}
		}
	}
	if len(orderIDs) != len(idx) {
		return fmt.Errorf("opened %d orders, want %d", len(orderIDs), len(idx))
	}
	u.log.Info("orders open", "orders", orderIDs)
	chosen, err := u.awaitBids(ctx, orderIDs, exclude)
	if err != nil {
		// Close the orders, so their deposits come back.
		closes := make([]proto.Message, len(orderIDs))
		for j, o := range orderIDs {
			closes[j] = &marketv1.MsgCloseOrder{Order: o}
		}
		_, cerr := u.send(ctx, market.TypeCloseOrder, closes...)
		return errors.Join(err, cerr)
	}
	accepts := make([]proto.Message, len(orderIDs))
	for j, o := range orderIDs {
		p, _ := ledger.ParseAddress(chosen[j])
		accepts[j] = &marketv1.MsgAccept{Order: o, Provider: p[:]}
	}
	if _, err := u.send(ctx, market.TypeAccept, accepts...); err != nil {
		return err
	}
	leases := make([]uint64, len(orderIDs))
	for j, o := range orderIDs {
		var ov market.OrderView
		if err := u.chain.Query(ctx, fmt.Sprintf("market/orders/%d", o), &ov); err != nil {
			return err
		}
		leases[j] = ov.Lease
	}
	hosts := make([]string, len(chosen))
	for j, p := range chosen {
		if hosts[j], err = u.hostOf(ctx, p); err != nil {
			return errors.Join(err, u.closeLeases(ctx, leases))
		}
	}
	createDeals := func() error {
		cid := m.CID()
		deals := make([]proto.Message, len(orderIDs))
		for j := range orderIDs {
			root := m.Roots[idx[j]]
			deals[j] = &storagev1.MsgCreateDeal{Lease: leases[j], Cid: cid[:], Shard: uint32(idx[j]), Root: root[:],
				ShardSize: m.ShardSize(), LeafSize: m.LeafSize, RepairOf: repairOf[idx[j]]}
		}
		_, err := u.send(ctx, storage.TypeCreateDeal, deals...)
		return err
	}
	if streamed {
		// Upload before the deals: a streamed put knows its roots (the
		// content id the deals record) only once every shard is sent. A
		// failed upload or deal closes the leases, so the consumer pays
		// for nothing. (The content id is new, so no provider holds a closed
		// deal of it that would make it drop the shard meanwhile.)
		if err := uploadShards(ctx, u.http, m, idx, hosts, src); err != nil {
			return errors.Join(err, u.closeLeases(ctx, leases))
		}
		if err := createDeals(); err != nil {
			return errors.Join(err, u.closeLeases(ctx, leases))
		}
	} else {
		// The roots are known (repair): the deals first, so that a provider
		// that held the same shard under a closed deal keeps the new copy.
		if err := createDeals(); err != nil {
			return err
		}
		if err := uploadShards(ctx, u.http, m, idx, hosts, src); err != nil {
			return err
		}
	}
	return u.awaitAcks(ctx, leases)
}

// closeLeases closes the leases of a placement whose upload failed.
func (u *Uplink) closeLeases(ctx context.Context, leases []uint64) error {
	msgs := make([]proto.Message, len(leases))
	for j, l := range leases {
		msgs[j] = &marketv1.MsgCloseLease{Lease: l}
	}
	if _, err := u.send(ctx, market.TypeCloseLease, msgs...); err != nil {
		return fmt.Errorf("close the leases of a failed upload: %w", err)
	}
	return nil
}

// awaitBids waits until every order has a bid from a distinct provider
// and returns the chosen provider per order: the cheapest bid of a
// provider not chosen yet.
func (u *Uplink) awaitBids(ctx context.Context, orders []uint64, exclude map[string]bool) ([]string, error) {
	deadline := time.Now().Add(u.cfg.BidWait)
	var covered time.Time // when every order first had a distinct bidder
	for {
		used := map[string]bool{}
		chosen := make([]string, len(orders))
		done := true
		for j, o := range orders {
			var page market.BidsPage
			if err := u.chain.Query(ctx, fmt.Sprintf("market/bids?order=%d&state=open", o), &page); err != nil {
				return nil, err
			}
			sort.SliceStable(page.Bids, func(a, b int) bool { return page.Bids[a].Price < page.Bids[b].Price })
			for _, b := range page.Bids {
				// The chain refuses a deal with oneself (self_deal).
				if !used[b.Provider] && !exclude[b.Provider] && b.Provider != u.owner.String() {
					chosen[j] = b.Provider
					used[b.Provider] = true
					break
				}
			}
			if chosen[j] == "" {
				done = false
			}
		}
		// Once every order has a bidder, bids keep coming for BidGrace, so
		// that the cheapest providers win, not the quickest.
		if done && covered.IsZero() {
			covered = time.Now()
		}
		if done && (time.Since(covered) >= u.cfg.BidGrace || time.Now().After(deadline)) {
			return chosen, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no bids from %d distinct providers within %s", len(orders), u.cfg.BidWait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(u.cfg.Poll):
		}
	}
}

// hostOf returns a provider's host URI from the market.
func (u *Uplink) hostOf(ctx context.Context, provider string) (string, error) {
	var pv market.ProviderView
	if err := u.chain.Query(ctx, "market/providers/"+provider, &pv); err != nil {
		return "", err
	}
	return pv.HostURI, nil
}

// awaitAcks waits until every lease's deal is active.
func (u *Uplink) awaitAcks(ctx context.Context, leases []uint64) error {
	deadline := time.Now().Add(u.cfg.AckWait)
	for {
		waiting := 0
		for _, l := range leases {
			var d storage.DealView
			if err := u.chain.Query(ctx, fmt.Sprintf("storage/deals/%d", l), &d); err != nil {
				return err
			}
			switch d.State {
			case "pending":
				waiting++
			case "closed":
				return fmt.Errorf("deal %d closed before its upload was acknowledged (%s)", l, d.CloseReason)
			}
		}
		if waiting == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d uploads not acknowledged within %s", waiting, u.cfg.AckWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(u.cfg.Poll):
		}
	}
}

// Deals returns a content id's deals, by shard.
func (u *Uplink) Deals(ctx context.Context, cid content.CID) ([]storage.DealView, error) {
	var ds []storage.DealView
	if err := u.chain.Query(ctx, "storage/cids/"+cid.String(), &ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// Files lists the content ids of the owner's deals, in order of first deal.
func (u *Uplink) Files(ctx context.Context) ([]content.CID, error) {
	var ds []storage.DealView
	if err := u.chain.Query(ctx, "storage/deals?owner="+u.owner.String(), &ds); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []content.CID
	for _, d := range ds {
		if seen[d.CID] {
			continue
		}
		seen[d.CID] = true
		c, err := content.ParseCID(d.CID)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
