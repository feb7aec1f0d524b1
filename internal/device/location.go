package device

import (
	"bytes"
	"encoding/hex"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// CheckCell validates an asserted cell: a valid H3 cell whose resolution is
// within the params bounds.
func CheckCell(st ledger.Store, cell uint64) *ledger.Error {
	if !IsValidCell(cell) {
		return ledger.Errorf(ledger.CodeInvalidCell, "%s is not a valid H3 cell", CellString(cell))
	}
	lo, hi := params.Get(st, MinResolution), params.Get(st, MaxResolution)
	if res := uint64(CellResolution(cell)); res < lo || res > hi {
		return ledger.Errorf(ledger.CodeInvalidCell, "cell %s has resolution %d, allowed %d to %d", CellString(cell), res, lo, hi)
	}
	return nil
}

// MaxAttributesLen bounds the attributes asserted with a location.
const MaxAttributesLen = 1024

// checkLocation validates an assertion for a device of a kind: the cell,
// and the attributes as the kind checks them.
func checkLocation(st ledger.Store, known Kinds, kind string, cell uint64, attrs []byte) *ledger.Error {
	if e := CheckCell(st, cell); e != nil {
		return e
	}
	if len(attrs) > MaxAttributesLen {
		return ledger.Errorf(CodeInvalidLocation, "attributes are %d bytes, at most %d allowed", len(attrs), MaxAttributesLen)
	}
	if err := known.CheckAttributes(st, kind, attrs); err != nil {
		return ledger.Errorf(CodeInvalidLocation, "%v", err)
	}
	return nil
}

func handleAssertLocation(ctx *ledger.Context, known Kinds, raw []byte) *ledger.Error {
	var m devicev1.MsgAssertLocation
	if e := ledger.Unmarshal(TypeAssertLocation, raw, &m); e != nil {
		return e
	}
	d, id, e := ownedDevice(ctx, m.Device)
	if e != nil {
		return e
	}
	if e := checkLocation(ctx.Store, known, d.Kind, m.Cell, m.Attributes); e != nil {
		return e
	}
	cur := d.Location
	if cur != nil && cur.Cell == m.Cell && bytes.Equal(cur.Attributes, m.Attributes) {
		return ledger.Errorf(CodeLocationUnchanged, "device %s is already at cell %s with the same attributes", id, CellString(m.Cell))
	}
	var fee uint64
	if cur == nil || cur.Cell != m.Cell {
		fee = params.Get(ctx.Store, AssertFee)
	}
	seq := d.Assertions
	if seq == ^uint32(0) {
		return ledger.Errorf(ledger.CodeOverflow, "device %s assertion count overflows", id)
	}
	if bal := bank.Balance(ctx.Store, ctx.Signer); bal < fee {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, the assertion burns %d", ctx.Signer, bal, fee)
	}
	if e := bank.Burn(ctx.Store, ctx.Signer, fee); e != nil {
		return e // Burn changes nothing on failure, and nothing is written yet
	}
	loc := &devicev1.Location{Cell: m.Cell, Attributes: m.Attributes, Height: ctx.Height}
	updated := proto.Clone(d).(*devicev1.Device)
	updated.Location = loc
	updated.Assertions = seq + 1
	replaceDevice(ctx.Store, ctx.Height, d, updated)
	ctx.Store.Set(locationKey(id, seq), ledger.Encode(loc))
	pruneHistory(ctx.Store, id, updated.Assertions, params.Get(ctx.Store, MaxHistory))
	ctx.Emit("device.location_asserted",
		ledger.A("device", id.String()), ledger.A("owner", ctx.Signer.String()),
		ledger.A("cell", CellString(m.Cell)), ledger.A("attributes", hex.EncodeToString(m.Attributes)), ledger.AU64("burned", fee))
	return nil
}

// pruneHistory deletes the assertions older than the newest keep of count.
func pruneHistory(st ledger.Store, id ledger.Address, count uint32, keep uint64) {
	if uint64(count) <= keep {
		return
	}
	cut := count - uint32(keep)
	var old [][]byte
	st.Iterate(locationKey(id, 0), locationKey(id, cut), func(k, _ []byte) bool {
		old = append(old, append([]byte(nil), k...))
		return true
	})
	for _, k := range old {
		st.Delete(k)
	}
}

// Locations returns a device's kept location assertions, oldest first, one
// page at a time.
func Locations(st ledger.Store, id ledger.Address, page Page) ([]*devicev1.Location, []byte) {
	var out []*devicev1.Location
	next := scan(st, prefix(tagLocation, id[:]), page, func(_, v []byte) bool {
		l := new(devicev1.Location)
		ledger.DecodeState(v, l)
		out = append(out, l)
		return true
	})
	return out, next
}
