package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
	q  []*marketv1.SignedReceipt
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
	sr, err := p.checkReceipt(b)
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
	p.receipts.q = append(p.receipts.q, sr)
	w.WriteHeader(http.StatusAccepted)
}

func (p *Provider) checkReceipt(b []byte) (*marketv1.SignedReceipt, error) {
	sr := new(marketv1.SignedReceipt)
	if err := proto.Unmarshal(b, sr); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	rc, e := market.DecodeReceipt(sr.Receipt)
	if e != nil {
		return nil, fmt.Errorf("receipt: %s", e.Msg)
	}
	if string(rc.Provider) != string(p.addr[:]) || rc.Kind != storage.Kind {
		return nil, fmt.Errorf("receipt: not a %s receipt for %s", storage.Kind, p.addr)
	}
	if len(sr.PubKey) != 32 || ledger.AddressOf(sr.PubKey) != ledger.Address(rc.Payer) || !sig.Verify(sr.PubKey, market.ReceiptDomain, sr.Receipt, sr.Signature) {
		return nil, fmt.Errorf("receipt: not signed by its payer")
	}
	return sr, nil
}

// submitReceipts sends the queued receipts on chain in one batch; a batch
// the chain refuses (a replayed nonce, a closed lease) is dropped.
func (p *Provider) submitReceipts(ctx context.Context) error {
	p.receipts.mu.Lock()
	q := p.receipts.q
	p.receipts.q = nil
	p.receipts.mu.Unlock()
	if len(q) == 0 {
		return nil
	}
	err := p.send(ctx, market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: q})
	if err != nil {
		p.log.Info("egress receipts refused", "receipts", len(q), "err", err)
		return nil
	}
	p.m.receipts.Add(float64(len(q)))
	return nil
}
