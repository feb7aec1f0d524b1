package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// RPCChain reads the Chain over a node's RPC with ABCI queries, for replay
// from anywhere. It expects these query paths, each answering protojson:
//
//	/rewards/epochs/{n}              a depin.reward.v1.Epoch
//	/rewards/epochs/{n}/settlement   a depin.reward.v1.Settlement
//	/proof/epochs/{n}/segments       {"segments": [depin.proof.v1.Segment, ...]} in commit order
//
// A not_found query code reads as ErrNotFound.
type RPCChain struct {
	Client *client.Client
}

func (c *RPCChain) query(ctx context.Context, path string) ([]byte, error) {
	b, err := c.Client.ABCIQuery(ctx, path)
	var qe *client.QueryError
	if errors.As(err, &qe) && qe.Code == query.CodeNotFound {
		return nil, fmt.Errorf("replay: query %s: %w: %s", path, score.ErrNotFound, qe.Msg)
	}
	if errors.As(err, &qe) && qe.Code == query.CodeUnknownPath {
		return nil, fmt.Errorf("replay: query %s: the node does not serve reward queries: %w", path, err)
	}
	return b, err
}

var pj = protojson.UnmarshalOptions{DiscardUnknown: true}

// Epoch implements Chain.
func (c *RPCChain) Epoch(ctx context.Context, n uint64) (score.EpochInfo, error) {
	b, err := c.query(ctx, "/rewards/epochs/"+strconv.FormatUint(n, 10))
	if err != nil {
		return score.EpochInfo{}, err
	}
	var ep rewardv1.Epoch
	if err := pj.Unmarshal(b, &ep); err != nil {
		return score.EpochInfo{}, fmt.Errorf("replay: epoch %d: decode: %w", n, err)
	}
	return score.EpochFromRecord(&ep), nil
}

// Settlement implements Chain.
func (c *RPCChain) Settlement(ctx context.Context, n uint64) (score.Settlement, error) {
	b, err := c.query(ctx, "/rewards/epochs/"+strconv.FormatUint(n, 10)+"/settlement")
	if err != nil {
		return score.Settlement{}, err
	}
	var set rewardv1.Settlement
	if err := pj.Unmarshal(b, &set); err != nil {
		return score.Settlement{}, fmt.Errorf("replay: settlement %d: decode: %w", n, err)
	}
	out, err := score.SettlementFromRecord(&set)
	if err != nil {
		return score.Settlement{}, fmt.Errorf("replay: %w", err)
	}
	return out, nil
}

// Segments implements Chain.
func (c *RPCChain) Segments(ctx context.Context, n uint64) ([]segment.Ref, error) {
	b, err := c.query(ctx, "/proof/epochs/"+strconv.FormatUint(n, 10)+"/segments")
	if err != nil {
		return nil, err
	}
	var list struct {
		Segments []json.RawMessage `json:"segments"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("replay: segments of epoch %d: decode: %w", n, err)
	}
	out := make([]segment.Ref, 0, len(list.Segments))
	for i, raw := range list.Segments {
		var s proofv1.Segment
		if err := pj.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("replay: segments of epoch %d: segment %d: %w", n, i, err)
		}
		if len(s.Hash) != 32 || len(s.MerkleRoot) != 32 {
			return nil, fmt.Errorf("replay: segments of epoch %d: segment %d has a malformed hash", n, i)
		}
		var ref segment.Ref
		copy(ref.Hash[:], s.Hash)
		copy(ref.MerkleRoot[:], s.MerkleRoot)
		ref.Count = s.Count
		out = append(out, ref)
	}
	return out, nil
}
