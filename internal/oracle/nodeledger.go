package oracle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// State is committed chain state, as *app.App provides it.
type State interface {
	Committed() ledger.Store
	LastCommit() (height int64, appHash []byte)
}

// NodeLedger is the Ledger of an oracle running inside a node: it reads
// committed state in process with the reward, proof and device modules'
// read functions, and sends transactions and reads block times over the
// node's RPC.
type NodeLedger struct {
	State State
	// Client is the node's RPC client.
	Client *client.Client
	// Key signs the oracle's submissions (and claims sent through Claim
	// with no other key).
	Key sig.PrivateKey
	// Fee is the fee of each transaction, in base units.
	Fee uint64
	// BlockTime returns a block's time in Unix nanoseconds; nil reads it
	// from the RPC /header endpoint.
	BlockTime func(ctx context.Context, height int64) (int64, error)
}

// Epoch implements Chain.
func (l *NodeLedger) Epoch(_ context.Context, n uint64) (score.EpochInfo, error) {
	ep, ok := reward.GetEpoch(l.State.Committed(), n)
	if !ok {
		return score.EpochInfo{}, fmt.Errorf("oracle: epoch %d: %w", n, score.ErrNotFound)
	}
	return score.EpochFromRecord(ep), nil
}

// Segments implements Chain.
func (l *NodeLedger) Segments(_ context.Context, n uint64) ([]segment.Ref, error) {
	st := l.State.Committed()
	var out []segment.Ref
	for from, more := uint64(0), true; more; {
		var segs []*proofv1.Segment
		segs, from, more = proof.Segments(st, n, from, 1000)
		for _, s := range segs {
			var ref segment.Ref
			if len(s.Hash) != 32 || len(s.MerkleRoot) != 32 {
				return nil, fmt.Errorf("oracle: segments of epoch %d: stored segment has a malformed hash", n)
			}
			copy(ref.Hash[:], s.Hash)
			copy(ref.MerkleRoot[:], s.MerkleRoot)
			ref.Count = s.Count
			out = append(out, ref)
		}
	}
	return out, nil
}

// Settlement implements Chain.
func (l *NodeLedger) Settlement(_ context.Context, n uint64) (score.Settlement, error) {
	set, ok := reward.GetSettlement(l.State.Committed(), n)
	if !ok {
		return score.Settlement{}, fmt.Errorf("oracle: settlement of epoch %d: %w", n, score.ErrNotFound)
	}
	out, err := score.SettlementFromRecord(set)
	if err != nil {
		return score.Settlement{}, fmt.Errorf("oracle: %w", err)
	}
	return out, nil
}

// Height implements Ledger.
func (l *NodeLedger) Height(context.Context) (int64, error) {
	h, _ := l.State.LastCommit()
	return h, nil
}

// GraceBlocks implements Ledger.
func (l *NodeLedger) GraceBlocks(context.Context) (int64, error) {
	return int64(params.Get(l.State.Committed(), reward.SegmentGraceBlocks)), nil
}

// Block implements Ledger: the entropy the proof module recorded at the
// height, and the block's time.
func (l *NodeLedger) Block(ctx context.Context, height int64) (Block, error) {
	e, ok := proof.Entropy(l.State.Committed(), height)
	if !ok {
		return Block{}, fmt.Errorf("oracle: entropy of block %d: %w", height, score.ErrNotFound)
	}
	bt := l.BlockTime
	if bt == nil {
		bt = l.rpcBlockTime
	}
	t, err := bt(ctx, height)
	if err != nil {
		return Block{}, err
	}
	return Block{Height: height, Hash: e, Time: t}, nil
}

