package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Bounds on consumers' egress receipts: a receipt costs the provider a
// chain query before it is queued (a bogus one is refused then), the queue
// holds at most maxQueuedReceipts and at most maxReceiptsPerPayer of one
// payer, and one round sends at most maxReceiptSends transactions, so
// receipts never hold the chore's proofs up for long (review finding S3).
const (
	maxQueuedReceipts   = 1024
	maxReceiptsPerPayer = 64
	maxReceiptSends     = 8
	// receiptCacheTTL is how long a lease or a last nonce read from the
	// chain answers again; receiptCacheMax bounds each cache.
	receiptCacheTTL = 10 * time.Second
	receiptCacheMax = 4096
)

// receiptQueue holds consumers' egress receipts until the next round
// submits them, and the chain reads that checked them.
type receiptQueue struct {
	mu     sync.Mutex
	q      []queuedReceipt
	perPay map[string]int
	leases map[uint64]cachedLease
	nonces map[string]cachedNonce // payer
}

// isNotFound reports whether a chain query found nothing.
func isNotFound(err error) bool {
	var qe interface{ QueryCode() query.Code }
	return errors.As(err, &qe) && qe.QueryCode() == query.CodeNotFound
}

type cachedLease struct {
	l  market.LeaseView
	ok bool // the lease exists
	at time.Time
}

type cachedNonce struct {
	last uint64
	at   time.Time
}

// queuedReceipt is a checked receipt with what orders it.
type queuedReceipt struct {
	sr    *marketv1.SignedReceipt
	payer string
	nonce uint64
}

// postReceipt takes a consumer's signed egress receipt (POST
// /v1/receipts, the SignedReceipt protobuf): it must decode, name this
// provider and the storage kind, carry the payer's valid signature, name
// an active lease of the payer with this provider, and a nonce above the
// last the chain paid from the payer to this provider.
func (p *Provider) postReceipt(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<10+1))
	if err != nil || len(b) > 4<<10 {
		http.Error(w, "receipt larger than 4 KiB", http.StatusRequestEntityTooLarge)
		return
	}
	qr, rc, err := p.checkReceipt(b)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := p.checkReceiptChain(r.Context(), rc); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rq := &p.receipts
	rq.mu.Lock()
	defer rq.mu.Unlock()
	if len(rq.q) >= maxQueuedReceipts {
		http.Error(w, "too many receipts waiting", http.StatusServiceUnavailable)
		return
	}
	if rq.perPay[qr.payer] >= maxReceiptsPerPayer {
		http.Error(w, "too many receipts of this payer waiting", http.StatusServiceUnavailable)
		return
	}
	if rq.perPay == nil {
		rq.perPay = map[string]int{}
	}
	rq.perPay[qr.payer]++
	rq.q = append(rq.q, qr)
	w.WriteHeader(http.StatusAccepted)
}

func (p *Provider) checkReceipt(b []byte) (queuedReceipt, *marketv1.Receipt, error) {
	sr := new(marketv1.SignedReceipt)
	if err := proto.Unmarshal(b, sr); err != nil {
		return queuedReceipt{}, nil, fmt.Errorf("receipt: %w", err)
	}
	rc, e := market.DecodeReceipt(sr.Receipt)
	if e != nil {
		return queuedReceipt{}, nil, fmt.Errorf("receipt: %s", e.Msg)
	}
	if string(rc.Provider) != string(p.addr[:]) || rc.Kind != storage.Kind {
		return queuedReceipt{}, nil, fmt.Errorf("receipt: not a %s receipt for %s", storage.Kind, p.addr)
	}
	if rc.Lease == 0 {
		return queuedReceipt{}, nil, fmt.Errorf("receipt: names no lease")
	}
	if len(sr.PubKey) != 32 || ledger.AddressOf(sr.PubKey) != ledger.Address(rc.Payer) || !sig.Verify(sr.PubKey, market.ReceiptDomain, sr.Receipt, sr.Signature) {
		return queuedReceipt{}, nil, fmt.Errorf("receipt: not signed by its payer")
	}
	return queuedReceipt{sr: sr, payer: string(rc.Payer), nonce: rc.Nonce}, rc, nil
}

// checkReceiptChain checks a receipt against the chain, through short
// caches: its lease is an active lease of its payer with this provider,
// and its nonce is above the last the chain paid from the payer to this
// provider (a cached last nonce is at most the chain's, so the check never
// refuses a receipt the chain would take).
func (p *Provider) checkReceiptChain(ctx context.Context, rc *marketv1.Receipt) error {
	payer := ledger.Address(rc.Payer)
	l, err := p.receiptLease(ctx, rc.Lease)
	if err != nil {
		return err
	}
	if !l.ok || l.l.Owner != payer.String() || l.l.Provider != p.addr.String() || l.l.State != "active" {
		return fmt.Errorf("receipt: lease %d is not an active lease of %s with %s", rc.Lease, payer, p.addr)
	}
	last, err := p.receiptNonce(ctx, payer)
	if err != nil {
		return err
	}
	if rc.Nonce <= last {
		return fmt.Errorf("receipt: nonce %d is not above %d, the last the chain paid from %s", rc.Nonce, last, payer)
	}
	return nil
}

