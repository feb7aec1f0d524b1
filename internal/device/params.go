package device

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the device module.
var (
	// AssertFee is burned when a location assertion moves a device to a new
	// cell. Helium burns its assert fee only when the location changes
	// (helium-program-library programs/helium-entity-manager
	// update_iot_info_v0.rs); gain or elevation corrections are free.
	AssertFee = params.Spec{Name: "device.assert_fee", Default: 1_000_000, Min: 0, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "fee burned by a location assertion that changes the device's cell"}
	// MinResolution and MaxResolution bound the H3 resolution of an
	// asserted cell. Coverage scoring takes res-11 parents for its minimum
	// distance check (helium/oracles iot_verifier/src/poc.rs), so cells of
	// resolution 11 to 15 must stay assertable.
	MinResolution = params.Spec{Name: "device.min_resolution", Default: 8, Min: 0, Max: 15, Unit: "h3 resolution",
		Doc: "lowest H3 resolution of an asserted cell"}
	MaxResolution = params.Spec{Name: "device.max_resolution", Default: 12, Min: 0, Max: 15, Unit: "h3 resolution",
		Doc: "highest H3 resolution of an asserted cell"}
	MaxNameLen = params.Spec{Name: "device.max_name_len", Default: 64, Min: 1, Max: 256, Unit: "bytes",
		Doc: "longest maker name"}
	MaxSerialLen = params.Spec{Name: "device.max_serial_len", Default: 64, Min: 1, Max: 256, Unit: "bytes",
		Doc: "longest device serial"}
	// MaxHistory bounds the location assertions kept per device; older ones
	// are pruned (the device's assertion counter keeps counting).
	MaxHistory = params.Spec{Name: "device.max_history", Default: 100, Min: 1, Max: 10_000, Unit: "assertions",
		Doc: "location assertions kept per device"}
)

// Specs lists the device module's parameters.
func Specs() []params.Spec {
	return []params.Spec{AssertFee, MinResolution, MaxResolution, MaxNameLen, MaxSerialLen, MaxHistory}
}

// Result codes of the device module (range 50-69).
const (
	// CodeLocationUnchanged rejects an assertion identical to the current
	// location: it would only pad the history.
	CodeLocationUnchanged ledger.Code = 50
	// CodeInvalidLocation rejects a gain or elevation outside params, or
	// one given for a device kind that has none.
	CodeInvalidLocation ledger.Code = 51
	// CodeDenyUnchanged rejects denying a denied device or lifting the
	// denial of one that is not denied.
	CodeDenyUnchanged ledger.Code = 52
)

func init() {
	ledger.RegisterCode(CodeLocationUnchanged, "location_unchanged")
	ledger.RegisterCode(CodeInvalidLocation, "invalid_location")
	ledger.RegisterCode(CodeDenyUnchanged, "deny_unchanged")
}
