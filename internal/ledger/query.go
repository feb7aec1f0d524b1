package ledger

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// QueryCode is the stable result code of a query. Codes are appended, never
// renumbered.
type QueryCode uint32

// Query result codes.
const (
	QueryOK          QueryCode = 0
	QueryBadRequest  QueryCode = 1 // a path segment or parameter is malformed
	QueryNotFound    QueryCode = 2 // the thing asked for does not exist
	QueryUnknownPath QueryCode = 3 // no such query
	QueryInternal    QueryCode = 4 // stored data does not decode (a node fault, not the caller's)
	QueryForbidden   QueryCode = 5 // the data exists but is not public yet (services' HTTP APIs)
)

// String returns the code's stable name.
func (c QueryCode) String() string {
	switch c {
	case QueryOK:
		return "ok"
	case QueryBadRequest:
		return "bad_request"
	case QueryNotFound:
		return "not_found"
	case QueryUnknownPath:
		return "unknown_path"
	case QueryInternal:
		return "internal"
	case QueryForbidden:
		return "forbidden"
	}
	return "code_" + strconv.FormatUint(uint64(c), 10)
}

// QueryError is a failed query: a stable code and a message for people.
type QueryError struct {
	Code QueryCode
	Msg  string
}

func (e *QueryError) Error() string { return e.Code.String() + ": " + e.Msg }

// QueryErrorf builds a *QueryError.
func QueryErrorf(c QueryCode, format string, args ...any) *QueryError {
	return &QueryError{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// Query is one read over committed state, as a handler sees it.
type Query struct {
	// Store is committed state; handlers only read it.
	Store Store
	// Vars are the path segments matched by the pattern's "{name}"
	// segments, in order.
	Vars []string
	// Args are the query string's arguments.
	Args map[string][]string
}

// Arg returns the first value of a query string argument, "" if absent.
func (q *Query) Arg(name string) string {
	if v := q.Args[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// QueryHandler answers a query with a value that marshals to JSON, or an
// error with a stable code. It never writes.
type QueryHandler func(q *Query) (any, *QueryError)

// QueryRouter maps query path patterns to handlers. Each module registers
// its own queries (app.Module.Queries), so there is no central switch: a
// new module adds paths without touching another's.
type QueryRouter struct {
	routes []queryRoute
}

type queryRoute struct {
	pattern string
	parts   []string // "{...}" marks a variable segment
	h       QueryHandler
}

// NewQueryRouter returns an empty router.
func NewQueryRouter() *QueryRouter { return &QueryRouter{} }

// Add registers a handler for a pattern of slash-separated segments, each a
// literal or a variable "{name}" ("rewards/epochs/{n}/settlement"). Where
// two patterns match a path, the one with a literal at the first segment
// where they differ wins ("rewards/epochs/current" over
// "rewards/epochs/{n}"). It panics on a pattern registered twice: a
// programming error.
func (r *QueryRouter) Add(pattern string, h QueryHandler) {
	parts := strings.Split(strings.Trim(pattern, "/"), "/")
	for _, rt := range r.routes {
		if sameShape(rt.parts, parts) {
			panic(fmt.Sprintf("ledger: query pattern %q registered twice (as %q)", pattern, rt.pattern))
		}
	}
	r.routes = append(r.routes, queryRoute{pattern: pattern, parts: parts, h: h})
	sort.SliceStable(r.routes, func(i, j int) bool { return moreSpecific(r.routes[i].parts, r.routes[j].parts) })
}

// Patterns lists the registered patterns, most specific first.
func (r *QueryRouter) Patterns() []string {
	out := make([]string, len(r.routes))
	for i, rt := range r.routes {
		out[i] = rt.pattern
	}
	return out
}

// Route finds the handler of a path's segments and the values of its
// variables.
func (r *QueryRouter) Route(segments []string) (QueryHandler, []string, bool) {
	for _, rt := range r.routes {
		if vars, ok := match(rt.parts, segments); ok {
			return rt.h, vars, true
		}
	}
	return nil, nil, false
}

func isVar(s string) bool { return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' }

func sameShape(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if isVar(a[i]) != isVar(b[i]) || (!isVar(a[i]) && a[i] != b[i]) {
			return false
		}
	}
	return true
}

// moreSpecific orders patterns: a literal before a variable at the first
// segment where they differ in kind; otherwise by length and text, so the
// order does not depend on registration order.
func moreSpecific(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if va, vb := isVar(a[i]), isVar(b[i]); va != vb {
			return vb
		}
	}
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return strings.Join(a, "/") < strings.Join(b, "/")
}

func match(parts, segs []string) ([]string, bool) {
	if len(parts) != len(segs) {
		return nil, false
	}
	var vars []string
	for i, p := range parts {
		switch {
		case isVar(p):
			vars = append(vars, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return vars, true
}
