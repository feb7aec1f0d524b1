package oracle

// Status is what the oracle is doing: the body of GET /v1/oracle/status.
type Status struct {
	// NextEpoch is the epoch the oracle scores next.
	NextEpoch uint64 `json:"next_epoch,string"`
	// State is one of the State* values.
	State string `json:"state"`
	// Detail says why, in words.
	Detail string `json:"detail,omitempty"`
}

// The states of Status.
const (
	// StateStarting: no step has run yet.
	StateStarting = "starting"
	// StateWaitingEpoch: the next epoch has not ended, or its segment grace
	// window has not passed.
	StateWaitingEpoch = "waiting_for_epoch"
	// StateWaitingPrior: the epoch before the next is not settled; the
	// oracle does not score an epoch before its predecessor settles.
	StateWaitingPrior = "waiting_for_prior_settlement"
	// StatePriorMismatch: the predecessor is settled, but its settled
	// manifest and states are neither in the data dir (missing, or they
	// differ from the chain's settlement) nor served by a peer. The oracle
	// refuses to score until a peer serves them.
	StatePriorMismatch = "prior_unavailable"
	// StateScoring: the oracle is scoring the next epoch.
	StateScoring = "scoring"
	// StateSubmitted: the oracle submitted the last epoch it scored.
	StateSubmitted = "submitted"
)
