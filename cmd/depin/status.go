package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/client"
)

// nodeStatus is what `depin status` prints; 64-bit numbers are strings in
// JSON, as CometBFT's own RPC writes them.
type nodeStatus struct {
	Node              string `json:"node"`
	ChainID           string `json:"chain_id"`
	Moniker           string `json:"moniker"`
	NodeID            string `json:"node_id"`
	Version           string `json:"version"`
	Height            int64  `json:"latest_block_height,string"`
	BlockTime         string `json:"latest_block_time"`
	AppHash           string `json:"latest_app_hash"`
	CatchingUp        bool   `json:"catching_up"`
	EarliestHeight    int64  `json:"earliest_block_height,string"`
	ValidatorAddress  string `json:"validator_address"`
	ValidatorPower    int64  `json:"validator_voting_power,string"`
	ValidatorIsActive bool   `json:"validator_active"`
}

func statusCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "status",
		Short: "Show a node's chain, height, whether it is catching up, and its validator",
		Args:  cobra.NoArgs,
		RunE:  runStatus,
	}
	c.Flags().String("node", client.DefaultNode, "CometBFT RPC address of the node")
	return c
}

func runStatus(cmd *cobra.Command, _ []string) error {
	addr, _ := cmd.Flags().GetString("node")
	c, err := client.New(addr)
	if err != nil {
		return err
	}
	rc, err := rpchttp.New(c.URL(), "/websocket")
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	st, err := rc.Status(cmd.Context())
	if err != nil {
		return fmt.Errorf("status: no node answers at %s (start one with depin start or depin devnet, or pass --node): %w", c.URL(), err)
	}
	s := nodeStatus{
		Node: c.URL(), ChainID: st.NodeInfo.Network, Moniker: st.NodeInfo.Moniker, NodeID: string(st.NodeInfo.DefaultNodeID),
		Version: st.NodeInfo.Version, Height: st.SyncInfo.LatestBlockHeight, AppHash: st.SyncInfo.LatestAppHash.String(),
		BlockTime: st.SyncInfo.LatestBlockTime.UTC().Format("2006-01-02T15:04:05.000Z"), CatchingUp: st.SyncInfo.CatchingUp,
		EarliestHeight: st.SyncInfo.EarliestBlockHeight, ValidatorAddress: st.ValidatorInfo.Address.String(),
		ValidatorPower: st.ValidatorInfo.VotingPower, ValidatorIsActive: st.ValidatorInfo.VotingPower > 0,
	}
	w := cmd.OutOrStdout()
	if outputJSON(cmd) {
		return json.NewEncoder(w).Encode(s)
	}
	role := "not a validator"
	if s.ValidatorIsActive {
		role = "validator, voting power " + strconv.FormatInt(s.ValidatorPower, 10)
	}
	_, err = fmt.Fprintf(w, "node:        %s (%s, %s)\nchain:       %s\nheight:      %d at %s\napp hash:    %s\ncatching up: %t\nvalidator:   %s (%s)\n",
		s.Node, s.Moniker, s.NodeID, s.ChainID, s.Height, s.BlockTime, s.AppHash, s.CatchingUp, s.ValidatorAddress, role)
	return err
}
