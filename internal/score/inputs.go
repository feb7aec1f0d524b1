package score

import (
	"time"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// The governed inputs of an epoch come from its record on chain, written
// at its end block: the oracle and replay read them here and nowhere else,
// so every oracle scores an epoch with the same values however late it
// scores it and whatever its own config says.

// KindParams returns a kind's params and scorer version as the epoch
// recorded them. An epoch that ended without recording them (a chain from
// before they were recorded) is a CodeBundleMismatch error: scoring it
// with today's values could disagree with another oracle.
func KindParams(info EpochInfo, k kind.Kind) (kind.Params, uint32, error) {
	specs := k.Specs()
	p := make(kind.Params, len(specs))
	for i, s := range specs {
		v, ok := info.Param(s.Name)
		if !ok {
			return nil, 0, missing(info, s.Name)
		}
		p[i] = kind.Param{Name: s.Name, Value: v}
	}
	v, ok := info.Param(kind.ScorerVersionName(k))
	if !ok {
		return nil, 0, missing(info, kind.ScorerVersionName(k))
	}
	if err := kind.CheckScorerVersion(k, v); err != nil {
		return nil, 0, ledger.Errorf(CodeUnknownScorer, "epoch %d: %v", info.Number, err)
	}
	if err := kind.Validate(k, p); err != nil {
		return nil, 0, ledger.Errorf(CodeBundleMismatch, "epoch %d: recorded params: %v", info.Number, err)
	}
	return p, uint32(v), nil
}

// WindowSlack returns the receive-time slack the epoch recorded.
func WindowSlack(info EpochInfo) (time.Duration, error) {
	v, ok := info.Param(reward.WindowSlackMs.Name)
	if !ok {
		return 0, missing(info, reward.WindowSlackMs.Name)
	}
	return time.Duration(v) * time.Millisecond, nil
}

// Window returns the epoch's receive window [start, end) in Unix
// nanoseconds: the block times of its first and last heights the chain
// recorded, widened on both sides by the recorded slack.
func Window(info EpochInfo) (start, end int64, err error) {
	slack, err := WindowSlack(info)
	if err != nil {
		return 0, 0, err
	}
	if info.StartTime == 0 || info.EndTime == 0 {
		return 0, 0, ledger.Errorf(CodeBundleMismatch, "epoch %d recorded no block times (it started before the chain recorded them)", info.Number)
	}
	return info.StartTime - int64(slack), info.EndTime + int64(slack) + 1, nil
}

func missing(info EpochInfo, name string) error {
	if !info.Ended {
		return ledger.Errorf(CodeBundleMismatch, "epoch %d has not ended: its params are not recorded yet", info.Number)
	}
	return ledger.Errorf(CodeBundleMismatch, "epoch %d recorded no value of %s (it ended before the chain recorded its params)", info.Number, name)
}
