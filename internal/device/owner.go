package device

import (
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

func handleTransfer(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m devicev1.MsgTransfer
	if e := ledger.Unmarshal(TypeTransfer, raw, &m); e != nil {
		return e
	}
	to, err := ledger.AddressFromBytes(m.NewOwner)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "new owner: %v", err)
	}
	if to.IsZero() {
		return ledger.Errorf(ledger.CodeInvalidAddress, "new owner is the zero address")
	}
	d, id, e := ownedDevice(ctx, m.Device)
	if e != nil {
		return e
	}
	if to == ctx.Signer {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device %s is owned by %s already", id, to)
	}
	updated := proto.Clone(d).(*devicev1.Device)
	updated.Owner = to[:]
	replaceDevice(ctx.Store, ctx.Height, d, updated)
	ctx.Emit("device.transferred",
		ledger.A("device", id.String()), ledger.A("from", ctx.Signer.String()), ledger.A("to", to.String()))
	return nil
}

// decommissionHeight is the height recorded for a decommission. Blocks
// start at height 1; a decommission outside a block (height 0) records 1
// so that it still reads as decommissioned.
func decommissionHeight(h int64) int64 { return max(h, 1) }

func handleDecommission(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m devicev1.MsgDecommission
	if e := ledger.Unmarshal(TypeDecommission, raw, &m); e != nil {
		return e
	}
	d, id, e := ownedDevice(ctx, m.Device)
	if e != nil {
		return e
	}
	updated := proto.Clone(d).(*devicev1.Device)
	updated.DecommissionedHeight = decommissionHeight(ctx.Height)
	replaceDevice(ctx.Store, ctx.Height, d, updated)
	ctx.Emit("device.decommissioned",
		ledger.A("device", id.String()), ledger.A("owner", ctx.Signer.String()),
		ledger.A("height", strconv.FormatInt(updated.DecommissionedHeight, 10)))
	return nil
}
