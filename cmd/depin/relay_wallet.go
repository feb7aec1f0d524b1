package main

import (
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// relayWallet is a relay's or consumer's key with a node client.
type relayWallet struct {
	c   *client.Client
	key sig.PrivateKey
	fee uint64
}

func (w *relayWallet) addr() ledger.Address { return ledger.AddressOf(sig.PublicOf(w.key)) }
