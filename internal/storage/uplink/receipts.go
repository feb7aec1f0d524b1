package uplink

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

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
	for i, h := range served {
		prov, err := ledger.ParseAddress(h.provider)
		if err != nil {
			return err
		}
		r := &marketv1.Receipt{ChainId: st.ChainID, Payer: u.owner[:], Provider: prov[:], Lease: h.deal, Kind: storage.Kind,
			PeriodStart: st.Height, PeriodEnd: st.Height, Units: bytesEach, Credits: credits,
			// Nonces grow with the height, so later downloads never replay.
			Nonce: uint64(st.Height)*1000 + uint64(i) + 1}
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
