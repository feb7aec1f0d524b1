package device

import (
	"encoding/binary"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// Key layout under ledger.PrefixDevice (all big-endian):
//
//	'm' maker id                 -> Maker
//	'n' lower-case maker name    -> maker id
//	'd' device id                -> Device
//	's' maker id, serial         -> device id
//	'o' owner, device id         -> device id   (every device of the owner)
//	'c' cell (u64), device id    -> device id   (active devices with a location)
//	'k' kind (u8), device id     -> device id   (active devices)
//	'l' device id, seq (u32)     -> Location    (assertion history, oldest first)
//	'x' device id                -> reason      (the denylist)
//	'v' device id, height (u64)  -> Version     (the record before the changes at height)
//	'r' kind, height (u64), id   -> device id   (devices decommissioned at height)
//	'w' height (u64), device id  -> device id   (versions by height, for pruning)
const (
	tagMaker    = 'm'
	tagName     = 'n'
	tagDevice   = 'd'
	tagSerial   = 's'
	tagOwner    = 'o'
	tagCell     = 'c'
	tagKind     = 'k'
	tagLocation = 'l'
	tagDenied   = 'x'
)

func prefix(tag byte, parts ...[]byte) []byte {
	return ledger.Key(ledger.PrefixDevice, append([][]byte{{tag}}, parts...)...)
}

func makerKey(id ledger.Address) []byte { return prefix(tagMaker, id[:]) }
func nameKey(name string) []byte        { return prefix(tagName, []byte(strings.ToLower(name))) }
func deviceKey(id ledger.Address) []byte {
	return prefix(tagDevice, id[:])
}
func serialKey(maker ledger.Address, serial string) []byte {
	return prefix(tagSerial, maker[:], []byte(serial))
}
func ownerKey(owner, id ledger.Address) []byte { return prefix(tagOwner, owner[:], id[:]) }
func cellKey(cell uint64, id ledger.Address) []byte {
	return prefix(tagCell, ledger.U64(cell), id[:])
}
func kindKey(kind string, id ledger.Address) []byte {
	return prefix(tagKind, kindPrefix(kind), id[:])
}

// kindPrefix is a kind's name with its length first, so that no name's
// keys fall under another's.
func kindPrefix(kind string) []byte {
	return append([]byte{byte(len(kind))}, kind...)
}
func locationKey(id ledger.Address, seq uint32) []byte {
	return prefix(tagLocation, id[:], binary.BigEndian.AppendUint32(nil, seq))
}

// GetMaker returns a registered maker.
func GetMaker(st ledger.Store, id ledger.Address) (*devicev1.Maker, bool) {
	b := st.Get(makerKey(id))
	if b == nil {
		return nil, false
	}
	m := new(devicev1.Maker)
	ledger.DecodeState(b, m)
	return m, true
}

// GetDevice returns a device, active or decommissioned.
func GetDevice(st ledger.Store, id ledger.Address) (*devicev1.Device, bool) {
	b := st.Get(deviceKey(id))
	if b == nil {
		return nil, false
	}
	d := new(devicev1.Device)
	ledger.DecodeState(b, d)
	return d, true
}

// DeviceByPubKey returns the device with an ed25519 public key (ingest looks
// reports up by the key they carry).
func DeviceByPubKey(st ledger.Store, pubKey []byte) (*devicev1.Device, bool) {
	d, ok := GetDevice(st, ledger.AddressOf(pubKey))
	if !ok || string(d.PubKey) != string(pubKey) {
		return nil, false
	}
	return d, true
}

// IsActive reports whether a device is not decommissioned.
func IsActive(d *devicev1.Device) bool { return d.DecommissionedHeight == 0 }

func putMaker(st ledger.Store, m *devicev1.Maker) {
	id, _ := ledger.AddressFromBytes(m.Id)
	st.Set(makerKey(id), ledger.Encode(m))
}

func putDevice(st ledger.Store, d *devicev1.Device) {
	id, _ := ledger.AddressFromBytes(d.Id)
	st.Set(deviceKey(id), ledger.Encode(d))
}

// addIndexes writes the secondary index entries of a device record.
func addIndexes(st ledger.Store, d *devicev1.Device) {
	id, _ := ledger.AddressFromBytes(d.Id)
	owner, _ := ledger.AddressFromBytes(d.Owner)
	st.Set(ownerKey(owner, id), id[:])
	if !IsActive(d) {
		st.Set(retiredKey(d.Kind, d.DecommissionedHeight, id), id[:])
		return
	}
	st.Set(kindKey(d.Kind, id), id[:])
	if d.Location != nil {
		st.Set(cellKey(d.Location.Cell, id), id[:])
	}
}

// removeIndexes deletes the secondary index entries of a device record.
func removeIndexes(st ledger.Store, d *devicev1.Device) {
	id, _ := ledger.AddressFromBytes(d.Id)
	owner, _ := ledger.AddressFromBytes(d.Owner)
	st.Delete(ownerKey(owner, id))
	if !IsActive(d) {
		st.Delete(retiredKey(d.Kind, d.DecommissionedHeight, id))
	}
	st.Delete(kindKey(d.Kind, id))
	if d.Location != nil {
		st.Delete(cellKey(d.Location.Cell, id))
	}
}

// replaceDevice writes a changed device record at height and moves its
// index entries from the old record's to the new one's; the old record is
// kept as the device's version before height (asof.go).
func replaceDevice(st ledger.Store, height int64, old, updated *devicev1.Device) {
	saveVersion(st, old, height)
	removeIndexes(st, old)
	putDevice(st, updated)
	addIndexes(st, updated)
}
