package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// elevationM is every simulated hotspot's antenna height above ground.
const elevationM = 10

// Onboard registers the planned devices on chain: for each owner, in
// parallel, transactions of up to cfg.TxDevices devices, each a
// device/onboard message (certified by the maker, bound to the owner)
// followed by a device/assert-location message. Devices already registered
// are skipped, and only re-asserted if their cell differs, so a restarted
// devnet resumes its fleet.
func Onboard(ctx context.Context, rpc *client.Client, cfg Config, keys Keys, ms []Member, logger *slog.Logger) error {
	st, err := rpc.Status(ctx)
	if err != nil {
		return fmt.Errorf("sim: onboard: %w", err)
	}
	byOwner := make([][]Member, len(keys.Owners))
	for _, m := range ms {
		byOwner[m.Owner] = append(byOwner[m.Owner], m)
	}
	errs := make([]error, len(keys.Owners))
	var wg sync.WaitGroup
	for o := range keys.Owners {
		wg.Go(func() {
			errs[o] = onboardOwner(ctx, rpc, cfg, st.ChainID, keys.Maker, keys.Owners[o], byOwner[o], logger)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func onboardOwner(ctx context.Context, rpc *client.Client, cfg Config, chainID string, maker, owner sig.PrivateKey, ms []Member, logger *slog.Logger) error {
	ownerAddr := addressOf(owner)
	var msgs []*txv1.Msg
	devices, onboarded := 0, 0
	flush := func() error {
		if len(msgs) == 0 {
			return nil
		}
		if _, err := rpc.SignAndSend(ctx, owner, client.Tx{Msgs: msgs, Fee: cfg.Fee}); err != nil {
			return fmt.Errorf("sim: onboard %d devices of %s: %w", devices, ownerAddr, err)
		}
		msgs, devices = msgs[:0], 0
		return nil
	}
	for _, m := range ms {
		addr := ledger.Address(m.Key.Address())
		var q query.Device
		err := rpc.Query(ctx, "/devices/"+addr.String(), &q)
		var qe *client.QueryError
		switch {
		case errors.As(err, &qe) && qe.Code == query.CodeNotFound:
			typ, val := device.Onboard(maker, sig.KeyFromSeed(m.Key.Seed()), coverage.Name, m.Serial, chainID, ownerAddr)
			msgs = append(msgs, &txv1.Msg{Type: typ, Value: val})
			onboarded++
		case err != nil:
			return fmt.Errorf("sim: onboard: device %d: %w", m.Index, err)
		case q.Location != nil && q.Location.Cell == strconv.FormatUint(m.Cell, 16):
			continue
		case q.Owner != ownerAddr.String():
			return fmt.Errorf("sim: onboard: device %d (%s) belongs to %s, not %s", m.Index, addr, q.Owner, ownerAddr)
		}
		typ, val := device.AssertLocationMsg(addr, m.Cell, acov.Attributes(m.GainDdBi, elevationM, cfg.Region))
		msgs = append(msgs, &txv1.Msg{Type: typ, Value: val})
		if devices++; devices >= cfg.TxDevices {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	logger.Info("sim: owner's devices ready", "owner", ownerAddr, "devices", len(ms), "onboarded", onboarded)
	return nil
}
