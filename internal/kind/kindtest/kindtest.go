package kindtest

import (
	"fmt"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/params"
)

// Plain is a kind with no params, no attributes and no report types: its
// devices register and assert locations, and its scorer pays nothing.
type Plain string

var _ kind.Kind = Plain("")

// Name implements kind.Kind.
func (p Plain) Name() string { return string(p) }

// Specs implements kind.Kind.
func (Plain) Specs() []params.Spec { return nil }

// CheckParams implements kind.Kind.
func (Plain) CheckParams(kind.Params) error { return nil }

// CheckAttributes implements kind.Kind: there are none.
func (p Plain) CheckAttributes(_ kind.Params, attrs []byte) error {
	if len(attrs) > 0 {
		return fmt.Errorf("%s devices have no attributes: %w", p, kind.ErrInvalid)
	}
	return nil
}

// ReportTypes implements kind.Kind.
func (Plain) ReportTypes() []string { return nil }

// CheckReport implements kind.Kind: no report is valid.
func (p Plain) CheckReport(typ string, _, _ []byte) error {
	return fmt.Errorf("%s has no report type %q: %w", p, typ, kind.ErrInvalid)
}

// Scorer implements kind.Kind.
func (Plain) Scorer(v uint32) (kind.Scorer, bool) {
	if v != 1 {
		return nil, false
	}
	return kind.ScoreFunc(func(in kind.Input) (kind.Output, error) {
		return kind.Output{ScorerVersion: 1, Unscored: uint64(len(in.Reports))}, nil
	}), true
}

// ScorerVersions implements kind.Kind.
func (Plain) ScorerVersions() []uint32 { return []uint32{1} }

// Registry lists coverage, energy and the Plain kinds archive, sensor and
// compute. No kind is named "storage": that is the storage module's name.
func Registry() *kind.Registry {
	return kind.NewRegistry(coverage.Kind{}, Plain("archive"), Plain("sensor"), energy.Kind{}, Plain("compute"))
}
