package chain

import (
	"slices"
	"strings"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/kind/mobile"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// kinds is the chain's one list of network kinds, one line per kind.
var kinds = kind.NewRegistry(
	coverage.Kind{},
	energy.Kind{},
	sensor.Kind{},
	mobile.Kind{},
)

// Kinds returns the chain's network kinds: the app reads their params and
// device attribute checks, ingest their report checks and the oracle
// their scorers.
func Kinds() *kind.Registry { return kinds }

// withKinds gives each kind a module holding its params and their
// cross-field check: the scorers run off chain in the oracles, but their
// params live on chain so governance tunes them. A kind with an on-chain
// module of its own name (compute, energy) adds its params to that module
// instead, and both checks run.
func withKinds(mods []app.Module, r *kind.Registry) []app.Module {
	for _, k := range r.Kinds() {
		i := slices.IndexFunc(mods, func(m app.Module) bool { return m.Name == k.Name() })
		specs := append(slices.Clone(k.Specs()), kind.ScorerVersionSpec(k))
		if i < 0 {
			mods = append(mods, app.Module{Name: k.Name(), Specs: specs, CheckParams: paramsCheck(k)})
			continue
		}
		m := &mods[i]
		m.Specs = append(slices.Clip(m.Specs), specs...)
		m.CheckParams = bothChecks(m.CheckParams, paramsCheck(k))
	}
	return mods
}

// bothChecks runs a module's params check, then a kind's.
func bothChecks(a, b params.Check) params.Check {
	if a == nil {
		return b
	}
	return func(get params.Lookup) *ledger.Error {
		if e := a(get); e != nil {
			return e
		}
		return b(get)
	}
}

// paramsCheck runs a kind's CheckParams over the values being set.
func paramsCheck(k kind.Kind) params.Check {
	return func(get params.Lookup) *ledger.Error {
		err := k.CheckParams(kind.Lookup(k.Specs(), get))
		if err == nil {
			err = kind.CheckScorerVersion(k, get(kind.ScorerVersionSpec(k)))
		}
		if err != nil {
			return ledger.Errorf(ledger.CodeParamsInconsistent, "%s", strings.TrimSuffix(err.Error(), ": "+kind.ErrInvalid.Error()))
		}
		return nil
	}
}

// epochParams are the governed values each epoch records as it ends
// (reward.EndBlockWithParams): every kind's params and scorer version.
// The oracles score the epoch with them (docs/proof-of-coverage.md, "Why
// oracles agree").
func epochParams(r *kind.Registry) []params.Spec {
	var out []params.Spec
	for _, k := range r.Kinds() {
		out = append(append(out, k.Specs()...), kind.ScorerVersionSpec(k))
	}
	return out
}
