package ledger

// Context is what a message handler sees: the state, the block it runs in,
// the signer of the transaction, and a sink for events. Time and entropy come
// from the block, never from the machine.
type Context struct {
	// Store is the transaction's state view; writes are dropped if any
	// message of the transaction fails.
	Store Store
	// ChainID is the chain's id.
	ChainID string
	// Height is the height of the block being executed.
	Height int64
	// Time is the block time in Unix nanoseconds, as agreed by consensus.
	Time int64
	// Signer is the address of the transaction's signer.
	Signer Address
	// NoEvents says that the caller discards events (a mempool check):
	// Emit drops them, and a handler may skip building their attributes
	// (bech32 addresses cost about a microsecond each). Results, state and
	// errors must not depend on it.
	NoEvents bool
	// events collects what the transaction emits.
	events []Event
	// signer caches Signer.String().
	signer string
}

// Emit records an event, unless NoEvents is set.
func (c *Context) Emit(typ string, attrs ...Attr) {
	if c.NoEvents {
		return
	}
	c.events = append(c.events, Event{Type: typ, Attrs: attrs})
}

// SignerString returns Signer in bech32, formatted once per context.
func (c *Context) SignerString() string {
	if c.signer == "" {
		c.signer = c.Signer.String()
	}
	return c.signer
}

// Events returns the events emitted so far.
func (c *Context) Events() []Event { return c.events }

// ResetEvents drops the events emitted so far (a failed transaction keeps none).
func (c *Context) ResetEvents() { c.events = nil }
