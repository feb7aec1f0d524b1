package proof

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the proof module, changeable by the params authority.
var (
	// EntropyWindow is how many recent heights keep their entropy. Helium
	// accepts reports within 180 s of their entropy (helium/oracles
	// iot_verifier/src/entropy.rs ENTROPY_LIFESPAN); 1024 blocks of 200 ms
	// cover that with room to spare.
	EntropyWindow = params.Spec{Name: "proof.entropy_window", Default: 1024, Min: 16, Max: 1_000_000, Unit: "blocks",
		Doc: "recent heights whose entropy stays on chain"}
	// MaxSegmentsPerEpoch bounds the state one epoch's commitments take.
	MaxSegmentsPerEpoch = params.Spec{Name: "proof.max_segments_per_epoch", Default: 100_000, Min: 1, Max: 10_000_000, Unit: "segments",
		Doc: "most segments committed for one epoch"}
	// MaxSegmentReports bounds a segment's report count.
	MaxSegmentReports = params.Spec{Name: "proof.max_segment_reports", Default: 10_000_000, Min: 1, Max: 1_000_000_000_000, Unit: "reports",
		Doc: "most reports in one segment"}
	// MaxOperators bounds the ingest operator set.
	MaxOperators = params.Spec{Name: "proof.max_operators", Default: 16, Min: 1, Max: 256, Unit: "operators",
		Doc: "most registered ingest operators"}
)

// Specs lists the proof module's parameters.
func Specs() []params.Spec {
	return []params.Spec{EntropyWindow, MaxSegmentsPerEpoch, MaxSegmentReports, MaxOperators}
}

// Result codes of the proof module (the proof range is 70-79).
const (
	CodeNotOperator       ledger.Code = 70 // the signer is not a registered ingest operator
	CodeOperatorExists    ledger.Code = 71 // the operator is registered already
	CodeUnknownOperator   ledger.Code = 72 // no operator with that address
	CodeSegmentWindow     ledger.Code = 73 // the epoch takes no segments now
	CodeSegmentExists     ledger.Code = 74 // the segment hash is committed already
	CodeOperatorSetFull   ledger.Code = 75 // the operator set has max_operators members
	CodeSegmentLimitEpoch ledger.Code = 76 // the epoch has max_segments_per_epoch segments
)

func init() {
	ledger.RegisterCode(CodeNotOperator, "not_operator")
	ledger.RegisterCode(CodeOperatorExists, "operator_exists")
	ledger.RegisterCode(CodeUnknownOperator, "unknown_operator")
	ledger.RegisterCode(CodeSegmentWindow, "segment_window_closed")
	ledger.RegisterCode(CodeSegmentExists, "segment_exists")
	ledger.RegisterCode(CodeOperatorSetFull, "operator_set_full")
	ledger.RegisterCode(CodeSegmentLimitEpoch, "epoch_segment_limit")
}
