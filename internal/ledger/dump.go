package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// DumpEntry is one state entry of a module's raw genesis section: its key
// and value in lower-case hex.
type DumpEntry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// DumpPrefix exports every entry under a one-byte module prefix as a JSON
// list of DumpEntry, in key order, so that LoadPrefix rebuilds exactly the
// same state (a module whose whole state is its genesis: market, credits).
func DumpPrefix(st Store, prefix byte) (json.RawMessage, error) {
	var out []DumpEntry
	IteratePrefix(st, []byte{prefix}, func(k, v []byte) bool {
		out = append(out, DumpEntry{Key: hex.EncodeToString(k), Value: hex.EncodeToString(v)})
		return true
	})
	if len(out) == 0 {
		return nil, nil
	}
	return json.Marshal(out)
}

// LoadPrefix writes the entries of a DumpPrefix section (nil: none). Every
// key must lie under prefix, in strictly ascending order.
func LoadPrefix(st Store, prefix byte, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var in []DumpEntry
	if err := json.Unmarshal(raw, &in); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	var prev []byte
	for i, e := range in {
		k, err := hex.DecodeString(e.Key)
		if err != nil || len(k) < 2 || k[0] != prefix {
			return fmt.Errorf("entry %d: key %q is not hex under prefix %#x", i, e.Key, prefix)
		}
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("entry %d: keys are not in ascending order", i)
		}
		v, err := hex.DecodeString(e.Value)
		if err != nil {
			return fmt.Errorf("entry %d: value is not hex", i)
		}
		st.Set(k, v)
		prev = k
	}
	return nil
}
