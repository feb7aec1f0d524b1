package device

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// Invariants checks that the registry's records and indexes agree: every
// device has its serial, owner, kind and cell entries (kind and cell only
// while active, a retired entry once decommissioned), every index entry points at a device that matches it, each
// maker's device count is right, and the history holds the latest
// assertion. The app runs it in tests after every block.
func Invariants(st ledger.Store) error {
	makers := map[ledger.Address]*devicev1.Maker{}
	var order []ledger.Address // maker ids in key order
	var err error
	fail := func(format string, args ...any) bool {
		err = fmt.Errorf("device: invariant: "+format, args...)
		return false
	}
	ledger.IteratePrefix(st, prefix(tagMaker), func(k, v []byte) bool {
		m := new(devicev1.Maker)
		ledger.DecodeState(v, m)
		id := ledger.AddressOf(m.PubKey)
		if !bytes.Equal(k[2:], id[:]) || !bytes.Equal(m.Id, id[:]) {
			return fail("maker %q stored under the wrong id", m.Name)
		}
		if !bytes.Equal(st.Get(nameKey(m.Name)), m.Id) {
			return fail("maker %q has no name entry", m.Name)
		}
		makers[id] = m
		order = append(order, id)
		return true
	})
	if err != nil {
		return err
	}
	counts := map[ledger.Address]uint64{}
	want := map[string]bool{} // index keys the records imply
	ledger.IteratePrefix(st, prefix(tagDevice), func(k, v []byte) bool {
		d := new(devicev1.Device)
		ledger.DecodeState(v, d)
		id := ledger.AddressOf(d.PubKey)
		if !bytes.Equal(k[2:], id[:]) || !bytes.Equal(d.Id, id[:]) {
			return fail("device %x stored under the wrong id", d.Id)
		}
		maker, _ := ledger.AddressFromBytes(d.Maker)
		if _, ok := makers[maker]; !ok {
			return fail("device %s names unknown maker %s", id, maker)
		}
		counts[maker]++
		if !bytes.Equal(st.Get(serialKey(maker, d.Serial)), id[:]) {
			return fail("device %s has no serial entry", id)
		}
		owner, _ := ledger.AddressFromBytes(d.Owner)
		want[string(ownerKey(owner, id))] = true
		if !IsActive(d) {
			want[string(retiredKey(d.Kind, d.DecommissionedHeight, id))] = true
		}
		if IsActive(d) {
			want[string(kindKey(d.Kind, id))] = true
			if d.Location != nil {
				want[string(cellKey(d.Location.Cell, id))] = true
			}
		}
		if d.Location != nil {
			if d.Assertions == 0 {
				return fail("device %s has a location and no assertions", id)
			}
			b := st.Get(locationKey(id, d.Assertions-1))
			if b == nil {
				return fail("device %s history lacks its latest assertion", id)
			}
			l := new(devicev1.Location)
			ledger.DecodeState(b, l)
			if l.Cell != d.Location.Cell || !bytes.Equal(l.Attributes, d.Location.Attributes) || l.Height != d.Location.Height {
				return fail("device %s latest history entry differs from its location", id)
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, id := range order {
		if m := makers[id]; m.Devices != counts[id] {
			return fmt.Errorf("device: invariant: maker %q counts %d devices, %d onboarded", m.Name, m.Devices, counts[id])
		}
	}
	for _, tag := range []byte{tagOwner, tagKind, tagCell, tagRetired} {
		ledger.IteratePrefix(st, prefix(tag), func(k, v []byte) bool {
			if !want[string(k)] {
				return fail("stray index entry %x", k)
			}
			if !bytes.Equal(k[len(k)-ledger.AddressLen:], v) {
				return fail("index entry %x holds %x", k, v)
			}
			delete(want, string(k))
			return true
		})
		if err != nil {
			return err
		}
	}
	// Every version is indexed by height, and every height entry names a
	// version of a known device.
	ledger.IteratePrefix(st, prefix(tagVersion), func(k, _ []byte) bool {
		id, h := k[2:2+ledger.AddressLen], k[2+ledger.AddressLen:]
		if _, ok := GetDevice(st, ledger.Address(id)); !ok {
			return fail("version %x of an unknown device", k)
		}
		want[string(prefix(tagVersionHeight, h, id))] = true
		return true
	})
	if err != nil {
		return err
	}
	ledger.IteratePrefix(st, prefix(tagVersionHeight), func(k, _ []byte) bool {
		if !want[string(k)] {
			return fail("stray version height entry %x", k)
		}
		delete(want, string(k))
		return true
	})
	if err != nil {
		return err
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for k := range want {
			missing = append(missing, k)
		}
		slices.Sort(missing)
		return fmt.Errorf("device: invariant: %d missing index entries, first %x", len(missing), missing[0])
	}
	return nil
}
