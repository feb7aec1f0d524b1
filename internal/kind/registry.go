package kind

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Registry is the ordered list of a chain's kinds.
type Registry struct {
	kinds []Kind
}

// NewRegistry lists kinds in the given order. It panics on a bad or
// repeated name, or a kind whose params are not prefixed with its name:
// both are programming errors.
func NewRegistry(kinds ...Kind) *Registry {
	r := &Registry{}
	for _, k := range kinds {
		n := k.Name()
		if !nameRE.MatchString(n) {
			panic(fmt.Sprintf("kind: bad kind name %q", n))
		}
		if _, ok := r.Get(n); ok {
			panic(fmt.Sprintf("kind: %q registered twice", n))
		}
		for _, s := range k.Specs() {
			if !strings.HasPrefix(s.Name, n+".") {
				panic(fmt.Sprintf("kind: %s param %q lacks the prefix %q", n, s.Name, n+"."))
			}
		}
		if !slices.IsSorted(k.ReportTypes()) || len(k.ScorerVersions()) == 0 {
			panic(fmt.Sprintf("kind: %s: report types unsorted or no scorer", n))
		}
		r.kinds = append(r.kinds, k)
	}
	return r
}

// Kinds returns the kinds in registration order.
func (r *Registry) Kinds() []Kind { return slices.Clone(r.kinds) }

// Get returns the kind of a name.
func (r *Registry) Get(name string) (Kind, bool) {
	for _, k := range r.kinds {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}

// Names lists the kinds' names in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.kinds))
	for i, k := range r.kinds {
		out[i] = k.Name()
	}
	return out
}

// CheckReport checks a report body with its kind: the kind must be
// registered and the type one of its report types.
func (r *Registry) CheckReport(kind, typ string, body, pubKey []byte) error {
	k, ok := r.Get(kind)
	if !ok {
		return fmt.Errorf("unknown kind %q: %w", kind, ErrInvalid)
	}
	if _, ok := slices.BinarySearch(k.ReportTypes(), typ); !ok {
		return fmt.Errorf("kind %s has no report type %q: %w", kind, typ, ErrInvalid)
	}
	return k.CheckReport(typ, body, pubKey)
}

// Has reports whether a kind of the name is registered.
func (r *Registry) Has(name string) bool {
	_, ok := r.Get(name)
	return ok
}

// Params reads a kind's params from chain state (defaults where never set).
func ParamsOf(st ledger.Store, k Kind) Params {
	return Lookup(k.Specs(), func(s params.Spec) uint64 { return params.Get(st, s) })
}

// CheckAttributes checks a device's attributes with its kind under the
// kind's params in st.
func (r *Registry) CheckAttributes(st ledger.Store, name string, attrs []byte) error {
	k, ok := r.Get(name)
	if !ok {
		return fmt.Errorf("unknown kind %q: %w", name, ErrInvalid)
	}
	return k.CheckAttributes(ParamsOf(st, k), attrs)
}

// ValidName reports whether name is well formed for a kind: a lowercase
// letter, then up to 31 lowercase letters, digits or '_'.
func ValidName(name string) bool { return nameRE.MatchString(name) }
