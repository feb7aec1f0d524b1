package dataaccess

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// ModuleName names the module in genesis and message types.
const ModuleName = "data"

// Prefix is the module's key prefix.
const Prefix byte = 0x40

// Parameters.
var (
	MaxWindowSeconds = params.Spec{Name: "data.max_window_seconds", Default: 366 * 24 * 3600, Min: 60, Max: 10 * 366 * 24 * 3600, Unit: "s",
		Doc: "longest window of a grant"}
	MaxOpenGrants = params.Spec{Name: "data.max_open_grants", Default: 256, Min: 1, Max: 100_000, Unit: "grants",
		Doc: "most pending or active grants of one device"}
)

// Specs lists the module's parameters.
func Specs() []params.Spec { return []params.Spec{MaxWindowSeconds, MaxOpenGrants} }

// Codes 550-599.
const (
	CodeNotOwner      ledger.Code = 550
	CodeNotSensor     ledger.Code = 551
	CodeBadWindow     ledger.Code = 552
	CodeBadChannels   ledger.Code = 553
	CodeSelfGrant     ledger.Code = 554
	CodeTooMany       ledger.Code = 555
	CodeNoGrant       ledger.Code = 556
	CodeNotGrantee    ledger.Code = 557
	CodeNotPending    ledger.Code = 558
	CodeClosed        ledger.Code = 559
	CodeDeviceDenied  ledger.Code = 560
	CodeWindowExpired ledger.Code = 561
)

func init() {
	for _, c := range []struct {
		code ledger.Code
		name string
	}{
		{CodeNotOwner, "not_data_owner"},
		{CodeNotSensor, "not_data_device"},
		{CodeBadWindow, "bad_grant_window"},
		{CodeBadChannels, "bad_grant_channels"},
		{CodeSelfGrant, "grant_to_self"},
		{CodeTooMany, "too_many_grants"},
		{CodeNoGrant, "unknown_data_grant"},
		{CodeNotGrantee, "not_grantee"},
		{CodeNotPending, "grant_not_pending"},
		{CodeClosed, "grant_closed"},
		{CodeDeviceDenied, "data_device_denied"},
		{CodeWindowExpired, "grant_window_over"},
	} {
		ledger.RegisterCode(c.code, c.name)
	}
}
