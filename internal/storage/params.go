package storage

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// MiB is the unit of a storage order's quantity: an order for q units holds
// a shard of at most q MiB, and its price is per MiB per block.
const MiB = 1 << 20

// Kind is the market kind of storage orders and leases.
const Kind = "storage"

// Parameters of the storage module.
var (
	// ProofPeriod: a proof window opens every this many blocks (Sia's
	// ProofWindow is 144 blocks of 10 minutes, PDP's proving period 2880
	// epochs of 30 s, reference/next-stage.md §2.1-2.2; a devnet proves
	// often).
	ProofPeriod = params.Spec{Name: "storage.proof_period_blocks", Default: 20, Min: 2, Max: 100_000, Unit: "blocks",
		Doc: "blocks between the openings of two proof windows"}
	// ProofWindow is how long a window stays open (PDP's challengeWindow:
	// 60 epochs).
	ProofWindow = params.Spec{Name: "storage.proof_window_blocks", Default: 10, Min: 1, Max: 100_000, Unit: "blocks",
		Doc: "blocks after its opening during which a window takes proofs (at most the period)"}
	AckTimeout = params.Spec{Name: "storage.ack_timeout_blocks", Default: 30, Min: 1, Max: 100_000, Unit: "blocks",
		Doc: "blocks a provider has to acknowledge an upload before the deal closes and the consumer is refunded"}
	MinCollateral = params.Spec{Name: "storage.min_collateral", Default: 100_000, Min: 0, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "smallest collateral a provider locks per deal"}
	// CollateralPerMiB: collateral scales with the bytes at risk, as
	// Filecoin's provider collateral with deal size (markets.md §3.3).
	CollateralPerMiB = params.Spec{Name: "storage.collateral_per_mib", Default: 10_000, Min: 0, Max: 1_000_000_000_000, Unit: "upin",
		Doc: "collateral per MiB of a deal's order quantity"}
	MissSlashBps = params.Spec{Name: "storage.miss_slash_bps", Default: 1_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of a deal's collateral slashed for a missed proof window"}
	// WrongSlashBps is heavier than a miss: a wrong proof is a provider
	// claiming data it does not have (Filecoin's invalid WindowPoSt fee
	// exceeds its fault fee, markets.md §3.2).
	WrongSlashBps = params.Spec{Name: "storage.wrong_proof_slash_bps", Default: 2_500, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of a deal's collateral slashed for a proof that does not verify"}
	// TerminationSlashBps: a provider that closes a deal's lease early
	// forfeits this share (Filecoin's termination fee, markets.md §3.2).
	TerminationSlashBps = params.Spec{Name: "storage.termination_slash_bps", Default: 5_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of a deal's collateral slashed when its provider closes the lease early"}
	// OwnerShareBps of every slash goes to the deal's owner; the rest is
	// burned (Sia burns a missed proof's risked collateral, Filecoin burns
	// penalties).
	OwnerShareBps = params.Spec{Name: "storage.owner_share_bps", Default: 5_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of every slash paid to the deal's owner; the rest is burned"}
	MaxMissedInRow = params.Spec{Name: "storage.max_missed_in_row", Default: 3, Min: 1, Max: 1_000, Unit: "windows",
		Doc: "consecutive missed or wrong proofs after which a deal closes for repair"}
	MaxProofs = params.Spec{Name: "storage.max_proofs", Default: 256, Min: 1, Max: 10_000, Unit: "proofs",
		Doc: "most proofs in one transaction"}
	MaxLeafSize = params.Spec{Name: "storage.max_leaf_bytes", Default: 4_096, Min: 64, Max: 65_536, Unit: "bytes",
		Doc: "largest leaf a deal may use (a proof carries one leaf)"}
	// RepLambda is Storj's AuditLambda (0.999), in millionths.
	RepLambda = params.Spec{Name: "storage.rep_lambda_ppm", Default: 999_000, Min: 0, Max: 1_000_000, Unit: "ppm",
		Doc: "forgetting factor λ of the reputation score"}
	// RepWeight is Storj's AuditWeight (1).
	RepWeight = params.Spec{Name: "storage.rep_weight", Default: 1, Min: 1, Max: 1_000, Unit: "outcomes",
		Doc: "weight w of one proof outcome"}
	// RepInitialAlpha is Storj's InitialAlpha (1000; InitialBeta 0).
	RepInitialAlpha = params.Spec{Name: "storage.rep_initial_alpha", Default: 1_000, Min: 1, Max: 1_000_000, Unit: "outcomes",
		Doc: "α of a new provider (β starts at 0)"}
	// VettingProofs is Storj's vetting TotalAuditCount (100).
	VettingProofs = params.Spec{Name: "storage.vetting_proofs", Default: 100, Min: 0, Max: 1_000_000, Unit: "proofs",
		Doc: "proof outcomes before a provider is vetted"}
	// VettingMaxOpenDeals caps what a provider still being vetted may hold:
	// Storj sends unvetted nodes only a small share (5%) of new uploads
	// until they pass vetting (reference/markets.md §2.2); depin caps their
	// open (pending or active) deals instead.
	VettingMaxOpenDeals = params.Spec{Name: "storage.vetting_max_open_deals", Default: 32, Min: 1, Max: 1_000_000, Unit: "deals",
		Doc: "most open (pending or active) deals a provider may hold until it is vetted"}
	// SuspendScore: Storj suspends on its unknown-audit score (0.6); depin
	// has no unknown outcome on chain and suspends on the audit score
	// before disqualifying, so an operator gets a warning with a cost.
	SuspendScore = params.Spec{Name: "storage.suspend_score_ppm", Default: 980_000, Min: 0, Max: 1_000_000, Unit: "ppm",
		Doc: "score at or below which a provider is suspended"}
	// DQScore is Storj's AuditDQ (0.96): about 41 failures in a row from a
	// perfect score with the defaults.
	DQScore = params.Spec{Name: "storage.dq_score_ppm", Default: 960_000, Min: 0, Max: 1_000_000, Unit: "ppm",
		Doc: "score at or below which a provider is disqualified, permanently (at most the suspension score)"}
	// ReportSlashBps: a provider that signed a download of bytes it did not
	// commit to is treated like a wrong proof (the bytes it keeps are not
	// the deal's).
	ReportSlashBps = params.Spec{Name: "storage.corrupt_download_slash_bps", Default: 2_500, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of a deal's collateral slashed for an upheld report of a corrupt download"}
	// RepairReward pays whoever repairs a shard (the repair worker, any
	// party), from the file owner's repair fund, on top of the deposits it
	// put into the new lease (Storj pays repair egress separately,
	// reference/markets.md §2.3).
	RepairReward = params.Spec{Name: "storage.repair_reward", Default: 10_000, Min: 0, Max: 1_000_000_000_000, Unit: "upin",
		Doc: "paid from the file owner's repair fund to whoever places a repaired shard, besides its lease deposits"}
	ReportMaxAge = params.Spec{Name: "storage.report_max_age_blocks", Default: 200, Min: 1, Max: 100_000, Unit: "blocks",
		Doc: "oldest download statement a report may carry, in blocks before the report"}
)

// Specs lists the storage module's parameters.
func Specs() []params.Spec {
	return []params.Spec{ProofPeriod, ProofWindow, AckTimeout, MinCollateral, CollateralPerMiB, MissSlashBps,
		WrongSlashBps, TerminationSlashBps, OwnerShareBps, MaxMissedInRow, MaxProofs, MaxLeafSize, RepLambda,
		RepWeight, RepInitialAlpha, VettingProofs, VettingMaxOpenDeals, SuspendScore, DQScore,
		ReportSlashBps, ReportMaxAge, RepairReward}
}

// CheckParams holds the rules between parameters.
func CheckParams(get params.Lookup) *ledger.Error {
	if w, p := get(ProofWindow), get(ProofPeriod); w > p {
		return ledger.Errorf(ledger.CodeParamsInconsistent, "storage.proof_window_blocks %d exceeds storage.proof_period_blocks %d", w, p)
	}
	if dq, s := get(DQScore), get(SuspendScore); dq > s {
		return ledger.Errorf(ledger.CodeParamsInconsistent, "storage.dq_score_ppm %d exceeds storage.suspend_score_ppm %d", dq, s)
	}
	return nil
}

// Result codes of the storage module (the storage range is 500-549).
const (
	CodeUnknownDeal        ledger.Code = 500 // no deal with that id
	CodeDealExists         ledger.Code = 501 // the lease holds a deal already
	CodeNotStorageLease    ledger.Code = 502 // the lease is not an active storage lease
	CodeShardTooLarge      ledger.Code = 503 // the shard is larger than the order's quantity
	CodeDealNotPending     ledger.Code = 504 // the deal was acknowledged or closed
	CodeDealNotActive      ledger.Code = 505 // the deal is pending or closed
	CodeAckTooLate         ledger.Code = 506 // the acknowledgement deadline passed
	CodeWindowNotOpen      ledger.Code = 507 // the proof's window is not the open one (early or late)
	CodeWrongLeaf          ledger.Code = 508 // the proof is for another leaf than the challenged one
	CodeNotProvider        ledger.Code = 509 // the signer is not the deal's provider
	CodeAlreadyProven      ledger.Code = 510 // the deal has a proof in this window already
	CodeProviderSuspended  ledger.Code = 511 // the provider is suspended
	CodeDisqualified       ledger.Code = 512 // the provider is disqualified
	CodeBadLayout          ledger.Code = 513 // cid, root, sizes or leaf size are malformed
	CodeNotInWindow        ledger.Code = 514 // the deal owes no proof in this window
	CodeVettingLimit       ledger.Code = 515 // a provider in vetting holds storage.vetting_max_open_deals open deals
	CodeSelfDeal           ledger.Code = 516 // the lease's owner is its provider
	CodeNotDealOwner       ledger.Code = 517 // the reporter is not the deal's owner
	CodeBadServedSignature ledger.Code = 518 // the download statement is not signed by the deal's provider
	CodeServedMismatch     ledger.Code = 519 // the statement names another chain, content id or shard, or a future height
	CodeDownloadNotFaulty  ledger.Code = 520 // the statement shows the deal's root and size: nothing wrong was served
	CodeAlreadyReported    ledger.Code = 521 // a report of the deal counted in the statement's period or later
	CodeReportExpired      ledger.Code = 522 // the statement is older than storage.report_max_age_blocks
	CodeFundUnchanged      ledger.Code = 523 // the repair fund holds that amount already
	CodeNotRepairable      ledger.Code = 524 // the deal did not close for a fault, or its shard has an open deal
	CodeRepairMismatch     ledger.Code = 525 // the repair deal's shard is not the closed deal's
	CodeRepairUnfunded     ledger.Code = 526 // the owner's repair fund cannot pay the repair
	CodeRepairProvider     ledger.Code = 527 // the repair lease's provider is the repairer or the failed deal's provider
	CodeRepairTerms        ledger.Code = 528 // the repair lease's price or quantity is above the failed lease's, or that lease has ended
	CodeRepairOwnDeal      ledger.Code = 529 // the repairer placed the failed deal itself
	CodeChunkHashMismatch  ledger.Code = 530 // the reported chunk's SHA-256 is not the hash the provider signed
	CodeLeafNotInChunk     ledger.Code = 531 // the reported leaf is not in the signed chunk or not in the shard
	CodeBadTrueLeaf        ledger.Code = 532 // the true leaf and path do not verify against the deal's root
)

func init() {
	for _, c := range []struct {
		code ledger.Code
		name string
	}{
		{CodeUnknownDeal, "unknown_deal"},
		{CodeDealExists, "deal_exists"},
		{CodeNotStorageLease, "not_storage_lease"},
		{CodeShardTooLarge, "shard_too_large"},
		{CodeDealNotPending, "deal_not_pending"},
		{CodeDealNotActive, "deal_not_active"},
		{CodeAckTooLate, "ack_too_late"},
		{CodeWindowNotOpen, "window_not_open"},
		{CodeWrongLeaf, "wrong_leaf"},
		{CodeNotProvider, "not_deal_provider"},
		{CodeAlreadyProven, "already_proven"},
		{CodeProviderSuspended, "provider_suspended"},
		{CodeDisqualified, "provider_disqualified"},
		{CodeBadLayout, "bad_layout"},
		{CodeNotInWindow, "not_in_window"},
		{CodeVettingLimit, "vetting_limit"},
		{CodeSelfDeal, "self_deal"},
		{CodeNotDealOwner, "not_deal_owner"},
		{CodeBadServedSignature, "bad_served_signature"},
		{CodeServedMismatch, "served_mismatch"},
		{CodeDownloadNotFaulty, "download_not_faulty"},
		{CodeAlreadyReported, "already_reported"},
		{CodeReportExpired, "report_expired"},
		{CodeFundUnchanged, "fund_unchanged"},
		{CodeNotRepairable, "not_repairable"},
		{CodeRepairMismatch, "repair_mismatch"},
		{CodeRepairUnfunded, "repair_unfunded"},
		{CodeRepairProvider, "repair_provider"},
		{CodeRepairTerms, "repair_terms"},
		{CodeRepairOwnDeal, "repair_own_deal"},
		{CodeChunkHashMismatch, "chunk_hash_mismatch"},
		{CodeLeafNotInChunk, "leaf_not_in_chunk"},
		{CodeBadTrueLeaf, "bad_true_leaf"},
	} {
		ledger.RegisterCode(c.code, c.name)
	}
}

// Close reasons of a deal.
const (
	CloseOwner           uint32 = 1 // the owner closed the deal or its lease
	CloseExpired         uint32 = 2 // the lease reached its end
	CloseFunds           uint32 = 3 // the lease's escrow ran dry
	CloseProviderEnded   uint32 = 4 // the provider closed the lease early (termination slash)
	CloseNotAcknowledged uint32 = 5 // the provider never acknowledged the upload
	CloseFaulty          uint32 = 6 // storage.max_missed_in_row failed proofs, or no collateral left
	CloseDisqualified    uint32 = 7 // the provider was disqualified
)

// CloseReasons names the close reasons, in code order.
var CloseReasons = []struct {
	Code uint32
	Name string
	Doc  string
}{
	{CloseOwner, "owner_closed", "the owner closed the deal or its lease; the collateral goes back"},
	{CloseExpired, "expired", "the lease reached its end height; the collateral goes back"},
	{CloseFunds, "insufficient_funds", "the lease's escrow ran dry; the collateral goes back"},
	{CloseProviderEnded, "provider_ended", "the provider closed the lease early: storage.termination_slash_bps is slashed"},
	{CloseNotAcknowledged, "not_acknowledged", "the provider did not acknowledge the upload in time; the consumer is refunded"},
	{CloseFaulty, "faulty", "storage.max_missed_in_row failed proofs in a row or no collateral left; the shard is repaired elsewhere"},
	{CloseDisqualified, "disqualified", "the provider was disqualified; every deal of it closes and is repaired elsewhere"},
}

// CloseReasonName names a close reason.
func CloseReasonName(r uint32) string {
	for _, c := range CloseReasons {
		if c.Code == r {
			return c.Name
		}
	}
	return "unknown"
}

// Module accounts of the storage module. No key can sign for them.
var (
	// Collateral holds the collateral of acknowledged, open deals.
	Collateral = ledger.ModuleAddress("storage_collateral")
	// Treasury receives what the availability pool does not pay.
	Treasury = ledger.ModuleAddress("treasury")
)
