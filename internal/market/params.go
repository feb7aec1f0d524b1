package market

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the market module.
var (
	// TakeRateBps goes to the treasury from every payment. Akash's x/take
	// defaulted to 2% for uakt and 20% for other denoms
	// (chain-sdk go/node/take/v1/params.go).
	TakeRateBps = params.Spec{Name: "market.take_rate_bps", Default: 200, Min: 0, Max: 5_000, Unit: "bps",
		Doc: "share of every lease payment sent to the treasury"}
	SettlePeriod = params.Spec{Name: "market.settle_period_blocks", Default: 10, Min: 1, Max: 100_000, Unit: "blocks",
		Doc: "blocks between two settlements of a lease by the end-block sweep"}
	// MinDeposit is an order's smallest deposit (Akash MinDeposits:
	// 500000uakt).
	MinDeposit = params.Spec{Name: "market.min_deposit", Default: 500_000, Min: 1, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "smallest deposit of an order"}
	// MinCollateral is a bid's smallest collateral (Akash BidMinDeposits:
	// 500000uakt).
	MinCollateral = params.Spec{Name: "market.min_collateral", Default: 500_000, Min: 0, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "smallest collateral of a bid"}
	BidTimeout = params.Spec{Name: "market.bid_timeout_blocks", Default: 300, Min: 1, Max: 10_000_000, Unit: "blocks",
		Doc: "blocks during which a bid can be accepted"}
	// MaxBids bounds the bids of an order (Akash OrderMaxBids: default 20,
	// at most 500).
	MaxBids = params.Spec{Name: "market.max_bids", Default: 20, Min: 1, Max: 500, Unit: "bids",
		Doc: "most bids placed on one order"}
	MaxDuration = params.Spec{Name: "market.max_duration_blocks", Default: 100_000_000, Min: 1, Max: 1_000_000_000, Unit: "blocks",
		Doc: "longest lease an order may ask for"}
	MaxDepositors = params.Spec{Name: "market.max_depositors", Default: 16, Min: 1, Max: 256, Unit: "deposits",
		Doc: "most separate deposits into one lease (a depositor's consecutive top-ups merge)"}
	MaxAttributes = params.Spec{Name: "market.max_attributes", Default: 32, Min: 1, Max: 256, Unit: "attributes",
		Doc: "most attributes a provider declares, an auditor attests or an order requires"}
	MaxAuditors = params.Spec{Name: "market.max_auditors", Default: 64, Min: 1, Max: 1_024, Unit: "auditors",
		Doc: "most auditors in the auditor set"}
	MaxReceipts = params.Spec{Name: "market.max_receipts", Default: 256, Min: 1, Max: 10_000, Unit: "receipts",
		Doc: "most receipts in one batch"}
	// UsageCap caps a provider's usage-pool payout at credits spent with it
	// × this many upin (0: no cap), as Helium pays data transfer at most the
	// value of the DC burned (iot_verifier reward_share.rs).
	UsageCap = params.Spec{Name: "market.usage_cap_upin_per_credit", Default: 20, Min: 0, Max: 1_000_000_000, Unit: "upin",
		Doc: "most usage-pool upin paid per credit spent with a provider (0: no cap)"}
	// Bootstrapping sends the part of an epoch's usage pool that usage does
	// not earn to the availability (device) pools when 1, to the treasury
	// when 0 (DESIGN principle 2).
	Bootstrapping = params.Spec{Name: "market.bootstrapping", Default: 1, Min: 0, Max: 1, Unit: "flag",
		Doc: "1 while the unearned usage pool flows to the availability pools"}
)

// Specs lists the market module's parameters.
func Specs() []params.Spec {
	return []params.Spec{TakeRateBps, SettlePeriod, MinDeposit, MinCollateral, BidTimeout, MaxBids, MaxDuration,
		MaxDepositors, MaxAttributes, MaxAuditors, MaxReceipts, UsageCap, Bootstrapping}
}

// Result codes of the market module (the market range is 300-329).
const (
	CodeUnknownProvider   ledger.Code = 300 // no provider with that address
	CodeProviderExists    ledger.Code = 301 // the signer is a provider already
	CodeNotAuditor        ledger.Code = 302 // the signer is not in the auditor set
	CodeUnknownOrder      ledger.Code = 303 // no order with that id
	CodeOrderNotOpen      ledger.Code = 304 // the order is matched or closed
	CodePriceAboveMax     ledger.Code = 305 // the bid's price exceeds the order's maximum
	CodeBidExists         ledger.Code = 306 // the provider bid on this order already
	CodeUnknownBid        ledger.Code = 307 // no bid by that provider on that order
	CodeBidNotOpen        ledger.Code = 308 // the bid was accepted, lost or closed
	CodeBidExpired        ledger.Code = 309 // the bid's timeout passed
	CodeRequirementsUnmet ledger.Code = 310 // the provider lacks a required attribute or attestation
	CodeUnknownLease      ledger.Code = 311 // no lease with that id
	CodeLeaseClosed       ledger.Code = 312 // the lease is closed
	CodeTooManyBids       ledger.Code = 313 // the order has market.max_bids bids
	CodeDepositTooLow     ledger.Code = 314 // below market.min_deposit, or cannot pay one block
	CodeCollateralTooLow  ledger.Code = 315 // below market.min_collateral
	CodeForgedReceipt     ledger.Code = 316 // a receipt's signature or key does not match its payer
	CodeReceiptReplayed   ledger.Code = 317 // a receipt's nonce is not above the last one paid
	CodeReceiptProvider   ledger.Code = 318 // a receipt names another provider than the signer
	CodeReceiptChain      ledger.Code = 319 // a receipt is for another chain
	CodeBadCloseReason    ledger.Code = 320 // the reason is outside the closer's range
	CodeTooManyDepositors ledger.Code = 321 // the lease has market.max_depositors deposits
	CodeAuditorSetFull    ledger.Code = 322 // the auditor set has market.max_auditors members
	CodeReceiptLease      ledger.Code = 323 // a receipt's lease is not the payer's with this provider
	CodeUnknownAuditor    ledger.Code = 324 // no auditor with that address
	CodeReceiptPeriod     ledger.Code = 325 // a receipt's period is empty or in the future
	CodeLeaseSettled      ledger.Code = 326 // the lease has paid blocks already and cannot restart
)

