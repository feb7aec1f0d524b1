package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/stake"
)

// newQueryStakeCmds builds the commands of this file; the root command adds them.
func newQueryStakeCmds() []*cobra.Command {
	stakeQ := &cobra.Command{Use: "stake", Short: "Query validators, delegations and rewards"}
	stakeQ.AddCommand(
		&cobra.Command{Use: "validators", Short: "List validators: the active set by power, then the others", Args: cobra.NoArgs, RunE: runQueryValidators},
		&cobra.Command{Use: "validator OPERATOR", Short: "Show one validator (operator address or key name)", Args: cobra.ExactArgs(1), RunE: runQueryValidator},
		&cobra.Command{Use: "delegations ADDRESS", Short: "Show an account's delegations and unbonding entries", Args: cobra.ExactArgs(1), RunE: runQueryDelegations},
		&cobra.Command{Use: "rewards ADDRESS", Short: "Show the rewards (and commission) an account can withdraw", Args: cobra.ExactArgs(1), RunE: runQueryRewards},
	)
	govQ := &cobra.Command{Use: "gov", Short: "Query proposals, votes and tallies"}
	props := &cobra.Command{Use: "proposals", Short: "List proposals by id", Args: cobra.NoArgs, RunE: runQueryProposals}
	props.Flags().Uint64("after", 0, "list proposals with a larger id")
	props.Flags().Int("limit", 100, "most proposals to list")
	govQ.AddCommand(props,
		&cobra.Command{Use: "proposal ID", Short: "Show a proposal", Args: cobra.ExactArgs(1), RunE: runQueryProposal},
		&cobra.Command{Use: "tally ID", Short: "Show a proposal's tally (running during voting, final after) and its votes", Args: cobra.ExactArgs(1), RunE: runQueryTally},
	)
	return []*cobra.Command{stakeQ, govQ}
}

func printValidator(w *tabwriter.Writer, v *stake.ValidatorView) {
	fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", v.Operator, v.Status, v.Power, v.Tokens, v.SelfBond,
		strconv.FormatFloat(float64(v.CommissionBps)/100, 'f', 2, 64)+"%", v.Moniker)
}

func runQueryValidators(cmd *cobra.Command, _ []string) error {
	return runQuery(cmd, "/stake/validators", func(w *tabwriter.Writer, vs *stake.ValidatorsView) {
		fmt.Fprintf(w, "OPERATOR\tSTATUS\tPOWER\tTOKENS\tSELF-BOND\tCOMMISSION\tMONIKER\n")
		for i := range vs.Validators {
			printValidator(w, &vs.Validators[i])
		}
		fmt.Fprintf(w, "bonded power:\t%d\n", vs.BondedPower)
	})
}

func runQueryValidator(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/stake/validators/"+a.String(), func(w *tabwriter.Writer, v *stake.ValidatorView) {
		fmt.Fprintf(w, "operator:\t%s\nconsensus key:\t%s\nconsensus address:\t%s\nstatus:\t%s\npower:\t%d\n", v.Operator, v.ConsensusPubKey, v.ConsensusAddress, v.Status, v.Power)
		fmt.Fprintf(w, "tokens:\t%dupin\nself-bond:\t%dupin\ncommission:\t%d bps (max %d, max change %d)\n", v.Tokens, v.SelfBond, v.CommissionBps, v.MaxCommissionBps, v.MaxChangeBps)
		fmt.Fprintf(w, "accumulated commission:\t%dupin\noutstanding rewards:\t%dupin\nmissed in window:\t%d\n", v.Commission, v.Outstanding, v.Missed)
		if v.Jailed {
			fmt.Fprintf(w, "jailed until:\t%d\ttombstoned: %v\n", v.JailedUntil, v.Tombstoned)
		}
	})
}

