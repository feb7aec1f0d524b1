package device

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// TypeSetDenied puts a device on the denylist or takes it off.
const TypeSetDenied = "device/set-denied"

// maxDenyReason bounds the reason recorded with a denylist entry.
const maxDenyReason = 128

func deniedKey(id ledger.Address) []byte { return prefix(tagDenied, id[:]) }

// Denied reports whether a device is on the denylist, and why.
func Denied(st ledger.Store, id ledger.Address) (string, bool) {
	b := st.Get(deniedKey(id))
	if b == nil {
		return "", false
	}
	return string(b), true
}

func handleSetDenied(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m devicev1.MsgSetDenied
	if e := ledger.Unmarshal(TypeSetDenied, raw, &m); e != nil {
		return e
	}
	id, err := ledger.AddressFromBytes(m.Device)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device: %v", err)
	}
	if m.Denied {
		if e := checkText("reason", m.Reason, maxDenyReason, true); e != nil {
			return e
		}
	} else if m.Reason != "" {
		return ledger.Errorf(ledger.CodeMalformed, "a reason is recorded only when denying")
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	d, ok := GetDevice(ctx.Store, id)
	if !ok {
		return ledger.Errorf(ledger.CodeUnknownDevice, "no device %s", id)
	}
	_, was := Denied(ctx.Store, id)
	if was == m.Denied {
		if m.Denied {
			return ledger.Errorf(CodeDenyUnchanged, "device %s is on the denylist already", id)
		}
		return ledger.Errorf(CodeDenyUnchanged, "device %s is not on the denylist", id)
	}
	saveVersion(ctx.Store, d, ctx.Height)
	if m.Denied {
		ctx.Store.Set(deniedKey(id), []byte(m.Reason))
	} else {
		ctx.Store.Delete(deniedKey(id))
	}
	ctx.Emit("device.denied", ledger.A("device", id.String()), ledger.A("denied", strconv.FormatBool(m.Denied)), ledger.A("reason", m.Reason))
	return nil
}

// SetDeniedMsg builds a device/set-denied message.
func SetDeniedMsg(device ledger.Address, denied bool, reason string) (string, []byte) {
	return TypeSetDenied, ledger.Encode(&devicev1.MsgSetDenied{Device: device[:], Denied: denied, Reason: reason})
}