// rpcBlockTime reads a block's time from CometBFT's /header endpoint.
func (l *NodeLedger) rpcBlockTime(ctx context.Context, height int64) (int64, error) {
	u := l.Client.URL() + "/header?height=" + strconv.FormatInt(height, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("oracle: block time %d: %w", height, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("oracle: block time %d: %w", height, err)
	}
	var r struct {
		Result struct {
			Header struct {
				Time time.Time `json:"time"`
			} `json:"header"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Result.Header.Time.IsZero() {
		return 0, fmt.Errorf("oracle: block time %d: unexpected response %.200q", height, body)
	}
	return r.Result.Header.Time.UnixNano(), nil
}

// Devices implements Ledger: the devices of a kind active at the end of
// height, as the registry recorded them then (device.DevicesAt).
func (l *NodeLedger) Devices(_ context.Context, name string, height int64) ([]kind.Device, error) {
	var out []kind.Device
	var bad error
	device.DevicesAt(l.State.Committed(), name, height, func(d *devicev1.Device, denied bool) bool {
		id, err1 := ledger.AddressFromBytes(d.Id)
		owner, err2 := ledger.AddressFromBytes(d.Owner)
		if err := errors.Join(err1, err2); err != nil {
			bad = fmt.Errorf("oracle: devices: device %x: %w", d.Id, err)
			return false
		}
		kd := kind.Device{ID: id, Owner: owner, Denied: denied}
		if loc := d.Location; loc != nil {
			kd.Cell, kd.Attributes = loc.Cell, loc.Attributes
		}
		out = append(out, kd)
		return true
	})
	return out, bad
}

// NextToSettle implements Ledger.
func (l *NodeLedger) NextToSettle(context.Context) (uint64, error) {
	return reward.NextToSettle(l.State.Committed()), nil
}

// SubmitRoot implements Ledger with MsgSubmitRoot signed by Key. A
// duplicate submission, or one for an epoch already settled, is not an
// error.
func (l *NodeLedger) SubmitRoot(ctx context.Context, s Submission) error {
	m := &rewardv1.MsgSubmitRoot{Epoch: s.Epoch, Root: s.Root[:], ScorerVersion: s.ScorerVersion, DeviceTotal: s.DeviceTotal, InputsHash: s.InputsHash[:], StateHash: s.StateHash[:]}
	for _, p := range s.Pools {
		m.Pools = append(m.Pools, &rewardv1.PoolPaid{Name: p.Name, Paid: p.Paid})
	}
	err := l.send(ctx, l.Key, reward.TypeSubmitRoot, m)
	var te *client.TxError
	if errors.As(err, &te) && (te.Code == reward.CodeDuplicateSubmission || te.Code == reward.CodeEpochSettled) {
		return nil
	}
	return err
}

// Claim sends MsgClaim for a proof, signed by from (anyone may claim; the
// device's owner is paid).
func (l *NodeLedger) Claim(ctx context.Context, from sig.PrivateKey, p replay.ClaimProof) error {
	dev, err := ledger.ParseAddress(p.Device)
	if err != nil {
		return fmt.Errorf("oracle: claim: %w", err)
	}
	return l.send(ctx, from, reward.TypeClaim, ClaimMsg(dev, p))
}

// ClaimMsg builds MsgClaim from a proof served by an oracle.
func ClaimMsg(dev ledger.Address, p replay.ClaimProof) *rewardv1.MsgClaim {
	m := &rewardv1.MsgClaim{Device: dev[:], Cumulative: p.Cumulative, Index: p.Index, Size: p.Size}
	for _, h := range p.Path {
		if v, err := parseHash(h); err == nil {
			m.Path = append(m.Path, v[:])
		} else {
			m.Path = append(m.Path, nil) // rejected on chain as malformed
		}
	}
	return m
}

func (l *NodeLedger) send(ctx context.Context, key sig.PrivateKey, typ string, m proto.Message) error {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return fmt.Errorf("oracle: send %s: %w", typ, err)
	}
	if _, err := l.Client.SignAndSend(ctx, key, client.Tx{Msgs: []*txv1.Msg{{Type: typ, Value: b}}, Fee: l.Fee}); err != nil {
		return fmt.Errorf("oracle: send %s: %w", typ, err)
	}
	return nil
}
