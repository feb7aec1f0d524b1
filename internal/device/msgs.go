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

// Register adds the device messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeRegisterMaker, handleRegisterMaker)
	rt.Add(TypeOnboard, handleOnboard)
	rt.Add(TypeAssertLocation, handleAssertLocation)
	rt.Add(TypeTransfer, handleTransfer)
	rt.Add(TypeDecommission, handleDecommission)
	rt.Add(TypeSetDenied, handleSetDenied)
}

// validKind reports whether k names one of the five device kinds.
func validKind(k devicev1.Kind) bool {
	return k >= devicev1.Kind_KIND_COVERAGE && k <= devicev1.Kind_KIND_COMPUTE
}

// KindName is the short name of a kind ("coverage"), as used in events.
func KindName(k devicev1.Kind) string {
	switch k {
	case devicev1.Kind_KIND_COVERAGE:
		return "coverage"
	case devicev1.Kind_KIND_STORAGE:
		return "storage"
	case devicev1.Kind_KIND_SENSOR:
		return "sensor"
	case devicev1.Kind_KIND_ENERGY:
		return "energy"
	case devicev1.Kind_KIND_COMPUTE:
		return "compute"
	}
	return "kind_" + strconv.Itoa(int(k))
}

// ParseKind is the inverse of KindName.
func ParseKind(s string) (devicev1.Kind, bool) {
	for k := devicev1.Kind_KIND_COVERAGE; k <= devicev1.Kind_KIND_COMPUTE; k++ {
		if KindName(k) == s {
			return k, true
		}
	}
	return devicev1.Kind_KIND_UNSPECIFIED, false
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

func attr(k, v string) ledger.Attr { return ledger.Attr{Key: k, Value: v} }

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

// CellString renders an H3 index the way H3 does: lower-case hex.
func CellString(c uint64) string { return strconv.FormatUint(c, 16) }
