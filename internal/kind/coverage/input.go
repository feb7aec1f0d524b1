package coverage

import "github.com/depin-network/depin/internal/ledger"

// ScorerVersion identifies the scoring rules. It changes whenever any result
// for the same input would change, so that old epochs replay with the code
// that scored them.
const ScorerVersion = 1

// Geo is the H3 geometry the scorer needs. internal/geo.H3 implements it.
type Geo interface {
	IsValid(cell uint64) bool
	Resolution(cell uint64) int
	Parent(cell uint64, res int) (uint64, error)
	GridDistance(a, b uint64) (int64, error)
	GridDisk(cell uint64, k int) ([]uint64, error)
	CenterE7(cell uint64) (latE7, lngE7 int64, err error)
}

// Input is everything one epoch's scoring depends on. Times are unix
// nanoseconds as stamped by ingest (helium trusts only the server receive
// time, iot_verifier README).
type Input struct {
	Epoch    uint64
	Start    int64 // first nanosecond of the epoch
	End      int64 // first nanosecond after the epoch
	Params   Params
	Hotspots []Hotspot
	Entropy  []Entropy
	Beacons  []Beacon
	// Witnesses lists the witness reports. A large epoch gives them as
	// WitnessColumns instead (compact columns, witnesses.go); at most one
	// of the two is set.
	Witnesses      []Witness
	WitnessColumns *Witnesses
	// Activity is the state left by the previous epoch (Result.Activity).
	Activity []Activity
}

// Hotspot is a registered coverage device.
type Hotspot struct {
	Device     ledger.Address
	Owner      ledger.Address
	Cell       uint64 // asserted H3 cell; 0 when not asserted
	GainDdBi   int32  // antenna gain in tenths of dBi
	ElevationM int32
	Region     Region
	Denied     bool // on the denylist
	DataOnly   bool // may carry data but not take part in proof of coverage
}

// Entropy is a chain entropy record a beacon may answer: a block's hash and
// time.
type Entropy struct {
	Height uint64
	Hash   [32]byte
	Time   int64
}

// Beacon is a device's report of a beacon it transmitted.
type Beacon struct {
	ID            [32]byte // report id (hash of the signed report)
	Device        ledger.Address
	Received      int64 // ingest receive time
	Timestamp     int64 // device clock, informational
	EntropyHeight uint64
	EntropyHash   [32]byte
	LocalEntropy  []byte // LocalEntropySize bytes
	Payload       []byte
	FrequencyHz   uint64
	TxPowerDBm    int32
	Region        Region
}

// Witness is a device's report of a beacon it heard. It is matched to the
// beacon by the beaconer's address and the payload.
type Witness struct {
	ID          [32]byte
	Device      ledger.Address // the witnessing device
	Beaconer    ledger.Address
	Received    int64
	Timestamp   int64
	Payload     []byte
	FrequencyHz uint64
	SignalDdBm  int32 // received signal in tenths of dBm
	SNRcB       int32 // signal-to-noise in tenths of dB; not checked, as in the Helium oracle
}

// Activity is the per-device state that crosses epochs; zero times mean
// never.
type Activity struct {
	Device ledger.Address
	// LastBeacon is the receive time of the device's last beacon that took
	// an interval bucket (it passed every check before reciprocity).
	LastBeacon int64
	// LastBeaconRecip is the receive time of its last valid beacon heard by
	// at least one witness that passed every witness check but reciprocity
	// (HIP-106 witness side, HIP-17 interactivity).
	LastBeaconRecip int64
	// LastWitness is the receive time of its last witness that passed every
	// witness check but reciprocity, of a beacon that passed every beacon
	// check but reciprocity (HIP-106 beacon side).
	LastWitness int64
}

// Result is the outcome of scoring one epoch. Every slice is sorted.
type Result struct {
	ScorerVersion uint32
	Epoch         uint64
	// Shares per device with any share or any valid report, by device.
	Shares []Share
	// Reports has one entry per input report, by role then id.
	Reports Reports
	// Activity is the updated state for the next epoch, by device.
	Activity []Activity
	// Counts per role and reason with a non-zero count.
	Counts []ReasonCount
	// Totals of the share columns.
	BeaconerShares uint64
	WitnessShares  uint64
}

// Share is a device's earnings for the epoch, in units × hex scale at Scale.
type Share struct {
	Device         ledger.Address
	Owner          ledger.Address
	Beaconer       uint64
	Witness        uint64
	ValidBeacons   uint32
	ValidWitnesses uint32
	// IsolatedGroup is the size of the device's group when all its valid
	// witness links stay inside a group with no link to the rest of the
	// network (component.go), else 0.
	IsolatedGroup uint32
}

// ReportResult is the verdict on one report.
type ReportResult struct {
	ID       [32]byte
	Device   ledger.Address
	Role     Role
	Reason   Reason
	Detail   string
	Units    uint64 // HIP-15 reward units at Scale
	HexScale uint64 // HIP-17 scale of the beaconer at Scale
	Share    uint64 // Units × HexScale / Scale
}

// ReasonCount counts reports by role and reason.
type ReasonCount struct {
	Role   Role
	Reason Reason
	Count  uint64
}
