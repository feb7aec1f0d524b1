package compute

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the compute module.
var (
	MinBond = params.Spec{Name: "compute.min_bond", Default: 1_000_000, Min: 1, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "smallest bond of a compute provider that takes tasks"}
	SlashBps = params.Spec{Name: "compute.slash_bps", Default: 5_000, Min: 1, Max: 10_000, Unit: "bps",
		Doc: "share of a provider's bond slashed for a wrong, copied or unrevealed result"}
	JailBlocks = params.Spec{Name: "compute.jail_blocks", Default: 100, Min: 1, Max: 10_000_000, Unit: "blocks",
		Doc: "blocks a slashed provider takes no task"}
	CommitBlocks = params.Spec{Name: "compute.commit_blocks", Default: 8, Min: 1, Max: 10_000, Unit: "blocks",
		Doc: "blocks providers have to commit a task result"}
	RevealBlocks = params.Spec{Name: "compute.reveal_blocks", Default: 4, Min: 1, Max: 10_000, Unit: "blocks",
		Doc: "blocks providers have to reveal after the commit window"}
	VerifyBlocks = params.Spec{Name: "compute.verify_blocks", Default: 8, Min: 1, Max: 10_000, Unit: "blocks",
		Doc: "blocks the chosen verifier has to re-execute a task"}
	// SampleBps is the share of tasks re-executed by a verifier; Livepeer
	// and depin's reference note suggest sampling on the order of 1/20
	// (reference/next-stage.md §5.4); the default is 1/10.
	SampleBps = params.Spec{Name: "compute.sample_bps", Default: 1_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "probability that a task is re-executed by a verifier"}
	MaxReplicas = params.Spec{Name: "compute.max_replicas", Default: 5, Min: 1, Max: 16, Unit: "providers",
		Doc: "most providers one task is assigned to"}
	MaxRounds = params.Spec{Name: "compute.max_rounds", Default: 3, Min: 1, Max: 16, Unit: "rounds",
		Doc: "rounds a task gets before it fails"}
	MaxTasks = params.Spec{Name: "compute.max_tasks", Default: 256, Min: 1, Max: 4_096, Unit: "tasks",
		Doc: "most tasks in one job"}
	MaxProviders = params.Spec{Name: "compute.max_providers", Default: 1_000, Min: 1, Max: 100_000, Unit: "providers",
		Doc: "most registered compute providers"}
	MaxVerifiers = params.Spec{Name: "compute.max_verifiers", Default: 32, Min: 1, Max: 1_024, Unit: "verifiers",
		Doc: "most members of the verifier set"}
)

// Specs lists the compute module's parameters.
func Specs() []params.Spec {
	return []params.Spec{MinBond, SlashBps, JailBlocks, CommitBlocks, RevealBlocks, VerifyBlocks, SampleBps,
		MaxReplicas, MaxRounds, MaxTasks, MaxProviders, MaxVerifiers}
}

// Result codes of the compute module (its range is 700-739).
const (
	CodeUnknownProvider    ledger.Code = 700 // not a compute provider
	CodeNotMarketProvider  ledger.Code = 701 // the signer is not a market provider
	CodeBondTooLow         ledger.Code = 702 // the bond is below compute.min_bond
	CodeProviderJailed     ledger.Code = 703 // the provider is jailed
	CodeProviderBusy       ledger.Code = 704 // the provider has open task slots
	CodeUnknownJob         ledger.Code = 705 // no job with that id
	CodeInvalidJob         ledger.Code = 706 // the job's input, type or sizes do not run
	CodeNotEnoughProviders ledger.Code = 707 // fewer eligible providers than replicas
	CodeUnknownTask        ledger.Code = 708 // the job has no such task
	CodeNotAssigned        ledger.Code = 709 // the signer holds no slot of the task's round
	CodeWrongPhase         ledger.Code = 710 // the task is not in the phase the message needs
	CodeAlreadyCommitted   ledger.Code = 711 // the slot committed or revealed already
	CodeBadHash            ledger.Code = 712 // a commitment or hash is not 32 bytes
	CodeNotVerifier        ledger.Code = 713 // the signer is not the task's chosen verifier
	CodeVerifierSetFull    ledger.Code = 714 // the verifier set has compute.max_verifiers members
	CodeProviderSetFull    ledger.Code = 715 // compute.max_providers are registered
	CodeUnknownVerifier    ledger.Code = 716 // no verifier with that address
	CodeUnverifiable       ledger.Code = 717 // a single-replica job while the verifier set is empty
)

func init() {
	for _, c := range []struct {
		code ledger.Code
		name string
	}{
		{CodeUnknownProvider, "unknown_compute_provider"},
		{CodeNotMarketProvider, "not_market_provider"},
		{CodeBondTooLow, "bond_too_low"},
		{CodeProviderJailed, "provider_jailed"},
		{CodeProviderBusy, "provider_busy"},
		{CodeUnknownJob, "unknown_job"},
		{CodeInvalidJob, "invalid_job"},
		{CodeNotEnoughProviders, "not_enough_providers"},
		{CodeUnknownTask, "unknown_task"},
		{CodeNotAssigned, "not_assigned"},
		{CodeWrongPhase, "wrong_phase"},
		{CodeAlreadyCommitted, "already_committed"},
		{CodeBadHash, "bad_hash"},
		{CodeNotVerifier, "not_verifier"},
		{CodeVerifierSetFull, "verifier_set_full"},
		{CodeProviderSetFull, "compute_provider_set_full"},
		{CodeUnknownVerifier, "unknown_verifier"},
		{CodeUnverifiable, "job_unverifiable"},
	} {
		ledger.RegisterCode(c.code, c.name)
	}
}

// Module accounts of the compute module. No key can sign for them.
var (
	// Escrow holds running jobs' balances.
	Escrow = ledger.ModuleAddress("compute_escrow")
	// Bond holds the providers' bonds.
	Bond = ledger.ModuleAddress("compute_bond")
	// Treasury receives the compute pool's rounding remainder.
	Treasury = ledger.ModuleAddress("treasury")
)
