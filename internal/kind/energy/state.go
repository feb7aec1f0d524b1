package energy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// The scorer's state is every device's baseline, sorted by device: per
// device its 20-byte address then interval, imported, exported, produced
// and soc as big-endian uint64.
const stateRecord = ledger.AddressLen + 5*8

// DeviceBaseline is a device's baseline in the scorer's state.
type DeviceBaseline struct {
	Device ledger.Address
	Baseline
}

// EncodeState encodes baselines sorted by device.
func EncodeState(bs []DeviceBaseline) []byte {
	bs = slices.Clone(bs)
	slices.SortFunc(bs, func(a, b DeviceBaseline) int { return bytes.Compare(a.Device[:], b.Device[:]) })
	out := make([]byte, 0, len(bs)*stateRecord)
	for _, b := range bs {
		out = append(out, b.Device[:]...)
		for _, v := range []uint64{b.Interval, b.Imported, b.Exported, b.Produced, b.Soc} {
			out = binary.BigEndian.AppendUint64(out, v)
		}
	}
	return out
}

// DecodeState decodes a state; devices must be strictly ascending.
func DecodeState(b []byte) ([]DeviceBaseline, error) {
	if len(b)%stateRecord != 0 {
		return nil, fmt.Errorf("energy: state of %d bytes is not whole records: %w", len(b), kind.ErrInvalid)
	}
	out := make([]DeviceBaseline, 0, len(b)/stateRecord)
	for off := 0; off < len(b); off += stateRecord {
		var d DeviceBaseline
		copy(d.Device[:], b[off:])
		v := func(i int) uint64 { return binary.BigEndian.Uint64(b[off+ledger.AddressLen+8*i:]) }
		d.Baseline = Baseline{Interval: v(0), Imported: v(1), Exported: v(2), Produced: v(3), Soc: v(4)}
		if n := len(out); n > 0 && bytes.Compare(out[n-1].Device[:], d.Device[:]) >= 0 {
			return nil, fmt.Errorf("energy: state devices out of order: %w", kind.ErrInvalid)
		}
		out = append(out, d)
	}
	return out, nil
}
