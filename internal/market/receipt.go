package market

import (
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// ReceiptDomain separates what a consumer signs for usage receipts from
// everything else its key signs (transactions, bindings).
const ReceiptDomain = "depin/market/receipt/v1"

// DecodeReceipt decodes and checks a receipt's fields, strictly: unknown
// fields, a missing payer or provider, an empty kind, zero credits or a
// period that ends before it starts are CodeMalformed or
// CodeReceiptPeriod.
func DecodeReceipt(raw []byte) (*marketv1.Receipt, *ledger.Error) {
	r := new(marketv1.Receipt)
	if e := ledger.Unmarshal("receipt", raw, r); e != nil {
		return nil, e
	}
	if _, err := ledger.AddressFromBytes(r.Payer); err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "receipt payer: %v", err)
	}
	if _, err := ledger.AddressFromBytes(r.Provider); err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "receipt provider: %v", err)
	}
	if e := checkKind(r.Kind); e != nil {
		return nil, e
	}
	if r.Credits == 0 {
		return nil, ledger.Errorf(ledger.CodeInvalidAmount, "receipt credits must be positive")
	}
	if r.Nonce == 0 {
		return nil, ledger.Errorf(ledger.CodeMalformed, "receipt nonce must be positive")
	}
	if r.PeriodStart < 1 || r.PeriodEnd < r.PeriodStart {
		return nil, ledger.Errorf(CodeReceiptPeriod, "receipt period [%d, %d] is empty", r.PeriodStart, r.PeriodEnd)
	}
	return r, nil
}

// SignReceipt encodes a receipt and signs it with the payer's key.
func SignReceipt(priv sig.PrivateKey, r *marketv1.Receipt) *marketv1.SignedReceipt {
	raw := encode(r)
	return &marketv1.SignedReceipt{Receipt: raw, PubKey: sig.PublicOf(priv), Signature: sig.Sign(priv, ReceiptDomain, raw)}
}

// decodedReceipt is one receipt of a batch after decoding, before the
// checks against state.
type decodedReceipt struct {
	r   *marketv1.Receipt
	err *ledger.Error // a decode error or a key that is not the payer's
	sig int           // index in the batch verifier, or -1
}

// decodeBatch decodes a batch's receipts and queues the signatures of those
// whose key is their payer's in one batch verification (ZIP-215, like
// transactions); it returns each receipt and whether its signature holds.
func decodeBatch(srs []*marketv1.SignedReceipt) ([]decodedReceipt, []bool) {
	out := make([]decodedReceipt, len(srs))
	bv := sig.NewBatchVerifier()
	for i, sr := range srs {
		d := &out[i]
		d.sig = -1
		if sr == nil {
			d.err = ledger.Errorf(ledger.CodeMalformed, "receipt %d is missing", i)
			continue
		}
		r, e := DecodeReceipt(sr.Receipt)
		if e != nil {
			d.err = ledger.Errorf(e.Code, "receipt %d: %s", i, e.Msg)
			continue
		}
		d.r = r
		if len(sr.PubKey) != sig.PubKeyLen || ledger.AddressOf(sr.PubKey) != addr(r.Payer) {
			d.err = ledger.Errorf(CodeForgedReceipt, "receipt %d: the key is not the payer %s's", i, addr(r.Payer))
			continue
		}
		d.sig = bv.Len()
		bv.Add(sr.PubKey, ReceiptDomain, sr.Receipt, sr.Signature)
	}
	if bv.Len() == 0 {
		return out, nil
	}
	_, valid := bv.Verify()
	return out, valid
}

