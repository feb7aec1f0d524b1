package market

import (
	"slices"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Text limits.
const (
	maxHostURI  = 256
	maxKeyLen   = 64
	maxValueLen = 128
	maxKindLen  = 32
)

// checkText accepts 1 to max bytes of printable ASCII without spaces.
func checkText(what, s string, max int) *ledger.Error {
	if s == "" {
		return ledger.Errorf(ledger.CodeMalformed, "%s is empty", what)
	}
	if len(s) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "%s is %d bytes, at most %d allowed", what, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return ledger.Errorf(ledger.CodeMalformed, "%s has a disallowed character at byte %d", what, i)
		}
	}
	return nil
}

// checkKind accepts a network kind name: 1-32 bytes of a-z, 0-9 or '_'.
func checkKind(k string) *ledger.Error {
	if k == "" || len(k) > maxKindLen {
		return ledger.Errorf(ledger.CodeMalformed, "kind %q must be 1-%d bytes", k, maxKindLen)
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return ledger.Errorf(ledger.CodeMalformed, "kind %q has a character outside a-z, 0-9 and '_'", k)
		}
	}
	return nil
}

// checkAttributes validates a list of attributes and returns it sorted by
// key; keys must be unique.
func checkAttributes(st ledger.Store, attrs []*marketv1.Attribute) ([]*marketv1.Attribute, *ledger.Error) {
	if max := params.Get(st, MaxAttributes); uint64(len(attrs)) > max {
		return nil, ledger.Errorf(ledger.CodeTooLarge, "%d attributes, at most %d allowed", len(attrs), max)
	}
	out := make([]*marketv1.Attribute, len(attrs))
	for i, a := range attrs {
		if a == nil {
			return nil, ledger.Errorf(ledger.CodeMalformed, "attribute %d is missing", i)
		}
		if e := checkText("attribute "+strconv.Itoa(i)+" key", a.Key, maxKeyLen); e != nil {
			return nil, e
		}
		if e := checkText("attribute "+strconv.Itoa(i)+" value", a.Value, maxValueLen); e != nil {
			return nil, e
		}
		out[i] = &marketv1.Attribute{Key: a.Key, Value: a.Value}
	}
	slices.SortFunc(out, func(x, y *marketv1.Attribute) int { return strings.Compare(x.Key, y.Key) })
	for i := 1; i < len(out); i++ {
		if out[i].Key == out[i-1].Key {
			return nil, ledger.Errorf(ledger.CodeMalformed, "attribute %q is listed twice", out[i].Key)
		}
	}
	return out, nil
}

// covers reports whether have (sorted by key) holds every required pair.
func covers(have, want []*marketv1.Attribute) bool {
	for _, w := range want {
		i, ok := slices.BinarySearchFunc(have, w.Key, func(a *marketv1.Attribute, k string) int { return strings.Compare(a.Key, k) })
		if !ok || have[i].Value != w.Value {
			return false
		}
	}
	return true
}

// matches checks a provider against an order's requirements (Akash
// GroupSpec.MatchRequirements): without auditors the required attributes
// must be self-declared; every all_of auditor, and at least one any_of
// auditor, must have attested a superset of them.
func matches(st ledger.Store, p *marketv1.Provider, req *marketv1.Requirements) *ledger.Error {
	if req == nil {
		return nil
	}
	prov := addr(p.Owner)
	if len(req.AllOf) == 0 && len(req.AnyOf) == 0 {
		if !covers(p.Attributes, req.Attributes) {
			return ledger.Errorf(CodeRequirementsUnmet, "provider %s does not declare every required attribute", prov)
		}
		return nil
	}
	attested := func(raw []byte) bool {
		at, ok := GetAttestation(st, prov, addr(raw))
		return ok && covers(at.Attributes, req.Attributes)
	}
	for _, a := range req.AllOf {
		if !attested(a) {
			return ledger.Errorf(CodeRequirementsUnmet, "auditor %s has not attested the required attributes of %s", addr(a), prov)
		}
	}
	if len(req.AnyOf) > 0 && !slices.ContainsFunc(req.AnyOf, attested) {
		return ledger.Errorf(CodeRequirementsUnmet, "no any_of auditor has attested the required attributes of %s", prov)
	}
	return nil
}

// checkRequirements validates an order's requirements and returns them in
// canonical form (attributes sorted, auditors as given but unique).
func checkRequirements(st ledger.Store, r *marketv1.Requirements) (*marketv1.Requirements, *ledger.Error) {
	if r == nil {
		return &marketv1.Requirements{}, nil
	}
	attrs, e := checkAttributes(st, r.Attributes)
	if e != nil {
		return nil, e
	}
	max := params.Get(st, MaxAuditors)
	out := &marketv1.Requirements{Attributes: attrs}
	for _, set := range []struct {
		name string
		in   [][]byte
		out  *[][]byte
	}{{"all_of", r.AllOf, &out.AllOf}, {"any_of", r.AnyOf, &out.AnyOf}} {
		if uint64(len(set.in)) > max {
			return nil, ledger.Errorf(ledger.CodeTooLarge, "%s names %d auditors, at most %d allowed", set.name, len(set.in), max)
		}
		seen := make(map[ledger.Address]bool, len(set.in))
		for i, raw := range set.in {
			a, err := ledger.AddressFromBytes(raw)
			if err != nil {
				return nil, ledger.Errorf(ledger.CodeInvalidAddress, "%s auditor %d: %v", set.name, i, err)
			}
			if seen[a] {
				return nil, ledger.Errorf(ledger.CodeMalformed, "%s names auditor %s twice", set.name, a)
			}
			seen[a] = true
			*set.out = append(*set.out, a[:])
		}
	}
	return out, nil
}

