package score

import "github.com/depin-network/depin/internal/ledger"

// Result codes of scoring and replay (the oracle range is 200-219; 200 is
// segment.CodeMismatch). Appended, never renumbered.
const (
	// CodeBundleMismatch: an inputs bundle does not match the chain (its
	// hash, epoch, emission, pools or segment list).
	CodeBundleMismatch ledger.Code = 201
	// CodeUnknownScorer: no scorer of the version recorded for the epoch.
	CodeUnknownScorer ledger.Code = 202
	// CodeScorerMismatch: the bundle, manifest or scorer name a scorer
	// version other than the one recorded on chain.
	CodeScorerMismatch ledger.Code = 203
	// CodePriorMismatch: the prior manifest does not match the root settled
	// on chain for the previous epoch.
	CodePriorMismatch ledger.Code = 204
	// CodeEpochNotSettled: the chain has no settled root for the epoch.
	CodeEpochNotSettled ledger.Code = 205
)

func init() {
	ledger.RegisterCode(CodeBundleMismatch, "bundle_mismatch")
	ledger.RegisterCode(CodeUnknownScorer, "unknown_scorer")
	ledger.RegisterCode(CodeScorerMismatch, "scorer_mismatch")
	ledger.RegisterCode(CodePriorMismatch, "prior_mismatch")
	ledger.RegisterCode(CodeEpochNotSettled, "epoch_not_settled")
}