// checkReceipt checks one decoded receipt of a batch of provider prov at
// the context's height against state; it writes nothing.
func checkReceipt(ctx *ledger.Context, i int, d decodedReceipt, valid []bool, prov ledger.Address) (*marketv1.Receipt, *ledger.Error) {
	if d.err != nil {
		return nil, d.err
	}
	r := d.r
	payer := addr(r.Payer)
	if !valid[d.sig] {
		return nil, ledger.Errorf(CodeForgedReceipt, "receipt %d: the signature does not verify for payer %s", i, payer)
	}
	if r.ChainId != ctx.ChainID {
		return nil, ledger.Errorf(CodeReceiptChain, "receipt %d is for chain %q, this is %q", i, r.ChainId, ctx.ChainID)
	}
	if addr(r.Provider) != prov {
		return nil, ledger.Errorf(CodeReceiptProvider, "receipt %d names provider %s, the signer is %s", i, addr(r.Provider), prov)
	}
	if r.PeriodEnd > ctx.Height {
		return nil, ledger.Errorf(CodeReceiptPeriod, "receipt %d: period ends at %d, after height %d", i, r.PeriodEnd, ctx.Height)
	}
	if r.Lease != 0 {
		l, ok := GetLease(ctx.Store, r.Lease)
		if !ok || addr(l.Owner) != payer || addr(l.Provider) != prov || l.Kind != r.Kind {
			return nil, ledger.Errorf(CodeReceiptLease, "receipt %d: lease %d is not %s's %s lease with %s", i, r.Lease, payer, r.Kind, prov)
		}
	}
	if last := LastNonce(ctx.Store, payer, prov); r.Nonce <= last {
		return nil, ledger.Errorf(CodeReceiptReplayed, "receipt %d: nonce %d is not above %d, the last from %s", i, r.Nonce, last, payer)
	}
	return r, nil
}

func handleSubmitReceipts(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgSubmitReceipts
	if e := ledger.Unmarshal(TypeSubmitReceipts, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if len(m.Receipts) == 0 {
		return ledger.Errorf(ledger.CodeMalformed, "no receipts")
	}
	if max := params.Get(st, MaxReceipts); uint64(len(m.Receipts)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "%d receipts, at most %d allowed", len(m.Receipts), max)
	}
	prov := ctx.Signer
	if _, ok := GetProvider(st, prov); !ok {
		return ledger.Errorf(CodeUnknownProvider, "%s is not a provider", prov)
	}
	epoch := reward.CurrentEpoch(st).Number
	decoded, valid := decodeBatch(m.Receipts)
	for i, d := range decoded {
		// Checks run in order and see the writes of the receipts before,
		// so a batch cannot repeat a nonce and the first bad receipt is
		// the one reported; any failure drops the whole message.
		r, e := checkReceipt(ctx, i, d, valid, prov)
		if e != nil {
			return e
		}
		payer := addr(r.Payer)
		st.Set(nonceKey(payer, prov), ledger.U64(r.Nonce))
		status := "paid"
		if e := credit.Spend(st, payer, r.Credits); e != nil {
			status = "unpaid"
			ctx.Emit("market.receipt", attr("provider", prov.String()), attr("payer", payer.String()),
				attr("nonce", u64(r.Nonce)), attr("credits", u64(r.Credits)), attr("status", status),
				attr("reason", e.Code.String()))
			continue
		}
		used, ok1 := ledger.Add(Usage(st, epoch, prov), r.Credits)
		earned, ok2 := ledger.Add(Earned(st, prov), r.Credits)
		if !ok1 || !ok2 {
			return ledger.Errorf(ledger.CodeOverflow, "receipt %d: credits spent with %s overflow", i, prov)
		}
		st.Set(usageKey(epoch, prov), ledger.U64(used))
		st.Set(earnedKey(prov), ledger.U64(earned))
		ctx.Emit("market.receipt", attr("provider", prov.String()), attr("payer", payer.String()),
			attr("nonce", u64(r.Nonce)), attr("credits", u64(r.Credits)), attr("units", u64(r.Units)),
			attr("kind", r.Kind), attr("lease", u64(r.Lease)), attr("epoch", u64(epoch)), attr("status", status))
	}
	return nil
}
