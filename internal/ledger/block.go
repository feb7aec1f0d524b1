package ledger

// BlockInfo is what consensus says about a block before its transactions
// run: the begin-block input of every module (DESIGN §3.1). The adapter of
// the consensus engine fills it from CometBFT's FinalizeBlock request; the
// state machine passes it on unchanged and never reads a clock.
type BlockInfo struct {
	// Height and Time (Unix nanoseconds) of the block.
	Height int64
	Time   int64
	// Proposer is the consensus address of the validator that proposed the
	// block: the first 20 bytes of the SHA-256 of its ed25519 key, the same
	// derivation as an account Address. Zero when the engine gave none.
	Proposer Address
	// Votes are the votes of the previous block's commit, one per validator
	// of the set that decided it, in the engine's order.
	Votes []Vote
	// Evidence lists misbehaviour the engine proved, in the engine's order.
	Evidence []Misbehavior
}

// Vote is one validator's part in the last commit.
type Vote struct {
	// Validator is the validator's consensus address.
	Validator Address
	// Power is its voting power in that commit.
	Power int64
	// Signed reports whether its signature is in the commit (a missed vote
	// counts towards downtime).
	Signed bool
}

// MisbehaviorKind says what a validator did wrong.
type MisbehaviorKind uint8

// Kinds of misbehaviour (CometBFT's MisbehaviorType values).
const (
	// MisbehaviorDuplicateVote is two conflicting votes at one height and
	// round (double signing).
	MisbehaviorDuplicateVote MisbehaviorKind = 1
	// MisbehaviorLightClientAttack is a light client attack.
	MisbehaviorLightClientAttack MisbehaviorKind = 2
)

// Misbehavior is evidence against a validator.
type Misbehavior struct {
	Kind MisbehaviorKind
	// Validator is the offender's consensus address.
	Validator Address
	// Power is the offender's voting power at Height.
	Power int64
	// Height and Time (Unix nanoseconds) of the offence.
	Height int64
	Time   int64
	// TotalPower is the whole set's voting power at Height.
	TotalPower int64
}

// ValidatorUpdate changes the consensus validator set at the end of a
// block: the validator with ed25519 public key PubKey (32 bytes) gets
// Power; Power 0 removes it. CometBFT applies it two blocks later.
type ValidatorUpdate struct {
	PubKey []byte
	Power  int64
}
