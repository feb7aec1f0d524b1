package device

import (
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// Page limits of the list queries.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// scanFactor bounds the entries a filtered page may visit (Limit ×
	// scanFactor) so that a query's cost is bounded even when few entries
	// match; the page then ends early with a next key.
	scanFactor = 16
)

// Page selects one page of a list. Key is the opaque next key returned by
// the previous page (nil for the first); Limit is the most items to return
// (DefaultLimit if 0 or less, at most MaxLimit).
type Page struct {
	Key   []byte
	Limit int
}

// Filter narrows ListDevices. Zero fields do not filter. Owner matches every
// device the owner holds, decommissioned ones included; Cell and Kind match
// active devices only (a decommissioned device leaves the map); Active drops
// decommissioned devices from any listing.
type Filter struct {
	Owner  *ledger.Address
	Cell   *uint64
	Kind   string
	Active bool
}

func (f Filter) match(d *devicev1.Device) bool {
	if f.Owner != nil && string(d.Owner) != string(f.Owner[:]) {
		return false
	}
	if f.Cell != nil && (d.Location == nil || d.Location.Cell != *f.Cell) {
		return false
	}
	if f.Kind != "" && d.Kind != f.Kind {
		return false
	}
	if (f.Active || f.Cell != nil || f.Kind != "") && !IsActive(d) {
		return false
	}
	return true
}

// scan visits the entries under pfx from the page's key. visit reports
// whether the entry was taken. It returns the next page's key, or nil at the
// end.
func scan(st ledger.Store, pfx []byte, page Page, visit func(k, v []byte) bool) []byte {
	limit := page.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	start := append(append([]byte(nil), pfx...), page.Key...)
	taken, seen := 0, 0
	var next []byte
	st.Iterate(start, ledger.PrefixEnd(pfx), func(k, v []byte) bool {
		if taken == limit || seen == limit*scanFactor {
			next = append([]byte(nil), k[len(pfx):]...)
			return false
		}
		seen++
		if visit(k, v) {
			taken++
		}
		return true
	})
	return next
}

// ListMakers lists registered makers in id order.
func ListMakers(st ledger.Store, page Page) ([]*devicev1.Maker, []byte) {
	var out []*devicev1.Maker
	next := scan(st, prefix(tagMaker), page, func(_, v []byte) bool {
		m := new(devicev1.Maker)
		ledger.DecodeState(v, m)
		out = append(out, m)
		return true
	})
	return out, next
}

// ListDevices lists devices matching a filter, through the most selective
// index: cell, then owner, then kind, else all devices in id order.
func ListDevices(st ledger.Store, f Filter, page Page) ([]*devicev1.Device, []byte) {
	var pfx []byte
	indexed := true
	switch {
	case f.Cell != nil:
		pfx = prefix(tagCell, ledger.U64(*f.Cell))
	case f.Owner != nil:
		pfx = prefix(tagOwner, f.Owner[:])
	case f.Kind != "":
		pfx = prefix(tagKind, kindPrefix(f.Kind))
	default:
		pfx, indexed = prefix(tagDevice), false
	}
	var out []*devicev1.Device
	next := scan(st, pfx, page, func(_, v []byte) bool {
		d := new(devicev1.Device)
		if indexed {
			id, err := ledger.AddressFromBytes(v)
			if err != nil {
				panic("device: corrupt index entry in state")
			}
			var ok bool
			if d, ok = GetDevice(st, id); !ok {
				panic("device: index entry names a missing device " + id.String())
			}
		} else {
			ledger.DecodeState(v, d)
		}
		if !f.match(d) {
			return false
		}
		out = append(out, d)
		return true
	})
	return out, next
}

// ActiveDevices calls fn for every active device in id order until fn
// returns false. fn must not write to st.
func ActiveDevices(st ledger.Store, fn func(*devicev1.Device) bool) {
	ledger.IteratePrefix(st, prefix(tagDevice), func(_, v []byte) bool {
		d := new(devicev1.Device)
		ledger.DecodeState(v, d)
		if !IsActive(d) {
			return true
		}
		return fn(d)
	})
}
