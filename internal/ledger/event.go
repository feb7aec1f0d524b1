package ledger

// Attr is one key-value attribute of an event.
type Attr struct {
	Key   string
	Value string
}

// Event is a typed record of something the state machine did. Modules emit
// events instead of logging; the indexer and clients read them.
type Event struct {
	Type  string
	Attrs []Attr
}
