package indexer

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// reader turns one event type into rows of a module's own tables, inside
// the block's transaction. Readers must be idempotent per height only
// through the cursor: they run once per indexed event.
type reader func(c *evctx, e ledger.Event) error

// readers maps an event type to its reader. A module's reader file
// registers its types in init (reader_device.go, reader_reward.go, ...);
// an event with no reader stays in the generic events table only.
var readers = map[string]reader{}

func register(typ string, r reader) {
	if _, dup := readers[typ]; dup {
		panic(fmt.Sprintf("indexer: two readers for event %q", typ))
	}
	readers[typ] = r
}

// ReaderTypes lists the event types that have a reader, for docs.
func ReaderTypes() []string {
	out := make([]string, 0, len(readers))
	for t := range readers {
		out = append(out, t)
	}
	return out
}