func init() {
	for _, c := range []struct {
		code ledger.Code
		name string
	}{
		{CodeUnknownProvider, "unknown_provider"},
		{CodeProviderExists, "provider_exists"},
		{CodeNotAuditor, "not_auditor"},
		{CodeUnknownOrder, "unknown_order"},
		{CodeOrderNotOpen, "order_not_open"},
		{CodePriceAboveMax, "price_above_max"},
		{CodeBidExists, "bid_exists"},
		{CodeUnknownBid, "unknown_bid"},
		{CodeBidNotOpen, "bid_not_open"},
		{CodeBidExpired, "bid_expired"},
		{CodeRequirementsUnmet, "requirements_unmet"},
		{CodeUnknownLease, "unknown_lease"},
		{CodeLeaseClosed, "lease_closed"},
		{CodeTooManyBids, "too_many_bids"},
		{CodeDepositTooLow, "deposit_too_low"},
		{CodeCollateralTooLow, "collateral_too_low"},
		{CodeForgedReceipt, "forged_receipt"},
		{CodeReceiptReplayed, "receipt_replayed"},
		{CodeReceiptProvider, "receipt_wrong_provider"},
		{CodeReceiptChain, "receipt_wrong_chain"},
		{CodeBadCloseReason, "bad_close_reason"},
		{CodeTooManyDepositors, "too_many_depositors"},
		{CodeAuditorSetFull, "auditor_set_full"},
		{CodeReceiptLease, "receipt_wrong_lease"},
		{CodeUnknownAuditor, "unknown_auditor"},
		{CodeReceiptPeriod, "receipt_bad_period"},
		{CodeLeaseSettled, "lease_settled"},
	} {
		ledger.RegisterCode(c.code, c.name)
	}
}

// Close reasons, range-coded as in Akash (market/v1/types.proto): 1-9999
// the lease's owner, 10000-19999 its provider, 20000 and up the network.
const (
	ReasonOwner                   uint32 = 1
	ReasonProvider                uint32 = 10000
	ReasonProviderUnstable        uint32 = 10001
	ReasonProviderDecommission    uint32 = 10002
	ReasonProviderManifestTimeout uint32 = 10003
	ReasonInsufficientFunds       uint32 = 20000
	ReasonExpired                 uint32 = 20001
	ReasonStorageFault            uint32 = 20002
	ReasonNotAcknowledged         uint32 = 20003
)

// Reasons lists every close reason with its name, in code order.
var Reasons = []struct {
	Code uint32
	Name string
	Doc  string
}{
	{ReasonOwner, "owner_closed", "the lease's owner closed it"},
	{ReasonProvider, "provider_closed", "the provider closed it without a more specific reason"},
	{ReasonProviderUnstable, "provider_unstable", "the provider closed it: the workload was unstable"},
	{ReasonProviderDecommission, "provider_decommission", "the provider closed it: the resources are decommissioned"},
	{ReasonProviderManifestTimeout, "provider_manifest_timeout", "the provider closed it: the consumer never sent its workload"},
	{ReasonInsufficientFunds, "insufficient_funds", "the escrow could not pay one more block (end-block sweep)"},
	{ReasonExpired, "expired", "the lease reached its end height (end-block sweep)"},
	{ReasonStorageFault, "storage_fault", "the storage module closed it: the provider failed its proofs or was disqualified"},
	{ReasonNotAcknowledged, "upload_not_acknowledged", "the storage module closed it: the provider never acknowledged the upload"},
}

// ReasonName returns a close reason's name.
func ReasonName(r uint32) string {
	for _, x := range Reasons {
		if x.Code == r {
			return x.Name
		}
	}
	switch {
	case r >= 1 && r < 10000:
		return "owner_closed"
	case r >= 10000 && r < 20000:
		return "provider_closed"
	}
	return "network_closed"
}

// Module accounts of the market. No key can sign for them.
var (
	// Escrow holds open orders' deposits and active leases' balances.
	Escrow = ledger.ModuleAddress("market_escrow")
	// Collateral holds open and active bids' collateral.
	Collateral = ledger.ModuleAddress("market_collateral")
	// Treasury receives the take; it is the reward module's treasury.
	Treasury = ledger.ModuleAddress("treasury")
)