func handleCreateProvider(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgCreateProvider
	if e := ledger.Unmarshal(TypeCreateProvider, raw, &m); e != nil {
		return e
	}
	if e := checkText("host uri", m.HostUri, maxHostURI); e != nil {
		return e
	}
	attrs, e := checkAttributes(ctx.Store, m.Attributes)
	if e != nil {
		return e
	}
	if _, ok := GetProvider(ctx.Store, ctx.Signer); ok {
		return ledger.Errorf(CodeProviderExists, "%s is a provider already", ctx.Signer)
	}
	putProvider(ctx.Store, &marketv1.Provider{Owner: ctx.Signer[:], HostUri: m.HostUri, Attributes: attrs, CreatedHeight: ctx.Height})
	ctx.Emit("market.provider", attr("provider", ctx.SignerString()), attr("host_uri", m.HostUri))
	return nil
}

func handleUpdateProvider(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgUpdateProvider
	if e := ledger.Unmarshal(TypeUpdateProvider, raw, &m); e != nil {
		return e
	}
	if e := checkText("host uri", m.HostUri, maxHostURI); e != nil {
		return e
	}
	attrs, e := checkAttributes(ctx.Store, m.Attributes)
	if e != nil {
		return e
	}
	p, ok := GetProvider(ctx.Store, ctx.Signer)
	if !ok {
		return ledger.Errorf(CodeUnknownProvider, "%s is not a provider", ctx.Signer)
	}
	p.HostUri, p.Attributes = m.HostUri, attrs
	putProvider(ctx.Store, p)
	ctx.Emit("market.provider_updated", attr("provider", ctx.SignerString()), attr("host_uri", m.HostUri),
		attr("attributes", u64(uint64(len(attrs)))))
	return nil
}

func handleSetAuditor(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgSetAuditor
	if e := ledger.Unmarshal(TypeSetAuditor, raw, &m); e != nil {
		return e
	}
	a, err := ledger.AddressFromBytes(m.Auditor)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "auditor: %v", err)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	st := ctx.Store
	if m.Remove {
		if !IsAuditor(st, a) {
			return ledger.Errorf(CodeUnknownAuditor, "%s is not an auditor", a)
		}
		st.Delete(auditorKey(a))
		ctx.Emit("market.auditor_removed", attr("auditor", a.String()))
		return nil
	}
	if IsAuditor(st, a) {
		return nil
	}
	if n, max := len(Auditors(st)), params.Get(st, MaxAuditors); uint64(n) >= max {
		return ledger.Errorf(CodeAuditorSetFull, "the auditor set has %d members, at most %d allowed", n, max)
	}
	st.Set(auditorKey(a), []byte{1})
	ctx.Emit("market.auditor_added", attr("auditor", a.String()))
	return nil
}

func handleAttest(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m marketv1.MsgAttest
	if e := ledger.Unmarshal(TypeAttest, raw, &m); e != nil {
		return e
	}
	p, err := ledger.AddressFromBytes(m.Provider)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "provider: %v", err)
	}
	attrs, e := checkAttributes(ctx.Store, m.Attributes)
	if e != nil {
		return e
	}
	st := ctx.Store
	if !IsAuditor(st, ctx.Signer) {
		return ledger.Errorf(CodeNotAuditor, "%s is not an auditor", ctx.Signer)
	}
	if _, ok := GetProvider(st, p); !ok {
		return ledger.Errorf(CodeUnknownProvider, "no provider %s", p)
	}
	st.Set(attestationKey(p, ctx.Signer), encode(&marketv1.Attestation{Provider: p[:], Auditor: ctx.Signer[:], Attributes: attrs, Height: ctx.Height}))
	ctx.Emit("market.attest", attr("provider", p.String()), attr("auditor", ctx.SignerString()),
		attr("attributes", strconv.Itoa(len(attrs))))
	return nil
}

// Auditors lists the auditor set in address order.
func Auditors(st ledger.Store) []ledger.Address {
	var out []ledger.Address
	pfx := key(tagAuditor)
	ledger.IteratePrefix(st, pfx, func(k, _ []byte) bool {
		out = append(out, addr(k[len(pfx):]))
		return true
	})
	return out
}

func attr(k, v string) ledger.Attr { return ledger.Attr{Key: k, Value: v} }

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func i64(v int64) string { return strconv.FormatInt(v, 10) }
