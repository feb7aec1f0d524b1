package coverage

import "fmt"

// Reason is the scorer's verdict on one report. Values are appended, never
// renumbered; names are stable strings that explorers and operators see.
type Reason uint8

// Reasons, named after the invalid reasons of helium/oracles
// iot_verifier/src/poc.rs and runner.rs (helium/proto poc_lora InvalidReason)
// where one exists.
const (
	ReasonValid             Reason = 0  // counted; a valid beacon with no selected witness earns 0 units
	ReasonUnknownDevice     Reason = 1  // GatewayNotFound: the device is not in the registry
	ReasonNotAsserted       Reason = 2  // NotAsserted: no (valid) asserted cell
	ReasonDenied            Reason = 3  // Denied: the device is denylisted
	ReasonUnknownEntropy    Reason = 4  // the entropy height or hash is not a chain entropy record
	ReasonEntropyExpired    Reason = 5  // EntropyExpired: received outside the entropy window
	ReasonInvalidCapability Reason = 6  // InvalidCapability: a data-only device
	ReasonIrregularInterval Reason = 7  // IrregularInterval: a second beacon in one interval bucket
	ReasonInvalidPacket     Reason = 8  // InvalidPacket: payload, frequency, region or power not as regenerated
	ReasonNoValidWitnesses  Reason = 9  // GatewayNoValidWitnesses (HIP-106): the beaconer witnessed nothing in the window
	ReasonDuplicate         Reason = 10 // Duplicate: a report id seen before, or a second witness by a device
	ReasonSelfWitness       Reason = 11 // SelfWitness: a device witnessing its own beacon
	ReasonTooLate           Reason = 12 // TooLate: after the beacon (4 s) or the first witness (1.5 s)
	ReasonInvalidFrequency  Reason = 13 // InvalidFrequency: more than 100 kHz from the beacon
	ReasonInvalidRegion     Reason = 14 // InvalidRegion: witness region differs from the beaconer's
	ReasonBelowMinDistance  Reason = 15 // BelowMinDistance: res-11 grid distance below 8
	ReasonMaxDistance       Reason = 16 // MaxDistanceExceeded: more than 100 km (HIP-58)
	ReasonRSSIAboveFSPL     Reason = 17 // BadRssi: stronger than free-space path loss allows
	ReasonNoValidBeacons    Reason = 18 // GatewayNoValidBeacons (HIP-106): the witness beaconed nothing valid in the window
	ReasonNotSelected       Reason = 19 // valid but beyond the first 14 by receive time (HIP-83)
	ReasonBeaconInvalid     Reason = 20 // the witnessed beacon is invalid; the detail names its reason
	ReasonUnknownBeacon     Reason = 21 // the beaconer sent no beacon this epoch
	ReasonOutsideEpoch      Reason = 22 // the beacon was received outside [start, end) of the epoch
	// ReasonAfterPublic: the witness arrived once the epoch's receive
	// window had closed, when the beacon could be read from public
	// surfaces (segments are public after the epoch ends plus a grace;
	// an oracle mirrors the segments it scored): hearing it is not proven.
	ReasonAfterPublic Reason = 23
)

var reasonNames = [...]string{
	ReasonValid:             "valid",
	ReasonUnknownDevice:     "unknown_device",
	ReasonNotAsserted:       "not_asserted",
	ReasonDenied:            "denied",
	ReasonUnknownEntropy:    "unknown_entropy",
	ReasonEntropyExpired:    "entropy_expired",
	ReasonInvalidCapability: "invalid_capability",
	ReasonIrregularInterval: "irregular_interval",
	ReasonInvalidPacket:     "invalid_packet",
	ReasonNoValidWitnesses:  "no_valid_witnesses",
	ReasonDuplicate:         "duplicate",
	ReasonSelfWitness:       "self_witness",
	ReasonTooLate:           "too_late",
	ReasonInvalidFrequency:  "invalid_frequency",
	ReasonInvalidRegion:     "invalid_region",
	ReasonBelowMinDistance:  "below_min_distance",
	ReasonMaxDistance:       "max_distance_exceeded",
	ReasonRSSIAboveFSPL:     "rssi_above_free_space",
	ReasonNoValidBeacons:    "no_valid_beacons",
	ReasonNotSelected:       "not_selected",
	ReasonBeaconInvalid:     "beacon_invalid",
	ReasonUnknownBeacon:     "unknown_beacon",
	ReasonOutsideEpoch:      "outside_epoch",
	ReasonAfterPublic:       "after_public",
}

// NumReasons is the number of defined reasons.
const NumReasons = len(reasonNames)

// String returns the reason's stable name.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason_%d", uint8(r))
}

// ParseReason returns the reason with the given stable name.
func ParseReason(name string) (Reason, error) {
	for i, n := range reasonNames {
		if n == name {
			return Reason(i), nil
		}
	}
	return 0, fmt.Errorf("coverage: parse reason: unknown reason %q", name)
}

// MarshalText renders the reason's name (for JSON golden files and APIs).
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a reason name.
func (r *Reason) UnmarshalText(b []byte) error {
	v, err := ParseReason(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Role is the part a device played in a report.
type Role uint8

// Roles.
const (
	RoleBeaconer Role = 1
	RoleWitness  Role = 2
)

// String returns "beaconer" or "witness".
func (r Role) String() string {
	switch r {
	case RoleBeaconer:
		return "beaconer"
	case RoleWitness:
		return "witness"
	}
	return fmt.Sprintf("role_%d", uint8(r))
}

// MarshalText renders the role's name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a role name.
func (r *Role) UnmarshalText(b []byte) error {
	switch string(b) {
	case "beaconer":
		*r = RoleBeaconer
	case "witness":
		*r = RoleWitness
	default:
		return fmt.Errorf("coverage: parse role: unknown role %q", b)
	}
	return nil
}
