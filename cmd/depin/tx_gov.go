package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxGovCmds builds the commands of this file; the root command adds them.
func newTxGovCmds() []*cobra.Command {
	govCmd := &cobra.Command{Use: "gov", Short: "Submit proposals, deposit on them and vote"}
	submit := &cobra.Command{
		Use:   "submit-proposal FROM PROPOSAL.json --deposit AMOUNT",
		Short: "Submit a proposal described by a JSON file",
		Long: `submit-proposal reads a proposal file:

  {
    "title": "Raise the minimum fee",
    "summary": "Why, in a few lines.",
    "params": {"bank.min_fee": 2000},
    "spend": [{"to": "pin1...", "amount": "5pin"}],
    "set_oracles": [{"address": "pin1...", "weight": 1}],
    "remove_oracles": ["pin1..."],
    "add_operators": ["pin1..."],
    "remove_operators": ["pin1..."],
    "actions": [{"type": "market/set-auditor", "value_hex": "0a14..."}]
  }

Every field but the title is optional; a proposal with none of the others is a text
proposal. A passed proposal runs its actions in this order with the governance module as
signer (which must be the params authority for parameter, oracle and operator changes).`,
		Example: "  depin tx gov submit-proposal alice proposal.json --deposit 1000pin",
		Args:    cobra.ExactArgs(2),
		RunE:    runSubmitProposal,
	}
	submit.Flags().String("deposit", "", "initial deposit, e.g. 10pin")
	deposit := &cobra.Command{
		Use:     "deposit FROM PROPOSAL_ID AMOUNT",
		Short:   "Add to a proposal's deposit during its deposit period",
		Example: "  depin tx gov deposit bob 3 5pin",
		Args:    cobra.ExactArgs(3),
		RunE:    runGovDeposit,
	}
	vote := &cobra.Command{
		Use:     "vote FROM PROPOSAL_ID yes|no|abstain|no_with_veto",
		Short:   "Vote on a proposal in its voting period (a later vote replaces an earlier one)",
		Example: "  depin tx gov vote bob 3 yes",
		Args:    cobra.ExactArgs(3),
		RunE:    runGovVote,
	}
	govCmd.AddCommand(submit, deposit, vote)
	return []*cobra.Command{govCmd}
}

// ProposalFile is the JSON a proposal is written in.
type ProposalFile struct {
	Title   string            `json:"title"`
	Summary string            `json:"summary"`
	Params  map[string]uint64 `json:"params"`
	Spend   []struct {
		To     string `json:"to"`
		Amount string `json:"amount"`
	} `json:"spend"`
	SetOracles []struct {
		Address string `json:"address"`
		Weight  uint64 `json:"weight"`
	} `json:"set_oracles"`
	RemoveOracles   []string `json:"remove_oracles"`
	AddOperators    []string `json:"add_operators"`
	RemoveOperators []string `json:"remove_operators"`
	Actions         []struct {
		Type     string `json:"type"`
		ValueHex string `json:"value_hex"`
		ValueB64 string `json:"value_base64"`
	} `json:"actions"`
}

