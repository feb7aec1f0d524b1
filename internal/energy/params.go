package energy

import (
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// ModuleName names the module's genesis section and prefixes its params.
// The kind's params ("energy.*") belong to the kind (internal/kind/energy).
const ModuleName = "energy_market"

// Parameters of the energy market.
var (
	GateSeconds = params.Spec{Name: ModuleName + ".gate_closure_seconds", Default: 300, Min: 0, Max: 86_400, Unit: "s",
		Doc: "orders for an interval close this long before it starts; its auction clears then"}
	MaxAhead = params.Spec{Name: ModuleName + ".max_ahead_intervals", Default: 96, Min: 1, Max: 100_000, Unit: "intervals",
		Doc: "furthest interval ahead an order may name"}
	ReadWindow = params.Spec{Name: ModuleName + ".read_window_seconds", Default: 900, Min: 1, Max: 604_800, Unit: "s",
		Doc: "reads of an interval are taken this long after it ends; it settles then"}
	CollateralBps = params.Spec{Name: ModuleName + ".collateral_bps", Default: 5_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "collateral an ask posts, as a share of its value at its price"}
	PenaltyBps = params.Spec{Name: ModuleName + ".penalty_bps", Default: 5_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "penalty on an undelivered Wh, as a share of its value at the clearing price (taken from the collateral)"}
	ImbalancePrice = params.Spec{Name: ModuleName + ".imbalance_price", Default: 400_000, Min: 0, Max: 1_000_000_000_000, Unit: "upin/kWh",
		Doc: "price a buyer pays the grid-balancing account per kWh imported beyond what it bought"}
	MaxPrice = params.Spec{Name: ModuleName + ".max_price", Default: 100_000_000, Min: 1, Max: 1_000_000_000_000, Unit: "upin/kWh",
		Doc: "highest price an order may name"}
	MaxOrders = params.Spec{Name: ModuleName + ".max_orders", Default: 10_000, Min: 1, Max: 1_000_000, Unit: "orders",
		Doc: "most orders in one zone and interval (bounds the end-block auction)"}
	CertificateWh = params.Spec{Name: ModuleName + ".certificate_wh", Default: 1_000_000, Min: 100, Max: 1_000_000_000_000, Unit: "Wh",
		Doc: "settled renewable energy per certificate (1 MWh, as Energy Web Origin and I-REC issue)"}
)

// Specs lists the module's parameters.
func Specs() []params.Spec {
	return []params.Spec{GateSeconds, MaxAhead, ReadWindow, CollateralBps, PenaltyBps, ImbalancePrice, MaxPrice, MaxOrders, CertificateWh}
}

// Module accounts.
var (
	// Escrow holds bids' payments and asks' collateral until settlement.
	Escrow = ledger.ModuleAddress("energy_escrow")
	// Balancing is the grid-balancing account: imbalance payments and
	// shortfall penalties go to it.
	Balancing = ledger.ModuleAddress("energy_balancing")
)

// Result codes of the energy market (range 650-699).
const (
	CodeNotEnergyDevice   ledger.Code = 650 // not an active energy device with attributes
	CodeNotDeviceOwner    ledger.Code = 651 // the signer does not own the device
	CodeGateClosed        ledger.Code = 652 // the interval's orders are closed
	CodeTooFarAhead       ledger.Code = 653 // beyond energy_market.max_ahead_intervals
	CodeAboveRated        ledger.Code = 654 // more Wh than the rated power gives in an interval
	CodeOrderTooSmall     ledger.Code = 655 // the order is worth no whole upin
	CodeBookFull          ledger.Code = 656 // energy_market.max_orders reached
	CodeBadReport         ledger.Code = 657 // the report does not decode or is not an energy read
	CodeBadSignature      ledger.Code = 658 // the report's signature does not verify
	CodeUnknownMeter      ledger.Code = 659 // no active energy device has the report's key
	CodeReadEarly         ledger.Code = 660 // the interval is not over
	CodeReadLate          ledger.Code = 661 // the interval's read window has closed
	CodeDuplicateRead     ledger.Code = 662 // the interval was read already
	CodeStaleRead         ledger.Code = 663 // an interval before the last read
	CodeCounterBackwards  ledger.Code = 664 // a counter went down
	CodeSocAboveCapacity  ledger.Code = 665 // battery above capacity
	CodeImportAboveRated  ledger.Code = 666 // import above rated power × time
	CodeExportAboveRated  ledger.Code = 667 // export above rated power × time
	CodeProductionRated   ledger.Code = 668 // production above rated power × time
	CodeBatteryRate       ledger.Code = 669 // charge changed faster than the charge rate
	CodeExportSources     ledger.Code = 670 // export above production + import + discharge
	CodeUnknownCert       ledger.Code = 671 // no certificate with that id
	CodeNotHolder         ledger.Code = 672 // the signer does not hold the certificate
	CodeCertRetired       ledger.Code = 673 // the certificate is retired already
	CodeRetireConsumption ledger.Code = 674 // retiring it would exceed the holder's metered consumption
	CodeMeterDenied       ledger.Code = 675 // the device is on the denylist
)

// readCodes maps a rejecting reason of internal/kind/energy.Check to its
// code.
var readCodes = map[string]ledger.Code{
	kenergy.ReasonEarly:            CodeReadEarly,
	kenergy.ReasonDuplicate:        CodeDuplicateRead,
	kenergy.ReasonStale:            CodeStaleRead,
	kenergy.ReasonCounterBackwards: CodeCounterBackwards,
	kenergy.ReasonSocAboveCapacity: CodeSocAboveCapacity,
	kenergy.ReasonImportAboveRated: CodeImportAboveRated,
	kenergy.ReasonExportAboveRated: CodeExportAboveRated,
	kenergy.ReasonProductionRated:  CodeProductionRated,
	kenergy.ReasonBatteryRate:      CodeBatteryRate,
	kenergy.ReasonExportSources:    CodeExportSources,
}

// readCode returns the result code of a read Check refused with reason;
// a reason without a code (the test TestReadCodes rules it out) is a bad
// report rather than a silent code 0.
func readCode(reason string) ledger.Code {
	if c, ok := readCodes[reason]; ok {
		return c
	}
	return CodeBadReport
}

func init() {
	for _, c := range []struct {
		code ledger.Code
		name string
	}{
		{CodeNotEnergyDevice, "not_energy_device"},
		{CodeNotDeviceOwner, "not_device_owner"},
		{CodeGateClosed, "gate_closed"},
		{CodeTooFarAhead, "interval_too_far_ahead"},
		{CodeAboveRated, "order_above_rated"},
		{CodeOrderTooSmall, "order_too_small"},
		{CodeBookFull, "book_full"},
		{CodeBadReport, "bad_read_report"},
		{CodeBadSignature, "bad_read_signature"},
		{CodeUnknownMeter, "unknown_meter"},
		{CodeReadEarly, "read_early"},
		{CodeReadLate, "read_late"},
		{CodeDuplicateRead, "duplicate_read"},
		{CodeStaleRead, "interval_backwards"},
		{CodeCounterBackwards, "counter_backwards"},
		{CodeSocAboveCapacity, "soc_above_capacity"},
		{CodeImportAboveRated, "import_above_rated"},
		{CodeExportAboveRated, "export_above_rated"},
		{CodeProductionRated, "production_above_rated"},
		{CodeBatteryRate, "battery_rate_exceeded"},
		{CodeExportSources, "export_exceeds_sources"},
		{CodeUnknownCert, "unknown_certificate"},
		{CodeNotHolder, "not_certificate_holder"},
		{CodeCertRetired, "certificate_retired"},
		{CodeRetireConsumption, "retire_exceeds_consumption"},
		{CodeMeterDenied, "meter_denied"},
	} {
		ledger.RegisterCode(c.code, c.name)
	}
}
