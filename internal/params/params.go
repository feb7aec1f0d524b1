package params

import (
	"fmt"
	"sort"

	"github.com/depin-network/depin/internal/ledger"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

// Spec declares one parameter: its name ("module.name"), default and
// inclusive bounds, unit and meaning.
type Spec struct {
	Name    string
	Default uint64
	Min     uint64
	Max     uint64
	Unit    string
	Doc     string
}

// Value is a parameter with its current value.
type Value struct {
	Spec
	Value uint64
}

var (
	keyAuthority = ledger.Key(ledger.PrefixParams, []byte("a"))
)

func valueKey(name string) []byte { return ledger.Key(ledger.PrefixParams, []byte("v"), []byte(name)) }

// Get returns the current value of a parameter, or its default if never set.
func Get(st ledger.Store, s Spec) uint64 {
	if b := st.Get(valueKey(s.Name)); b != nil {
		return ledger.ReadU64(b)
	}
	return s.Default
}

// Authority returns the address allowed to change parameters.
func Authority(st ledger.Store) ledger.Address {
	a, _ := ledger.AddressFromBytes(st.Get(keyAuthority))
	return a
}

// SetAuthority records the params authority.
func SetAuthority(st ledger.Store, a ledger.Address) { st.Set(keyAuthority, a[:]) }

// RequireAuthority rejects a signer that is not the params authority.
func RequireAuthority(ctx *ledger.Context) *ledger.Error {
	if auth := Authority(ctx.Store); ctx.Signer != auth {
		return ledger.Errorf(ledger.CodeUnauthorized, "signer %s is not the params authority %s", ctx.Signer, auth)
	}
	return nil
}

// Lookup reads a parameter's value in the parameter set being checked: the
// stored values with a pending change applied.
type Lookup func(Spec) uint64

// Check is a cross-field check over a module's parameters ("target must not
// exceed max"). It runs on the values a change or genesis would leave,
// before anything is written, and returns a *ledger.Error with
// ledger.CodeParamsInconsistent when the set is unusable. Checks read only
// through get and must be deterministic.
type Check func(get Lookup) *ledger.Error

// Registry is the set of all parameters the chain knows.
type Registry struct {
	specs  []Spec
	index  map[string]int
	checks []namedCheck
}

type namedCheck struct {
	owner string
	check Check
}

// AddCheck adds a module's cross-field check. Checks run in the order they
// were added.
func (r *Registry) AddCheck(owner string, c Check) {
	if c != nil {
		r.checks = append(r.checks, namedCheck{owner, c})
	}
}

// CheckSet runs every cross-field check over the stored values with
// pending applied (pending may be nil).
func (r *Registry) CheckSet(st ledger.Store, pending map[string]uint64) *ledger.Error {
	get := func(s Spec) uint64 {
		if v, ok := pending[s.Name]; ok {
			return v
		}
		return Get(st, s)
	}
	for _, c := range r.checks {
		if e := c.check(get); e != nil {
			if e.Code != ledger.CodeParamsInconsistent {
				e = ledger.Errorf(ledger.CodeParamsInconsistent, "%s", e.Msg)
			}
			return ledger.Errorf(e.Code, "%s parameters: %s", c.owner, e.Msg)
		}
	}
	return nil
}

// NewRegistry collects parameter specs. It panics on a duplicate name or a
// default outside its bounds: both are programming errors.
func NewRegistry(groups ...[]Spec) *Registry {
	r := &Registry{index: make(map[string]int)}
	for _, g := range groups {
		for _, s := range g {
			if _, dup := r.index[s.Name]; dup {
				panic(fmt.Sprintf("params: %q declared twice", s.Name))
			}
			if s.Min > s.Max || s.Default < s.Min || s.Default > s.Max {
				panic(fmt.Sprintf("params: %q default %d outside [%d, %d]", s.Name, s.Default, s.Min, s.Max))
			}
			r.index[s.Name] = 0
			r.specs = append(r.specs, s)
		}
	}
	sort.Slice(r.specs, func(i, j int) bool { return r.specs[i].Name < r.specs[j].Name })
	for i, s := range r.specs {
		r.index[s.Name] = i
	}
	return r
}

// Specs returns every spec, sorted by name.
func (r *Registry) Specs() []Spec { return append([]Spec(nil), r.specs...) }

// Spec looks up a spec by name.
func (r *Registry) Spec(name string) (Spec, bool) {
	i, ok := r.index[name]
	if !ok {
		return Spec{}, false
	}
	return r.specs[i], true
}

// Check validates a value for a named parameter.
func (r *Registry) Check(name string, v uint64) *ledger.Error {
	s, ok := r.Spec(name)
	if !ok {
		return ledger.Errorf(ledger.CodeUnknownParam, "unknown parameter %q", name)
	}
	if v < s.Min || v > s.Max {
		return ledger.Errorf(ledger.CodeParamOutOfBounds, "parameter %s = %d outside [%d, %d]", name, v, s.Min, s.Max)
	}
	return nil
}

// Values returns every parameter with its current value, sorted by name.
func (r *Registry) Values(st ledger.Store) []Value {
	out := make([]Value, len(r.specs))
	for i, s := range r.specs {
		out[i] = Value{Spec: s, Value: Get(st, s)}
	}
	return out
}

// InitGenesis writes the authority and the genesis overrides (every value
// checked against its bounds). Values not named keep their defaults.
func (r *Registry) InitGenesis(st ledger.Store, authority ledger.Address, values map[string]uint64) error {
	if authority.IsZero() {
		return fmt.Errorf("params: genesis has no authority")
	}
	SetAuthority(st, authority)
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := r.Check(n, values[n]); err != nil {
			return fmt.Errorf("params: genesis: %s", err.Msg)
		}
	}
	if e := r.CheckSet(st, values); e != nil {
		return fmt.Errorf("params: genesis: %s", e.Msg)
	}
	for _, n := range names {
		st.Set(valueKey(n), ledger.U64(values[n]))
	}
	return nil
}

