package energy

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// Genesis is the module's genesis section: its state entries as they are
// (keys under Prefix and their protobuf records, in hex, in key order), so a
// chain started from an export continues every open interval, unsettled
// trade, meter baseline and certificate exactly.
type Genesis struct {
	Entries []Entry `json:"entries"`
}

// Entry is one state entry.
type Entry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// InitGenesis writes the entries of a genesis section (nil: none).
func InitGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	var last []byte
	for i, e := range g.Entries {
		k, err1 := hex.DecodeString(e.Key)
		v, err2 := hex.DecodeString(e.Value)
		if err1 != nil || err2 != nil || len(k) < 2 || k[0] != Prefix {
			return fmt.Errorf("entry %d: key and value must be hex, the key under prefix %#x", i, Prefix)
		}
		if last != nil && string(k) <= string(last) {
			return fmt.Errorf("entry %d: keys must be strictly ascending", i)
		}
		last = k
		st.Set(k, v)
	}
	return nil
}

// ExportGenesis returns the module's state as a genesis section (nil when
// empty).
func ExportGenesis(st ledger.Store) (json.RawMessage, error) {
	var g Genesis
	ledger.IteratePrefix(st, []byte{Prefix}, func(k, v []byte) bool {
		g.Entries = append(g.Entries, Entry{Key: hex.EncodeToString(k), Value: hex.EncodeToString(v)})
		return true
	})
	if len(g.Entries) == 0 {
		return nil, nil
	}
	return json.Marshal(g)
}
