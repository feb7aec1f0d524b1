package oracle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"encoding/hex"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/sig"
)

// ProofSource serves claim proofs (HTTPSource implements it).
type ProofSource interface {
	Proof(ctx context.Context, device ledger.Address) (replay.ClaimProof, error)
}

// ClaimSender sends MsgClaim signed by from (NodeLedger implements it).
type ClaimSender interface {
	Claim(ctx context.Context, from sig.PrivateKey, p replay.ClaimProof) error
}

// ClaimRequest is one device to claim for, with the key that signs.
type ClaimRequest struct {
	Key    sig.PrivateKey
	Device ledger.Address
}

// Claimer claims settled rewards for a list of devices, as a simulated
// fleet's owners would: it fetches each device's proof from an oracle and
// sends MsgClaim.
type Claimer struct {
	Proofs ProofSource
	Sender ClaimSender
	Log    *slog.Logger
}

// ClaimAll claims for every request in order and returns how many claims
// were accepted. A device with no entry in the manifest, or with nothing
// new since its last claim, is skipped; the first other failure stops it.
func (c *Claimer) ClaimAll(ctx context.Context, reqs []ClaimRequest) (int, error) {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := 0
	for _, r := range reqs {
		p, err := c.Proofs.Proof(ctx, r.Device)
		if errors.Is(err, score.ErrNotFound) {
			log.Debug("oracle: claim: no entry", "device", r.Device)
			continue
		}
		if err != nil {
			return n, fmt.Errorf("oracle: claim for %s: %w", r.Device, err)
		}
		err = c.Sender.Claim(ctx, r.Key, p)
		if code, ok := txCode(err); ok && code == reward.CodeNothingToClaim {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("oracle: claim for %s: %w", r.Device, err)
		}
		log.Info("oracle: claimed", "device", r.Device, "cumulative", p.Cumulative, "epoch", p.Epoch)
		n++
	}
	return n, nil
}

// txCode extracts the result code of a rejected claim.
func txCode(err error) (ledger.Code, bool) {
	var te *client.TxError
	if errors.As(err, &te) {
		return te.Code, true
	}
	var le *ledger.Error
	if errors.As(err, &le) {
		return le.Code, true
	}
	return 0, false
}

// parseHash parses 32 bytes of hex.
func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return h, fmt.Errorf("%q is not 32 bytes of hex", s)
	}
	copy(h[:], b)
	return h, nil
}
