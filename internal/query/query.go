package query

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
)

// Code is the stable result code of a query (ledger.QueryCode). Codes are
// appended, never renumbered.
type Code = ledger.QueryCode

// Query result codes.
const (
	CodeOK          = ledger.QueryOK
	CodeBadRequest  = ledger.QueryBadRequest  // a path segment or parameter is malformed
	CodeNotFound    = ledger.QueryNotFound    // the account, device, maker or tx does not exist
	CodeUnknownPath = ledger.QueryUnknownPath // no such query
	CodeInternal    = ledger.QueryInternal    // stored data does not decode (a node fault, not the caller's)
)

// Page limits of list queries.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// maxPathLen bounds the query path a caller may send.
	maxPathLen = 4096
)

// Error is a failed query: a stable code and a message for people.
type Error = ledger.QueryError

func errorf(c Code, format string, args ...any) *Error { return ledger.QueryErrorf(c, format, args...) }

// Source is what queries read besides committed state: the parameter
// registry and the router every module registered its queries on
// (*app.App satisfies it).
type Source interface {
	Params() *params.Registry
	Queries() *ledger.QueryRouter
}

// request is one query as the handlers of this package see it.
type request struct {
	st   ledger.Store
	reg  *params.Registry
	args url.Values
}

// handler adapts a method of request to a ledger.QueryHandler.
func handler(reg *params.Registry, f func(r *request, vars []string) (any, *Error)) ledger.QueryHandler {
	return func(q *ledger.Query) (any, *Error) {
		return f(&request{st: q.Store, reg: reg, args: url.Values(q.Args)}, q.Vars)
	}
}

// core answers what belongs to the app rather than to a module: accounts
// (balance and sequence) and parameters. Supply is the bank module's
// (app.BankModule). Transactions are CometBFT's (its kv indexer: /tx and
// /tx_search on the RPC, /v1/txs/{hash} on the JSON API).
func core(reg *params.Registry) *ledger.QueryRouter {
	rt := ledger.NewQueryRouter()
	rt.Add("accounts/{address}", handler(reg, func(r *request, v []string) (any, *Error) { return r.account(v[0]) }))
	rt.Add("params", handler(reg, func(r *request, _ []string) (any, *Error) { return r.params() }))
	return rt
}

// Patterns lists every query path pattern a node answers: the core ones
// and those the modules of src registered ("devices/{id}").
func Patterns(src Source) []string {
	out := core(nil).Patterns()
	if src != nil && src.Queries() != nil {
		out = append(out, src.Queries().Patterns()...)
	}
	return out
}

// Devices registers the device registry's queries: /devices (filtered,
// paginated), /devices/{id}, /devices/{id}/locations, /makers and
// /makers/{id}. The device module's entry in internal/chain adds them.
func Devices(rt *ledger.QueryRouter) {
	rt.Add("devices", handler(nil, func(r *request, _ []string) (any, *Error) { return r.devices() }))
	rt.Add("devices/{id}", handler(nil, func(r *request, v []string) (any, *Error) { return r.device(v[0]) }))
	rt.Add("devices/{id}/locations", handler(nil, func(r *request, v []string) (any, *Error) { return r.locations(v[0]) }))
	rt.Add("makers", handler(nil, func(r *request, _ []string) (any, *Error) { return r.makers() }))
	rt.Add("makers/{id}", handler(nil, func(r *request, v []string) (any, *Error) { return r.maker(v[0]) }))
}

// Handle answers one query over committed state. path is an ABCI-style path
// with an optional query string ("/devices?kind=coverage&limit=5"). The
// app's own queries (accounts, params) are tried first, then
// the routes the modules registered. On success code is 0 and body is
// JSON; otherwise body is nil, code is a Code and err says what went wrong.
func Handle(st ledger.Store, src Source, path string) (body []byte, code uint32, err string) {
	v, e := route(st, src, path)
	if e != nil {
		return nil, uint32(e.Code), e.Msg
	}
	bz, mErr := json.Marshal(v)
	if mErr != nil {
		// Every response type marshals; this is a programming error.
		panic(fmt.Sprintf("query: marshal %T: %v", v, mErr))
	}
	return bz, uint32(CodeOK), ""
}

func route(st ledger.Store, src Source, path string) (any, *Error) {
	if len(path) > maxPathLen {
		return nil, errorf(CodeBadRequest, "path is %d bytes, at most %d", len(path), maxPathLen)
	}
	u, err := url.Parse(path)
	if err != nil {
		return nil, errorf(CodeBadRequest, "malformed path %q: %v", path, err)
	}
	args, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errorf(CodeBadRequest, "malformed query string in %q: %v", path, err)
	}
	p := strings.Trim(u.Path, "/")
	var parts []string
	if p != "" {
		parts = strings.Split(p, "/")
	}
	var reg *params.Registry
	var modules *ledger.QueryRouter
	if src != nil {
		reg, modules = src.Params(), src.Queries()
	}
	h, vars, ok := core(reg).Route(parts)
	if !ok && modules != nil {
		h, vars, ok = modules.Route(parts)
	}
	if !ok {
		return nil, errorf(CodeUnknownPath, "unknown query path %q", u.Path)
	}
	return h(&ledger.Query{Store: st, Vars: vars, Args: args})
}

func (r *request) account(s string) (any, *Error) {
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return nil, errorf(CodeBadRequest, "%v", err)
	}
	sup := bank.GetSupply(r.st)
	return Account{
		Address:  a.String(),
		Balance:  bank.Balance(r.st, a),
		Sequence: app.Sequence(r.st, a),
		Denom:    sup.Denom,
		Decimals: sup.Decimals,
	}, nil
}

func (r *request) params() (any, *Error) {
	if r.reg == nil {
		return nil, errorf(CodeUnknownPath, "no parameter registry on this node")
	}
	vals := r.reg.Values(r.st)
	out := Params{Authority: params.Authority(r.st).String(), Params: make([]Param, len(vals))}
	for i, v := range vals {
		out.Params[i] = Param{Name: v.Name, Value: v.Value, Default: v.Default, Min: v.Min, Max: v.Max, Unit: v.Unit, Doc: v.Doc}
	}
	return out, nil
}

// ParseTxHash reads a transaction hash: 32 bytes in hex, either case.
func ParseTxHash(s string) ([]byte, *Error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(app.Hash{}) {
		return nil, errorf(CodeBadRequest, "tx hash %q is not %d hex bytes", s, len(app.Hash{}))
	}
	return b, nil
}

// parseID reads an id segment: a bech32 address, or a 32-byte ed25519
// public key in hex, which names the address derived from it.
func parseID(what, s string) (ledger.Address, *Error) {
	if len(s) == 2*sig.PubKeyLen {
		if pk, err := hex.DecodeString(s); err == nil {
			return ledger.AddressOf(pk), nil
		}
	}
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return a, errorf(CodeBadRequest, "%s: %v", what, err)
	}
	return a, nil
}
