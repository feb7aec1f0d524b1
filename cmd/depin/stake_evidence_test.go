package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"time"

	"github.com/cometbft/cometbft/privval"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// broadcastDoubleSign signs two conflicting prevotes at height h with the
// consensus key in home (what a validator run twice does when its two
// processes see different blocks) and hands the evidence to a node's
// CometBFT, which gossips it and commits it in a block; the app then
// receives it as FinalizeBlock misbehaviour.
func broadcastDoubleSign(rpcURL, home, chainID string, h int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pv := privval.LoadFilePVEmptyState(filepath.Join(home, "config", "priv_validator_key.json"), "")
	c, err := rpchttp.New(rpcURL, "/websocket")
	if err != nil {
		return err
	}
	blk, err := c.Block(ctx, &h)
	if err != nil {
		return fmt.Errorf("block %d: %w", h, err)
	}
	var vals []*cmttypes.Validator
	for page := 1; ; page++ {
		per := 100
		r, err := c.Validators(ctx, &h, &page, &per)
		if err != nil {
			return fmt.Errorf("validators at %d: %w", h, err)
		}
		vals = append(vals, r.Validators...)
		if len(vals) >= r.Total {
			break
		}
	}
	set := cmttypes.NewValidatorSet(vals)
	addr := pv.Key.PubKey.Address()
	idx, _ := set.GetByAddress(addr)
	if idx < 0 {
		return fmt.Errorf("validator %X is not in the set at %d", addr, h)
	}
	vote := func(tag string) (*cmttypes.Vote, error) {
		hash := sha256.Sum256([]byte(tag))
		part := sha256.Sum256([]byte(tag + "/parts"))
		v := &cmttypes.Vote{Type: cmtproto.PrevoteType, Height: h, Round: 0, Timestamp: blk.Block.Time,
			BlockID:          cmttypes.BlockID{Hash: hash[:], PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: part[:]}},
			ValidatorAddress: addr, ValidatorIndex: idx}
		sig, err := pv.Key.PrivKey.Sign(cmttypes.VoteSignBytes(chainID, v.ToProto()))
		if err != nil {
			return nil, err
		}
		v.Signature = sig
		return v, nil
	}
	a, err := vote("block a")
	if err != nil {
		return err
	}
	b, err := vote("block b")
	if err != nil {
		return err
	}
	ev, err := cmttypes.NewDuplicateVoteEvidence(a, b, blk.Block.Time, set)
	if err != nil {
		return err
	}
	_, err = c.BroadcastEvidence(ctx, ev)
	return err
}
