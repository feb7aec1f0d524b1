package reward

import (
	"github.com/depin-network/depin/internal/ledger"
)

// Recipient says who a pool pays. The values are those of the
// depin.reward.v1.Recipient enum.
type Recipient uint8

// Recipients. A pool's recipient, never its name, decides who is paid, so
// adding a pool never changes who another pool pays (DESIGN §3.3).
const (
	// RecipientDevices pays the devices of the network kind named by
	// Pool.Kind, pro-rata to the shares the kind's scorer gives them; the
	// oracles compute it and the reward pool owes it until claimed.
	RecipientDevices Recipient = 1
	// RecipientUsage pays providers for proven usage. It is forwarded to the
	// usage payer (the market module); without one it goes to Treasury.
	RecipientUsage Recipient = 2
	// RecipientOracles pays the agreeing oracles pro-rata to their weight.
	RecipientOracles Recipient = 3
	// RecipientValidators pays validators and their delegators. It is
	// forwarded to the validators payer (the staking module); without one
	// it goes to Treasury.
	RecipientValidators Recipient = 4
	// RecipientTreasury pays Treasury.
	RecipientTreasury Recipient = 5
	// RecipientCompute pays compute providers for verified work. It is
	// forwarded to the compute payer (the compute module); without one it
	// goes to Treasury.
	RecipientCompute Recipient = 6
	// RecipientRelay pays relays for bytes consumers signed for. It is
	// forwarded to the relay payer (the relay module); without one it goes
	// to Treasury.
	RecipientRelay Recipient = 7
	// RecipientStorage pays storage providers for bytes proven on chain,
	// weighted by reputation. It is forwarded to the storage payer (the
	// storage module); without one it goes to Treasury.
	RecipientStorage Recipient = 8
	// RecipientEnergy pays energy sellers for the Wh they delivered and
	// were paid for in the energy market's settlement. It is forwarded to
	// the energy module.
	RecipientEnergy Recipient = 9

	// recipientLast is the highest recipient.
	recipientLast = RecipientEnergy
)

var recipientNames = [...]string{
	RecipientDevices:    "devices",
	RecipientUsage:      "usage",
	RecipientOracles:    "oracles",
	RecipientValidators: "validators",
	RecipientTreasury:   "treasury",
	RecipientCompute:    "compute",
	RecipientRelay:      "relay",
	RecipientStorage:    "storage",
	RecipientEnergy:     "energy",
}

// Valid reports whether r is one of the recipients above.
func (r Recipient) Valid() bool { return r >= RecipientDevices && r <= recipientLast }

// String returns the recipient's name ("devices", "usage", ...).
func (r Recipient) String() string {
	if !r.Valid() {
		return "unknown"
	}
	return recipientNames[r]
}

// Forwarded reports whether the reward module hands the pool's amount to
// another module's Payer (or, without one, to Treasury) instead of paying
// it itself.
func (r Recipient) Forwarded() bool {
	return r == RecipientUsage || r == RecipientValidators || r == RecipientCompute || r == RecipientRelay ||
		r == RecipientStorage || r == RecipientEnergy
}

// ParseRecipient returns the recipient with the given name.
func ParseRecipient(name string) (Recipient, bool) {
	for r := RecipientDevices; r <= recipientLast; r++ {
		if recipientNames[r] == name {
			return r, true
		}
	}
	return 0, false
}

// maxPoolNameLen bounds a pool or kind name; names appear in events and
// manifests.
const maxPoolNameLen = 32

// Pool is one slice of an epoch's emission: a name, its weight in basis
// points and who it pays. Pools are a list in params, not fields, so
// governance can add a pool (a new network kind, a usage pool) without a
// code change.
type Pool struct {
	// Name identifies the pool: lower-case letters, digits and '_', at most
	// 32 bytes, unique in the list. Shares name their pool.
	Name string
	// Bps is the pool's weight in basis points of the emission.
	Bps uint32
	// Recipient says who the pool pays.
	Recipient Recipient
	// Kind names the network kind whose devices a RecipientDevices pool
	// pays (same alphabet as Name); empty for every other recipient.
	Kind string
}

