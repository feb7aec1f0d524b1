package chain

import (
	"strings"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// kinds is the chain's one list of network kinds, one line per kind.
var kinds = kind.NewRegistry(
	coverage.Kind{},
	energy.Kind{},
	sensor.Kind{},
)

// Kinds returns the chain's network kinds: the app reads their params and
// device attribute checks, ingest their report checks and the oracle
// their scorers.
func Kinds() *kind.Registry { return kinds }

// kindModules gives each kind a module holding its params and their
// cross-field check: the scorers run off chain in the oracles, but their
// params live on chain so governance tunes them.
func kindModules(r *kind.Registry) []app.Module {
	var out []app.Module
	for _, k := range r.Kinds() {
		out = append(out, app.Module{Name: k.Name(), Specs: k.Specs(), CheckParams: paramsCheck(k)})
	}
	return out
}

// paramsCheck runs a kind's CheckParams over the values being set.
func paramsCheck(k kind.Kind) params.Check {
	return func(get params.Lookup) *ledger.Error {
		if err := k.CheckParams(kind.Lookup(k.Specs(), get)); err != nil {
			return ledger.Errorf(ledger.CodeParamsInconsistent, "%s", strings.TrimSuffix(err.Error(), ": "+kind.ErrInvalid.Error()))
		}
		return nil
	}
}
