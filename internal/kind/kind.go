package kind

import (
	"errors"

	"github.com/depin-network/depin/internal/params"
)

// ErrInvalid is wrapped by every check that refuses its input.
var ErrInvalid = errors.New("invalid")

// Kind is one network kind.
type Kind interface {
	// Name names the kind: devices record it, reports carry it, and its
	// params are prefixed with it. Lowercase letters, digits and '_'.
	Name() string
	// Specs lists the kind's parameters, each named Name()+"."+param, in a
	// fixed order.
	Specs() []params.Spec
	// CheckParams checks the rules between the kind's parameters (a target
	// at most its maximum ...); bounds of single values are the specs'.
	CheckParams(p Params) error
	// CheckAttributes checks the attributes a device of the kind asserts
	// with its location, under the current params.
	CheckAttributes(p Params, attrs []byte) error
	// ReportTypes lists the kind's report types, ascending.
	ReportTypes() []string
	// CheckReport checks the body of a report of type typ sent by the
	// device with public key pubKey: it decodes, its fields are in range.
	CheckReport(typ string, body, pubKey []byte) error
	// Scorer returns the scorer of a version, and false if there is none.
	Scorer(version uint32) (Scorer, bool)
	// ScorerVersions lists every version the kind has, ascending; the
	// last is the one new epochs are scored with.
	ScorerVersions() []uint32
}

// Scorer scores one epoch of one kind.
type Scorer interface {
	Score(in Input) (Output, error)
}

// ScoreFunc adapts a function to Scorer.
type ScoreFunc func(Input) (Output, error)

// Score implements Scorer.
func (f ScoreFunc) Score(in Input) (Output, error) { return f(in) }

// Current is the version new epochs of k are scored with.
func Current(k Kind) uint32 {
	v := k.ScorerVersions()
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}
