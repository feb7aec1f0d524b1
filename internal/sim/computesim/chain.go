package computesim

import (
	"context"

	acompute "github.com/depin-network/depin/agent/compute"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Wallet is an agent/compute Chain over a node client, signing with one
// key and paying Fee per transaction.
type Wallet struct {
	Client *client.Client
	Key    sig.PrivateKey
	Fee    uint64
}

// Addr is the wallet's address.
func (w *Wallet) Addr() ledger.Address { return ledger.AddressOf(sig.PublicOf(w.Key)) }

// Query runs a query.
func (w *Wallet) Query(ctx context.Context, path string, out any) error {
	return w.Client.Query(ctx, path, out)
}

// Send signs the messages into one transaction and waits for its commit.
func (w *Wallet) Send(ctx context.Context, msgs ...acompute.Msg) error {
	tx := client.Tx{Fee: w.Fee}
	for _, m := range msgs {
		tx.Msgs = append(tx.Msgs, &txv1.Msg{Type: m.Type, Value: m.Value})
	}
	_, err := w.Client.SignAndSend(ctx, w.Key, tx)
	return err
}
