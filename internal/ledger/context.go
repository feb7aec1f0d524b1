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
	// events collects what the transaction emits.
	events []Event
}

// Emit records an event.
func (c *Context) Emit(typ string, attrs ...Attr) {
	c.events = append(c.events, Event{Type: typ, Attrs: attrs})
}

// Events returns the events emitted so far.
func (c *Context) Events() []Event { return c.events }

// ResetEvents drops the events emitted so far (a failed transaction keeps none).
func (c *Context) ResetEvents() { c.events = nil }
