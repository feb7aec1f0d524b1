package device

import (
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// The registry as of a height. The oracles score an epoch with the
// registry as it was at the epoch's end height, not as it is when they get
// to it (after the segment grace window, or after a restart), so that every
// oracle scores the same devices, owners, locations and denylist however
// late it runs (docs/proof-of-coverage.md, "Why oracles agree").
//
// Three things make that readable from current state:
//
//   - a device's onboarded height (it did not exist before) and its kind
//     never change;
//   - every change to a device record or its denylist entry first saves the
//     record and denylist flag as they were (a Version under 'v', device id,
//     height), once per device and height; the state at height h is the
//     first version saved after h, or the current record if none was;
//   - decommissioned devices stay listed by kind and decommission height
//     (under 'r'), so a device decommissioned after h is found.
//
// Versions are pruned as epochs settle (PruneVersions, called by the
// reward module): once epoch n settled, no oracle reads the registry as of
// a height before its end again (epochs settle in order; replay reads the
// agreed bundle), so the versions saved at or before that height go. A
// version is also indexed by height ('w', height, device id) so that pruning
// reads only what it deletes.

const (
	tagVersion       = 'v'
	tagRetired       = 'r'
	tagVersionHeight = 'w'
)

func versionHeightKey(height int64, id ledger.Address) []byte {
	return prefix(tagVersionHeight, ledger.U64(uint64(height)), id[:])
}

func versionKey(id ledger.Address, height int64) []byte {
	return prefix(tagVersion, id[:], ledger.U64(uint64(height)))
}

func retiredKey(kind string, height int64, id ledger.Address) []byte {
	return prefix(tagRetired, kindPrefix(kind), ledger.U64(uint64(height)), id[:])
}

// saveVersion records d (and its denylist flag) as it was before a change
// at height, unless a version of that height was saved already: the first
// change of a height saves the state the previous height left. Changes at
// height 0 (genesis) precede every epoch and save nothing.
func saveVersion(st ledger.Store, d *devicev1.Device, height int64) {
	if height <= 0 {
		return
	}
	id, _ := ledger.AddressFromBytes(d.Id)
	k := versionKey(id, height)
	if st.Get(k) != nil {
		return
	}
	_, denied := Denied(st, id)
	st.Set(k, ledger.Encode(&devicev1.Version{Device: d, Denied: denied}))
	st.Set(versionHeightKey(height, id), id[:])
}

// PruneVersions deletes the versions saved at heights up to upTo and
// returns how many: the registry can no longer be read as of a height
// before upTo. The reward module calls it with an epoch's end height when
// the epoch settles.
func PruneVersions(st ledger.Store, upTo int64) int {
	if upTo <= 0 {
		return 0
	}
	var keys [][]byte
	st.Iterate(prefix(tagVersionHeight), versionHeightKey(upTo+1, ledger.Address{}), func(k, v []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	})
	for _, k := range keys {
		h := int64(ledger.ReadU64(k[2 : 2+8]))
		id, _ := ledger.AddressFromBytes(k[2+8:])
		st.Delete(versionKey(id, h))
		st.Delete(k)
	}
	return len(keys)
}

// DeviceAt returns a device's record and denylist flag as they were at the
// end of height, and false if it was not onboarded by then.
func DeviceAt(st ledger.Store, id ledger.Address, height int64) (*devicev1.Device, bool, bool) {
	d, ok := GetDevice(st, id)
	if !ok || d.OnboardedHeight > height {
		return nil, false, false
	}
	return versionAt(st, d, height)
}

// versionAt resolves the current record cur to its state at height.
func versionAt(st ledger.Store, cur *devicev1.Device, height int64) (*devicev1.Device, bool, bool) {
	id, _ := ledger.AddressFromBytes(cur.Id)
	var v *devicev1.Version
	if height >= 0 {
		st.Iterate(versionKey(id, height+1), ledger.PrefixEnd(prefix(tagVersion, id[:])), func(_, b []byte) bool {
			v = new(devicev1.Version)
			ledger.DecodeState(b, v)
			return false
		})
	}
	if v != nil && v.Device != nil {
		return v.Device, v.Denied, true
	}
	_, denied := Denied(st, id)
	return cur, denied, true
}

// activeAt reports whether a record read as of height is active then.
func activeAt(d *devicev1.Device, height int64) bool {
	return d.OnboardedHeight <= height && (d.DecommissionedHeight == 0 || d.DecommissionedHeight > height)
}

// DevicesAt calls fn with every device of a kind that was active at the
// end of height, as it was then, with its denylist flag, until fn returns
// false: first the devices active now, in id order, then those
// decommissioned since, by decommission height and id.
func DevicesAt(st ledger.Store, kind string, height int64, fn func(d *devicev1.Device, denied bool) bool) {
	more := true
	visit := func(_, idb []byte) bool {
		id, err := ledger.AddressFromBytes(idb)
		if err != nil {
			return true // the invariant checks index entries
		}
		cur, ok := GetDevice(st, id)
		if !ok || cur.OnboardedHeight > height {
			return true
		}
		d, denied, _ := versionAt(st, cur, height)
		if !activeAt(d, height) {
			return true
		}
		more = fn(d, denied)
		return more
	}
	ledger.IteratePrefix(st, prefix(tagKind, kindPrefix(kind)), visit)
	if !more {
		return
	}
	st.Iterate(retiredKey(kind, height+1, ledger.Address{}), ledger.PrefixEnd(prefix(tagRetired, kindPrefix(kind))), visit)
}