func runQueryDelegations(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/stake/delegations/"+a.String(), func(w *tabwriter.Writer, d *stake.DelegationsView) {
		fmt.Fprintf(w, "VALIDATOR\tTOKENS\tSHARES\tPENDING REWARDS\n")
		for _, e := range d.Delegations {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\n", e.Validator, e.Tokens, e.Shares, e.Rewards)
		}
		fmt.Fprintf(w, "total:\t%d\n", d.Total)
		if len(d.Unbonding) > 0 {
			fmt.Fprintf(w, "\nUNBONDING FROM\tBALANCE\tINITIAL\tCOMPLETES (unix ns)\n")
			for _, u := range d.Unbonding {
				fmt.Fprintf(w, "%s\t%d\t%d\t%d\n", u.Validator, u.Balance, u.Initial, u.CompletionTime)
			}
		}
	})
}

func runQueryRewards(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, "/stake/rewards/"+a.String(), func(w *tabwriter.Writer, r *stake.RewardsView) {
		fmt.Fprintf(w, "VALIDATOR\tREWARDS\n")
		for _, e := range r.Rewards {
			fmt.Fprintf(w, "%s\t%d\n", e.Validator, e.Rewards)
		}
		if r.Commission > 0 {
			fmt.Fprintf(w, "commission:\t%d\n", r.Commission)
		}
		fmt.Fprintf(w, "total:\t%d\n", r.Total)
	})
}

func runQueryProposals(cmd *cobra.Command, _ []string) error {
	after, _ := cmd.Flags().GetUint64("after")
	limit, _ := cmd.Flags().GetInt("limit")
	path := fmt.Sprintf("/gov/proposals?after=%d&limit=%d", after, limit)
	return runQuery(cmd, path, func(w *tabwriter.Writer, ps *gov.ProposalsView) {
		fmt.Fprintf(w, "ID\tSTATUS\tDEPOSIT\tVOTING ENDS (unix ns)\tTITLE\n")
		for _, p := range ps.Proposals {
			fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\n", p.ID, p.Status, p.TotalDeposit, p.VotingEndTime, p.Title)
		}
	})
}

func runQueryProposal(cmd *cobra.Command, args []string) error {
	id, err := parseProposalID(args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, fmt.Sprintf("/gov/proposals/%d", id), func(w *tabwriter.Writer, p *gov.ProposalView) {
		fmt.Fprintf(w, "id:\t%d\ntitle:\t%s\nstatus:\t%s\nproposer:\t%s\ndeposit:\t%dupin\n", p.ID, p.Title, p.Status, p.Proposer, p.TotalDeposit)
		fmt.Fprintf(w, "deposit ends:\t%d\nvoting:\t%d .. %d\n", p.DepositEndTime, p.VotingStartTime, p.VotingEndTime)
		for i, a := range p.Actions {
			fmt.Fprintf(w, "action %d:\t%s\n", i, a.Type)
		}
		if p.FinalTally != nil {
			t := p.FinalTally
			fmt.Fprintf(w, "final tally:\tyes %d  no %d  abstain %d  veto %d  of %d bonded\n", t.Yes, t.No, t.Abstain, t.NoWithVeto, t.Bonded)
		}
		if p.FailedReason != "" {
			fmt.Fprintf(w, "reason:\t%s\n", p.FailedReason)
		}
	})
}

func runQueryTally(cmd *cobra.Command, args []string) error {
	id, err := parseProposalID(args[0])
	if err != nil {
		return err
	}
	return runQuery(cmd, fmt.Sprintf("/gov/proposals/%d/tally", id), func(w *tabwriter.Writer, t *gov.TallyNow) {
		fmt.Fprintf(w, "final:\t%v\nyes:\t%d\nno:\t%d\nabstain:\t%d\nno_with_veto:\t%d\nbonded:\t%d\n", t.Final, t.Tally.Yes, t.Tally.No, t.Tally.Abstain, t.Tally.NoWithVeto, t.Tally.Bonded)
		for _, v := range t.Votes {
			fmt.Fprintf(w, "vote:\t%s\t%s\n", v.Voter, v.Option)
		}
	})
}