func (p *Provider) receiptLease(ctx context.Context, id uint64) (cachedLease, error) {
	rq := &p.receipts
	now := time.Now()
	rq.mu.Lock()
	c, hit := rq.leases[id]
	rq.mu.Unlock()
	if hit && now.Sub(c.at) < receiptCacheTTL {
		return c, nil
	}
	c = cachedLease{at: now}
	err := p.chain.Query(ctx, fmt.Sprintf("market/leases/%d", id), &c.l)
	switch {
	case err == nil:
		c.ok = true
	case isNotFound(err):
	default:
		return c, fmt.Errorf("receipt: reading lease %d: %w", id, err)
	}
	rq.mu.Lock()
	if rq.leases == nil || len(rq.leases) >= receiptCacheMax {
		rq.leases = map[uint64]cachedLease{}
	}
	rq.leases[id] = c
	rq.mu.Unlock()
	return c, nil
}

func (p *Provider) receiptNonce(ctx context.Context, payer ledger.Address) (uint64, error) {
	rq := &p.receipts
	now := time.Now()
	rq.mu.Lock()
	c, hit := rq.nonces[string(payer[:])]
	rq.mu.Unlock()
	if hit && now.Sub(c.at) < receiptCacheTTL {
		return c.last, nil
	}
	var v market.NonceView
	if err := p.chain.Query(ctx, "market/nonces/"+payer.String()+"/"+p.addr.String(), &v); err != nil {
		return 0, fmt.Errorf("receipt: reading the last nonce of %s: %w", payer, err)
	}
	rq.mu.Lock()
	if rq.nonces == nil || len(rq.nonces) >= receiptCacheMax {
		rq.nonces = map[string]cachedNonce{}
	}
	rq.nonces[string(payer[:])] = cachedNonce{last: v.LastNonce, at: now}
	rq.mu.Unlock()
	return v.LastNonce, nil
}

// inNonceOrder sorts receipts by payer and nonce, the order the market
// takes them in (each above the payer's last), and drops a repeated nonce
// of a payer, which the market would refuse.
func inNonceOrder(q []queuedReceipt) []queuedReceipt {
	sort.SliceStable(q, func(i, j int) bool {
		if q[i].payer != q[j].payer {
			return q[i].payer < q[j].payer
		}
		return q[i].nonce < q[j].nonce
	})
	out := make([]queuedReceipt, 0, len(q))
	for i, r := range q {
		if i > 0 && r.payer == q[i-1].payer && r.nonce == q[i-1].nonce {
			continue
		}
		out = append(out, r)
	}
	return out
}

// submitReceipts sends the queued receipts on chain in one batch, in nonce
// order. The chain refuses a whole batch for one bad receipt (a replayed
// nonce, a closed lease): then the batch is bisected, so the bad ones are
// found and dropped in a few sends; a round sends at most maxReceiptSends
// transactions and leaves the rest queued, ahead of newer receipts, for
// the next round.
func (p *Provider) submitReceipts(ctx context.Context) error {
	rq := &p.receipts
	rq.mu.Lock()
	q := rq.q
	rq.q, rq.perPay = nil, nil
	rq.mu.Unlock()
	if len(q) == 0 {
		return nil
	}
	budget := maxReceiptSends
	left := p.sendBisect(ctx, inNonceOrder(q), &budget)
	if len(left) == 0 {
		return nil
	}
	rq.mu.Lock()
	rq.q = append(left, rq.q...)
	rq.perPay = map[string]int{}
	for _, r := range rq.q {
		rq.perPay[r.payer]++
	}
	rq.mu.Unlock()
	return nil
}

// sendBisect sends batch, and when the chain refuses it, each half in
// turn (a single refused receipt is dropped). It returns, in order, what
// the budget of sends did not reach.
func (p *Provider) sendBisect(ctx context.Context, batch []queuedReceipt, budget *int) []queuedReceipt {
	if *budget <= 0 || ctx.Err() != nil {
		return batch
	}
	*budget--
	srs := make([]*marketv1.SignedReceipt, len(batch))
	for i, r := range batch {
		srs[i] = r.sr
	}
	err := p.send(ctx, market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: srs})
	if err == nil {
		p.m.receipts.Add(float64(len(batch)))
		return nil
	}
	if len(batch) == 1 {
		p.log.Info("egress receipt refused", "err", err)
		return nil
	}
	left := p.sendBisect(ctx, batch[:len(batch)/2], budget)
	if len(left) > 0 {
		return append(left, batch[len(batch)/2:]...)
	}
	return p.sendBisect(ctx, batch[len(batch)/2:], budget)
}
