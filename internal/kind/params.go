package kind

import (
	"fmt"

	"github.com/depin-network/depin/internal/params"
)

// Param is a parameter's value.
type Param struct {
	Name  string `json:"name"`
	Value uint64 `json:"value,string"`
}

// Params are values of a kind's parameters, in the order of its Specs.
type Params []Param

// Get returns the value of a parameter, and false if it is absent.
func (p Params) Get(name string) (uint64, bool) {
	for _, v := range p {
		if v.Name == name {
			return v.Value, true
		}
	}
	return 0, false
}

// Must returns the value of a parameter a kind declared; it panics if the
// parameter is absent, a programming error.
func (p Params) Must(name string) uint64 {
	v, ok := p.Get(name)
	if !ok {
		panic(fmt.Sprintf("kind: parameter %q is not set", name))
	}
	return v
}

// Defaults returns the default value of every spec.
func Defaults(specs []params.Spec) Params {
	out := make(Params, len(specs))
	for i, s := range specs {
		out[i] = Param{Name: s.Name, Value: s.Default}
	}
	return out
}

// Lookup returns the value of every spec as get reads it.
func Lookup(specs []params.Spec, get func(params.Spec) uint64) Params {
	out := make(Params, len(specs))
	for i, s := range specs {
		out[i] = Param{Name: s.Name, Value: get(s)}
	}
	return out
}

// Validate checks p against k: exactly k's params in order, each within
// its bounds, and k's cross-field rules.
func Validate(k Kind, p Params) error {
	specs := k.Specs()
	if len(p) != len(specs) {
		return fmt.Errorf("kind %s: %d params, want %d: %w", k.Name(), len(p), len(specs), ErrInvalid)
	}
	for i, s := range specs {
		if p[i].Name != s.Name {
			return fmt.Errorf("kind %s: param %d is %q, want %q: %w", k.Name(), i, p[i].Name, s.Name, ErrInvalid)
		}
		if v := p[i].Value; v < s.Min || v > s.Max {
			return fmt.Errorf("kind %s: %s = %d outside [%d, %d]: %w", k.Name(), s.Name, v, s.Min, s.Max, ErrInvalid)
		}
	}
	return k.CheckParams(p)
}

// ScorerVersionName is the name of the governed parameter that says which
// version of a kind's scorer epochs are scored with.
func ScorerVersionName(k Kind) string { return k.Name() + ".scorer_version" }

// ScorerVersionSpec is the governed parameter ScorerVersionName(k): its
// default is the kind's current version and its bounds its first and last.
// The chain records its value in each epoch as it ends, so every oracle
// scores the epoch with the same version; CheckScorerVersion refuses a
// version the kind does not have.
func ScorerVersionSpec(k Kind) params.Spec {
	v := k.ScorerVersions()
	lo := Current(k)
	if len(v) > 0 {
		lo = v[0]
	}
	return params.Spec{Name: ScorerVersionName(k), Default: uint64(Current(k)), Min: uint64(lo), Max: uint64(Current(k)), Unit: "version",
		Doc: "version of the " + k.Name() + " scorer that epochs ending from now on are scored with"}
}

// CheckScorerVersion checks that v names one of k's scorer versions.
func CheckScorerVersion(k Kind, v uint64) error {
	for _, have := range k.ScorerVersions() {
		if uint64(have) == v {
			return nil
		}
	}
	return fmt.Errorf("%s = %d: the kind has scorer versions %v: %w", ScorerVersionName(k), v, k.ScorerVersions(), ErrInvalid)
}
