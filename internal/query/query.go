package query

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
)

// Code is the stable result code of a query. Codes are appended, never
// renumbered.
type Code uint32

// Query result codes.
const (
	CodeOK          Code = 0
	CodeBadRequest  Code = 1 // a path segment or parameter is malformed
	CodeNotFound    Code = 2 // the account, device, maker or tx does not exist
	CodeUnknownPath Code = 3 // no such query
	CodeInternal    Code = 4 // stored data does not decode (a node fault, not the caller's)
)

// String returns the code's stable name.
func (c Code) String() string {
	switch c {
	case CodeOK:
		return "ok"
	case CodeBadRequest:
		return "bad_request"
	case CodeNotFound:
		return "not_found"
	case CodeUnknownPath:
		return "unknown_path"
	case CodeInternal:
		return "internal"
	}
	return "code_" + strconv.FormatUint(uint64(c), 10)
}

// Page limits of list queries.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// maxPathLen bounds the query path a caller may send.
	maxPathLen = 4096
)

// Error is a failed query: a stable code and a message for people.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Code.String() + ": " + e.Msg }

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// request is a parsed query path.
type request struct {
	st    ledger.Store
	reg   *params.Registry
	parts []string // path segments after the leading slash
	args  url.Values
}

// Handle answers one query over committed state. path is an ABCI-style path
// with an optional query string ("/devices?kind=coverage&limit=5"). On
// success code is 0 and body is JSON; otherwise body is nil, code is a Code
// and err says what went wrong.
func Handle(st ledger.Store, reg *params.Registry, path string) (body []byte, code uint32, err string) {
	v, e := route(st, reg, path)
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

func route(st ledger.Store, reg *params.Registry, path string) (any, *Error) {
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
	r := &request{st: st, reg: reg, parts: parts, args: args}
	n := len(parts)
	switch {
	case n == 2 && parts[0] == "accounts":
		return r.account(parts[1])
	case n == 1 && parts[0] == "supply":
		return r.supply(), nil
	case n == 1 && parts[0] == "devices":
		return r.devices()
	case n == 2 && parts[0] == "devices":
		return r.device(parts[1])
	case n == 3 && parts[0] == "devices" && parts[2] == "locations":
		return r.locations(parts[1])
	case n == 1 && parts[0] == "makers":
		return r.makers()
	case n == 2 && parts[0] == "makers":
		return r.maker(parts[1])
	case n == 1 && parts[0] == "params":
		return r.params()
	case n == 2 && parts[0] == "txs":
		return r.tx(parts[1])
	case n == 3 && parts[0] == "rewards" && parts[1] == "epochs" && parts[2] == "current":
		return r.rewardCurrent()
	case n == 3 && parts[0] == "rewards" && parts[1] == "epochs":
		return r.rewardEpoch(parts[2])
	case n == 4 && parts[0] == "rewards" && parts[1] == "epochs" && parts[3] == "settlement":
		return r.rewardSettlement(parts[2])
	case n == 4 && parts[0] == "rewards" && parts[1] == "devices" && parts[3] == "claimed":
		return r.rewardClaimed(parts[2])
	case n == 4 && parts[0] == "proof" && parts[1] == "epochs" && parts[3] == "segments":
		return r.proofSegments(parts[2])
	}
	return nil, errorf(CodeUnknownPath, "unknown query path %q", u.Path)
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

func (r *request) supply() Supply {
	s := bank.GetSupply(r.st)
	return Supply{Denom: s.Denom, Decimals: s.Decimals, Minted: s.Minted, Burned: s.Burned, Total: s.Total}
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

func (r *request) tx(s string) (any, *Error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(app.Hash{}) {
		return nil, errorf(CodeBadRequest, "tx hash %q is not %d hex bytes", s, len(app.Hash{}))
	}
	var h app.Hash
	copy(h[:], b)
	raw := r.st.Get(app.TxIndexKey(h))
	if raw == nil {
		return nil, errorf(CodeNotFound, "no tx %X in the index", h[:])
	}
	var rec app.TxRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, errorf(CodeInternal, "index entry of tx %X does not decode: %v", h[:], err)
	}
	return txOf(rec), nil
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
