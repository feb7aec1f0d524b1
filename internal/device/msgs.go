package device

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// Message type names.
const (
	TypeRegisterMaker  = "device/register-maker"
	TypeOnboard        = "device/onboard"
	TypeAssertLocation = "device/assert-location"
	TypeTransfer       = "device/transfer"
	TypeDecommission   = "device/decommission"
)

// Kinds is what the registry needs of the chain's network kinds
// (*kind.Registry implements it): which names exist, and each kind's check
// of the attributes its devices assert.
type Kinds interface {
	Has(name string) bool
	CheckAttributes(st ledger.Store, kind string, attrs []byte) error
}

// Register returns the function that adds the device messages to a
// router, for devices of the given kinds.
func Register(k Kinds) func(*ledger.Router) {
	return func(rt *ledger.Router) {
		rt.Add(TypeRegisterMaker, func(ctx *ledger.Context, raw []byte) *ledger.Error { return handleRegisterMaker(ctx, k, raw) })
		rt.Add(TypeOnboard, handleOnboard)
		rt.Add(TypeAssertLocation, func(ctx *ledger.Context, raw []byte) *ledger.Error { return handleAssertLocation(ctx, k, raw) })
		rt.Add(TypeTransfer, handleTransfer)
		rt.Add(TypeDecommission, handleDecommission)
		rt.Add(TypeSetDenied, handleSetDenied)
	}
}

// checkText accepts 1 to max bytes of printable ASCII; spaces are allowed
// only inside (maker names), never in serials.
func checkText(what, s string, max uint64, spaces bool) *ledger.Error {
	if s == "" {
		return ledger.Errorf(ledger.CodeMalformed, "%s is empty", what)
	}
	if uint64(len(s)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "%s is %d bytes, at most %d allowed", what, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && spaces && i > 0 && i < len(s)-1 {
			continue
		}
		if c <= ' ' || c > '~' {
			return ledger.Errorf(ledger.CodeMalformed, "%s %q has a disallowed character at byte %d", what, s, i)
		}
	}
	return nil
}

// ownedDevice loads a device the signer owns and that is still active.
func ownedDevice(ctx *ledger.Context, raw []byte) (*devicev1.Device, ledger.Address, *ledger.Error) {
	id, err := ledger.AddressFromBytes(raw)
	if err != nil {
		return nil, id, ledger.Errorf(ledger.CodeInvalidAddress, "device: %v", err)
	}
	d, ok := GetDevice(ctx.Store, id)
	if !ok {
		return nil, id, ledger.Errorf(ledger.CodeUnknownDevice, "no device %s", id)
	}
	if owner, _ := ledger.AddressFromBytes(d.Owner); owner != ctx.Signer {
		return nil, id, ledger.Errorf(ledger.CodeUnauthorized, "signer %s does not own device %s (owner %s)", ctx.Signer, id, owner)
	}
	if !IsActive(d) {
		return nil, id, ledger.Errorf(ledger.CodeDeviceDecommissioned, "device %s was decommissioned at height %d", id, d.DecommissionedHeight)
	}
	return d, id, nil
}

// CellString renders an H3 index the way H3 does: lower-case hex.
func CellString(c uint64) string { return strconv.FormatUint(c, 16) }
