package ledger

import (
	"fmt"
	"sort"
)

// Handler executes one message of a transaction. It checks the prior state
// first and writes only when the message is valid; a failure is an *Error,
// never a panic.
type Handler func(ctx *Context, msg []byte) *Error

// Router maps message type names ("bank/send") to handlers. Modules add
// their messages; the app dispatches through it, so a new module never
// touches an old one.
type Router struct {
	handlers map[string]Handler
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{handlers: make(map[string]Handler)} }

// Add registers a handler. It panics if the type is taken: a programming error.
func (r *Router) Add(typ string, h Handler) {
	if _, ok := r.handlers[typ]; ok {
		panic(fmt.Sprintf("ledger: message type %q registered twice", typ))
	}
	r.handlers[typ] = h
}

// Handler returns the handler of a message type.
func (r *Router) Handler(typ string) (Handler, bool) {
	h, ok := r.handlers[typ]
	return h, ok
}

// Types lists the registered message types, sorted.
func (r *Router) Types() []string {
	out := make([]string, 0, len(r.handlers))
	for t := range r.handlers {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
