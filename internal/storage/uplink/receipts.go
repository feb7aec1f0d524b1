package uplink

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// nextNonce returns the nonce of the next egress receipt: the wall clock in
// nanoseconds, and always above the last one this uplink signed. The
// market takes a payer's receipts to a provider only with growing nonces
// (market/submit-receipts refuses one not above the last), so nonces must
// be unique and grow per lease: two gets in one block, even from two
// processes of the same owner, sign different nonces, and a later get
// signs a higher one. (Nonces from the block height alone clashed for two
// gets in one block.)
func (u *Uplink) nextNonce() uint64 {
	u.nonceMu.Lock()
	defer u.nonceMu.Unlock()
	n := uint64(max(u.now().UnixNano(), 1))
	if n <= u.lastNonce {
		n = u.lastNonce + 1
	}
	u.lastNonce = n
	return n
}

func (u *Uplink) now() time.Time {
	if u.cfg.Now != nil {
		return u.cfg.Now()
	}
	return time.Now()
}

// payEgress signs one usage receipt per provider a download used (the
// market's consumer-signed receipts, docs/market.md) for the bytes it
// served, at cfg.EgressBytesPerCredit bytes per credit rounded up, and
// hands it to the provider, which submits it on chain. A provider is paid
// from the owner's credits; without credits the receipt is recorded unpaid.
func (u *Uplink) payEgress(ctx context.Context, served []holder, bytesEach uint64) error {
	if u.key == nil || u.cfg.EgressBytesPerCredit == 0 || len(served) == 0 {
		return nil
	}
	st, err := u.chain.Status(ctx)
	if err != nil {
		return err
	}
	credits := (bytesEach + u.cfg.EgressBytesPerCredit - 1) / u.cfg.EgressBytesPerCredit
	var errs []error
	for _, h := range served {
		prov, err := ledger.ParseAddress(h.provider)
		if err != nil {
			return err
		}
		r := &marketv1.Receipt{ChainId: st.ChainID, Payer: u.owner[:], Provider: prov[:], Lease: h.deal, Kind: storage.Kind,
			PeriodStart: st.Height, PeriodEnd: st.Height, Units: bytesEach, Credits: credits, Nonce: u.nextNonce()}
		raw, err := proto.Marshal(market.SignReceipt(u.key, r))
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.host+"/v1/receipts", bytes.NewReader(raw))
		if err != nil {
			return err
		}
		resp, err := u.http.Do(req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			errs = append(errs, fmt.Errorf("%s refused the receipt: %s", h.provider, resp.Status))
		}
	}
	if len(errs) > 0 {
		u.log.Info("egress receipts not all delivered", "errs", errs)
	}
	return nil
}
