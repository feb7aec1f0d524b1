package abci

import "sort"

// indexedKeys are the event attribute keys that CometBFT's kv indexer
// indexes (EventAttribute.Index), whatever the event type: the parties and
// objects a wallet, an explorer or an indexer searches by. Amounts, fees,
// sequences, hashes and roots are returned with every event but not
// indexed, so that indexing costs a few writes per transaction.
// docs/clients.md lists them (a test keeps it up to date).
var indexedKeys = map[string]bool{
	"signer":    true,
	"from":      true,
	"to":        true,
	"owner":     true,
	"device":    true,
	"maker":     true,
	"operator":  true,
	"oracle":    true,
	"epoch":     true,
	"name":      true,
	"provider":  true,
	"consumer":  true,
	"lease":     true,
	"order":     true,
	"validator": true,
	"delegator": true,
	"proposal":  true,
	"voter":     true,
}

// IndexedKeys returns the indexed attribute keys, sorted.
func IndexedKeys() []string {
	out := make([]string, 0, len(indexedKeys))
	for k := range indexedKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Indexed reports whether the attribute key is indexed.
func Indexed(key string) bool { return indexedKeys[key] }
