package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// maxQueuedReceipts bounds the receipts waiting to be submitted.
const maxQueuedReceipts = 1024

// receiptQueue holds consumers' egress receipts until the next round
// submits them.
type receiptQueue struct {
	mu sync.Mutex
	q  []queuedReceipt
}

// queuedReceipt is a checked receipt with what orders it.
type queuedReceipt struct {
	sr    *marketv1.SignedReceipt
	payer string
	nonce uint64
}

// postReceipt takes a consumer's signed egress receipt (POST
// /v1/receipts, the SignedReceipt protobuf): it must decode, name this
// provider and the storage kind, and carry the payer's valid signature.
func (p *Provider) postReceipt(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<10+1))
	if err != nil || len(b) > 4<<10 {
		http.Error(w, "receipt larger than 4 KiB", http.StatusRequestEntityTooLarge)
		return
	}
	qr, err := p.checkReceipt(b)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.receipts.mu.Lock()
	defer p.receipts.mu.Unlock()
	if len(p.receipts.q) >= maxQueuedReceipts {
		http.Error(w, "too many receipts waiting", http.StatusServiceUnavailable)
		return
	}
	p.receipts.q = append(p.receipts.q, qr)
	w.WriteHeader(http.StatusAccepted)
}

func (p *Provider) checkReceipt(b []byte) (queuedReceipt, error) {
	sr := new(marketv1.SignedReceipt)
	if err := proto.Unmarshal(b, sr); err != nil {
		return queuedReceipt{}, fmt.Errorf("receipt: %w", err)
	}
	rc, e := market.DecodeReceipt(sr.Receipt)
	if e != nil {
		return queuedReceipt{}, fmt.Errorf("receipt: %s", e.Msg)
	}
	if string(rc.Provider) != string(p.addr[:]) || rc.Kind != storage.Kind {
		return queuedReceipt{}, fmt.Errorf("receipt: not a %s receipt for %s", storage.Kind, p.addr)
	}
	if len(sr.PubKey) != 32 || ledger.AddressOf(sr.PubKey) != ledger.Address(rc.Payer) || !sig.Verify(sr.PubKey, market.ReceiptDomain, sr.Receipt, sr.Signature) {
		return queuedReceipt{}, fmt.Errorf("receipt: not signed by its payer")
	}
	return queuedReceipt{sr: sr, payer: string(rc.Payer), nonce: rc.Nonce}, nil
}

// inNonceOrder sorts receipts by payer and nonce, the order the market
// takes them in (each above the payer's last), and drops a repeated nonce
// of a payer, which the market would refuse.
func inNonceOrder(q []queuedReceipt) []*marketv1.SignedReceipt {
	sort.SliceStable(q, func(i, j int) bool {
		if q[i].payer != q[j].payer {
			return q[i].payer < q[j].payer
		}
		return q[i].nonce < q[j].nonce
	})
	out := make([]*marketv1.SignedReceipt, 0, len(q))
	for i, r := range q {
		if i > 0 && r.payer == q[i-1].payer && r.nonce == q[i-1].nonce {
			continue
		}
		out = append(out, r.sr)
	}
	return out
}

// submitReceipts sends the queued receipts on chain in one batch, in nonce
// order. The chain refuses a whole batch for one bad receipt (a replayed
// nonce, a closed lease): then each goes alone, and only the bad ones are
// dropped.
func (p *Provider) submitReceipts(ctx context.Context) error {
	p.receipts.mu.Lock()
	q := p.receipts.q
	p.receipts.q = nil
	p.receipts.mu.Unlock()
	if len(q) == 0 {
		return nil
	}
	batch := inNonceOrder(q)
	err := p.send(ctx, market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: batch})
	if err == nil {
		p.m.receipts.Add(float64(len(batch)))
		return nil
	}
	if len(batch) == 1 {
		p.log.Info("egress receipt refused", "err", err)
		return nil
	}
	for _, sr := range batch {
		if err := p.send(ctx, market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{sr}}); err != nil {
			p.log.Info("egress receipt refused", "err", err)
			continue
		}
		p.m.receipts.Inc()
	}
	return nil
}
