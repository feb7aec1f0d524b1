package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// ChainView answers the off-chain services' questions from the node's own
// committed state: which devices exist, the chain entropy reports answer,
// and the running reward epoch. It implements ingest.Registry,
// ingest.Entropy and ingest.Epochs.
type ChainView struct{ App *app.App }

var (
	_ ingest.Registry = ChainView{}
	_ ingest.Entropy  = ChainView{}
	_ ingest.Epochs   = ChainView{}
	_ ingest.Oracles  = ChainView{}
)

// Device implements ingest.Registry.
func (v ChainView) Device(pub []byte) (ingest.DeviceInfo, bool) {
	d, ok := device.DeviceByPubKey(v.App.Committed(), pub)
	if !ok {
		return ingest.DeviceInfo{}, false
	}
	return ingest.DeviceInfo{Decommissioned: !device.IsActive(d)}, true
}

// Height implements ingest.Entropy: the last committed height.
func (v ChainView) Height() int64 {
	h, _ := v.App.LastCommit()
	return h
}

// BlockHash implements ingest.Entropy with the chain's entropy record at a
// height (internal/proof): what reports answer and oracles check.
func (v ChainView) BlockHash(height int64) ([]byte, bool) {
	e, ok := proof.Entropy(v.App.Committed(), height)
	if !ok {
		return nil, false
	}
	return e[:], true
}

// IsOracle implements ingest.Oracles: the key's address has weight in the
// chain's oracle set.
func (v ChainView) IsOracle(pub []byte) bool {
	return len(pub) == sig.PubKeyLen && reward.OracleWeight(v.App.Committed(), ledger.AddressOf(pub)) > 0
}

// Epoch implements ingest.Epochs: the reward epoch running on chain.
func (v ChainView) Epoch(int64) uint64 { return reward.CurrentEpoch(v.App.Committed()).Number }

// SegmentCommitter sends ingest's segment commitments to the chain as
// proof/commit-segment transactions signed by the ingest operator key,
// through the node's RPC. One commitment is in flight at a time, so that
// sequences never collide; a segment the chain already holds counts as
// committed, which makes retries after a crash harmless.
type SegmentCommitter struct {
	RPC *client.Client
	Key sig.PrivateKey
	App *app.App
	mu  sync.Mutex
}

// Commit implements ingest.Committer.
func (c *SegmentCommitter) Commit(ctx context.Context, cm ingest.Commitment) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg, err := proto.Marshal(&proofv1.MsgCommitSegment{Epoch: cm.Epoch, Hash: cm.Hash[:], MerkleRoot: cm.MerkleRoot[:], Count: cm.Count})
	if err != nil {
		return fmt.Errorf("node: commit segment: %w", err)
	}
	fee := params.Get(c.App.Committed(), bank.MinFee)
	_, err = c.RPC.SignAndSend(ctx, c.Key, client.Tx{Msgs: []*txv1.Msg{{Type: proof.TypeCommitSegment, Value: msg}}, Fee: fee})
	var te *client.TxError
	if errors.As(err, &te) && te.Code == proof.CodeSegmentExists {
		return nil
	}
	if err != nil {
		return fmt.Errorf("node: commit segment %x: %w", cm.Hash[:8], err)
	}
	return nil
}