// buildProposal turns a proposal file into its message.
func buildProposal(b []byte, denom client.Denom) (*govv1.MsgSubmitProposal, error) {
	var f ProposalFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("proposal: %w", err)
	}
	m := &govv1.MsgSubmitProposal{Title: f.Title, Summary: f.Summary}
	add := func(typ string, msg proto.Message) error {
		v, err := proto.Marshal(msg)
		if err != nil {
			return err
		}
		m.Actions = append(m.Actions, &govv1.Action{Type: typ, Value: v})
		return nil
	}
	if len(f.Params) > 0 {
		names := make([]string, 0, len(f.Params))
		for n := range f.Params {
			names = append(names, n)
		}
		sort.Strings(names)
		ps := &paramsv1.MsgSetParams{}
		for _, n := range names {
			ps.Changes = append(ps.Changes, &paramsv1.Change{Name: n, Value: f.Params[n]})
		}
		if err := add(params.TypeSet, ps); err != nil {
			return nil, err
		}
	}
	for i, s := range f.Spend {
		to, err := ledger.ParseAddress(s.To)
		if err != nil {
			return nil, fmt.Errorf("proposal: spend %d: %w", i, err)
		}
		amt, err := denom.ParseAmount(s.Amount)
		if err != nil {
			return nil, fmt.Errorf("proposal: spend %d: %w", i, err)
		}
		if err := add(gov.TypeTreasurySpend, &govv1.MsgTreasurySpend{To: to[:], Amount: amt}); err != nil {
			return nil, err
		}
	}
	for i, o := range f.SetOracles {
		a, err := ledger.ParseAddress(o.Address)
		if err != nil {
			return nil, fmt.Errorf("proposal: set_oracles %d: %w", i, err)
		}
		if err := add(reward.TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: a[:], Weight: o.Weight}); err != nil {
			return nil, err
		}
	}
	for i, s := range f.RemoveOracles {
		a, err := ledger.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("proposal: remove_oracles %d: %w", i, err)
		}
		if err := add(reward.TypeRemoveOracle, &rewardv1.MsgRemoveOracle{Oracle: a[:]}); err != nil {
			return nil, err
		}
	}
	for i, s := range f.AddOperators {
		a, err := ledger.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("proposal: add_operators %d: %w", i, err)
		}
		if err := add(proof.TypeAddOperator, &proofv1.MsgAddOperator{Operator: a[:]}); err != nil {
			return nil, err
		}
	}
	for i, s := range f.RemoveOperators {
		a, err := ledger.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("proposal: remove_operators %d: %w", i, err)
		}
		if err := add(proof.TypeRemoveOperator, &proofv1.MsgRemoveOperator{Operator: a[:]}); err != nil {
			return nil, err
		}
	}
	for i, a := range f.Actions {
		var v []byte
		var err error
		switch {
		case a.ValueHex != "":
			v, err = hex.DecodeString(a.ValueHex)
		default:
			v, err = base64.StdEncoding.DecodeString(a.ValueB64)
		}
		if err != nil || a.Type == "" {
			return nil, fmt.Errorf("proposal: action %d: give a type and value_hex or value_base64", i)
		}
		m.Actions = append(m.Actions, &govv1.Action{Type: a.Type, Value: v})
	}
	return m, nil
}

func runSubmitProposal(cmd *cobra.Command, args []string) error {
	b, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	m, err := buildProposal(b, denom)
	if err != nil {
		return err
	}
	dep, _ := cmd.Flags().GetString("deposit")
	if dep == "" {
		return fmt.Errorf("give --deposit")
	}
	if m.Deposit, err = denom.ParseAmount(dep); err != nil {
		return fmt.Errorf("--deposit: %w", err)
	}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: gov.TypeSubmitProposal, Value: v})
}

func parseProposalID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("proposal id %q: not a positive number", s)
	}
	return id, nil
}

func runGovDeposit(cmd *cobra.Command, args []string) error {
	id, err := parseProposalID(args[1])
	if err != nil {
		return err
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	amt, err := denom.ParseAmount(args[2])
	if err != nil {
		return err
	}
	v, err := proto.Marshal(&govv1.MsgDeposit{Proposal: id, Amount: amt})
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: gov.TypeDeposit, Value: v})
}

func runGovVote(cmd *cobra.Command, args []string) error {
	id, err := parseProposalID(args[1])
	if err != nil {
		return err
	}
	o, ok := gov.ParseOption(args[2])
	if !ok {
		return fmt.Errorf("vote %q: want yes, no, abstain or no_with_veto", args[2])
	}
	return sendMsg(cmd, args[0], gov.TypeVote, &govv1.MsgVote{Proposal: id, Option: o})
}