// PaysDevices reports whether devices earn from the pool.
func (p Pool) PaysDevices() bool { return p.Recipient == RecipientDevices }

// ValidatePools checks a pool list: at least one pool, valid and unique
// names, a valid recipient per pool, a kind exactly for device pools, at
// most one pool for each recipient other than devices, and weights summing
// to exactly BpsTotal. It returns a *ledger.Error with CodeParamOutOfBounds
// when the list is unusable.
func ValidatePools(pools []Pool) error {
	if len(pools) == 0 {
		return ledger.Errorf(ledger.CodeParamOutOfBounds, "reward pools: the list is empty")
	}
	seen := make(map[string]struct{}, len(pools))
	var single [recipientLast + 1]bool
	var sum uint64
	for i, p := range pools {
		if !validPoolName(p.Name) {
			return ledger.Errorf(ledger.CodeParamOutOfBounds,
				"reward pools: pool %d name %q must be 1-%d bytes of a-z, 0-9 or '_'", i, p.Name, maxPoolNameLen)
		}
		if _, dup := seen[p.Name]; dup {
			return ledger.Errorf(ledger.CodeParamOutOfBounds, "reward pools: pool %q is listed twice", p.Name)
		}
		seen[p.Name] = struct{}{}
		if p.Bps > BpsTotal {
			return ledger.Errorf(ledger.CodeParamOutOfBounds,
				"reward pools: pool %q has %d bps, more than %d", p.Name, p.Bps, BpsTotal)
		}
		if e := checkRecipient(p); e != nil {
			return e
		}
		if p.Recipient != RecipientDevices {
			if single[p.Recipient] {
				return ledger.Errorf(ledger.CodeParamOutOfBounds,
					"reward pools: pool %q is a second pool paying %s", p.Name, p.Recipient)
			}
			single[p.Recipient] = true
		}
		sum += uint64(p.Bps)
	}
	if sum != BpsTotal {
		return ledger.Errorf(ledger.CodeParamOutOfBounds,
			"reward pools: weights sum to %d bps, want %d", sum, BpsTotal)
	}
	return nil
}

func checkRecipient(p Pool) *ledger.Error {
	switch {
	case !p.Recipient.Valid():
		return ledger.Errorf(ledger.CodeParamOutOfBounds,
			"reward pools: pool %q has no valid recipient (%d)", p.Name, p.Recipient)
	case p.Recipient == RecipientDevices && !validPoolName(p.Kind):
		return ledger.Errorf(ledger.CodeParamOutOfBounds,
			"reward pools: device pool %q kind %q must be 1-%d bytes of a-z, 0-9 or '_'", p.Name, p.Kind, maxPoolNameLen)
	case p.Recipient != RecipientDevices && p.Kind != "":
		return ledger.Errorf(ledger.CodeParamOutOfBounds,
			"reward pools: pool %q pays %s and cannot name a kind (%q)", p.Name, p.Recipient, p.Kind)
	}
	return nil
}

func validPoolName(name string) bool {
	if len(name) == 0 || len(name) > maxPoolNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// poolOf returns the index of the pool paying r (a recipient with at most
// one pool), or -1.
func poolOf(pools []Pool, r Recipient) int {
	for i, p := range pools {
		if p.Recipient == r {
			return i
		}
	}
	return -1
}

// splitEmission divides emission among pools by basis points, each share
// rounded down. It returns the pool amounts (in list order) and the rounding
// remainder, which belongs to the treasury. pools must be valid.
func splitEmission(emission uint64, pools []Pool) ([]uint64, uint64) {
	amounts := make([]uint64, len(pools))
	rest := emission
	for i, p := range pools {
		// bps <= BpsTotal, so the quotient is at most emission and fits.
		a, _ := ledger.MulDiv(emission, uint64(p.Bps), BpsTotal)
		amounts[i] = a
		rest -= a
	}
	return amounts, rest
}