// Message type names.
const (
	TypeSet          = "params/set"
	TypeSetAuthority = "params/set-authority"
)

// Register adds the params messages to a router.
func (r *Registry) Register(rt *ledger.Router) {
	rt.Add(TypeSet, r.handleSet)
	rt.Add(TypeSetAuthority, handleSetAuthority)
}

func (r *Registry) handleSet(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m paramsv1.MsgSetParams
	if e := ledger.Unmarshal(TypeSet, raw, &m); e != nil {
		return e
	}
	if len(m.Changes) == 0 {
		return ledger.Errorf(ledger.CodeMalformed, "params/set has no changes")
	}
	if len(m.Changes) > len(r.specs) {
		return ledger.Errorf(ledger.CodeTooLarge, "params/set has %d changes, more than the %d parameters", len(m.Changes), len(r.specs))
	}
	if err := RequireAuthority(ctx); err != nil {
		return err
	}
	pending := make(map[string]uint64, len(m.Changes))
	for _, c := range m.Changes {
		if _, dup := pending[c.Name]; dup {
			return ledger.Errorf(ledger.CodeMalformed, "parameter %s changed twice", c.Name)
		}
		pending[c.Name] = c.Value
		if err := r.Check(c.Name, c.Value); err != nil {
			return err
		}
	}
	if e := r.CheckSet(ctx.Store, pending); e != nil {
		return e
	}
	for _, c := range m.Changes {
		ctx.Store.Set(valueKey(c.Name), ledger.U64(c.Value))
		ctx.Emit("params.set", ledger.Attr{Key: "name", Value: c.Name}, ledger.Attr{Key: "value", Value: fmt.Sprint(c.Value)})
	}
	return nil
}

func handleSetAuthority(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m paramsv1.MsgSetAuthority
	if e := ledger.Unmarshal(TypeSetAuthority, raw, &m); e != nil {
		return e
	}
	a, err := ledger.AddressFromBytes(m.Authority)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "new authority: %v", err)
	}
	if a.IsZero() {
		return ledger.Errorf(ledger.CodeInvalidAddress, "new authority is the zero address")
	}
	if err := RequireAuthority(ctx); err != nil {
		return err
	}
	SetAuthority(ctx.Store, a)
	ctx.Emit("params.authority", ledger.Attr{Key: "authority", Value: a.String()})
	return nil
}
