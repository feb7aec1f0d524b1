package kind

import "github.com/depin-network/depin/internal/ledger"

// Geo is the H3 geometry scorers need; internal/geo.H3 implements it.
type Geo interface {
	IsValid(cell uint64) bool
	Resolution(cell uint64) int
	Parent(cell uint64, res int) (uint64, error)
	GridDistance(a, b uint64) (int64, error)
	GridDisk(cell uint64, k int) ([]uint64, error)
	CenterE7(cell uint64) (latE7, lngE7 int64, err error)
}

// Input is everything one epoch's score of one kind depends on. Times are
// Unix nanoseconds as stamped by ingest.
type Input struct {
	Epoch uint64
	// Start and End bound the receive times of the epoch: [Start, End).
	Start int64
	End   int64
	// Params are the kind's, in the order of its Specs.
	Params Params
	// Devices are the kind's registered devices, sorted by ID.
	Devices []Device
	// Entropy holds the chain blocks the reports answer, by height.
	Entropy []Entropy
	// Reports are the kind's reports, in segment order.
	Reports []Report
	// Collected, when set, holds the kind's reports instead of Reports
	// (which is then empty): a Collector of the kind's own (Collecting)
	// that took them one at a time as the segments were decoded, so that
	// an epoch's reports are never all held as Reports.
	Collected Collector
	// State is what the previous epoch's Output left (nil for the first).
	State []byte
	Geo   Geo
}

// Device is a registered device of the kind.
type Device struct {
	ID    ledger.Address
	Owner ledger.Address
	// Cell is the asserted H3 cell, 0 when not asserted.
	Cell uint64
	// Attributes are the kind's attributes asserted with the cell.
	Attributes []byte
	// Denied is set for a device on the denylist.
	Denied bool
}

// Entropy is a chain block a report may answer.
type Entropy struct {
	Height uint64
	Hash   [32]byte
	Time   int64
}

// Collecting is implemented by a Kind whose scorers can take their reports
// through a Collector (Input.Collected) instead of Input.Reports. Its
// scorers give the same Output either way.
type Collecting interface {
	NewCollector() Collector
}

// Collector takes a kind's reports one at a time, in segment order, into
// the kind's own compact form. Add copies what it keeps: r and its Body may
// be reused after it returns. A body the kind cannot read is reported by
// the scorer, as it would be from Input.Reports.
type Collector interface {
	Add(r *Report)
}

// Report is one report of the kind, its envelope checked and its body
// checked by the kind.
type Report struct {
	// ID is the report's leaf hash in its segment.
	ID            [32]byte
	Device        ledger.Address
	Received      int64 // ingest receive time
	Timestamp     int64 // device clock, informational
	EntropyHeight uint64
	EntropyHash   [32]byte
	Type          string
	Body          []byte
}

// Output is the result of scoring one epoch of one kind.
type Output struct {
	ScorerVersion uint32
	// Shares are units per device and reward pool, by device then pool;
	// pools split their amount pro rata to units.
	Shares []Share
	// Reasons has one verdict per scored report, by role then id.
	Reasons []Reason
	// Verdicts, when set, holds the same verdicts instead of Reasons
	// (then nil), in the kind's own compact form, expanded one at a time:
	// an epoch's eleven million verdicts are never all held as Reasons
	// (coverage's are 12 bytes each against about 150).
	Verdicts Verdicts
	// Counts per role and reason with a non-zero count.
	Counts []Count
	// Stats are per-device figures for explanations, by device.
	Stats []Stats
	// DeviceStats, when set, holds the same figures instead of Stats (then
	// nil), in the kind's own form, expanded one device at a time.
	DeviceStats StatsList
	// Unscored counts reports the kind reads but does not score
	// (heartbeats).
	Unscored uint64
	// State is handed to the next epoch's Input.
	State []byte
}

// Verdicts is a kind's verdicts held compactly (Output.Verdicts), in the
// order of Output.Reasons.
type Verdicts interface {
	// Len is the number of verdicts.
	Len() int
	// At expands verdict i, 0 <= i < Len().
	At(i int) Reason
}

// VerdictsOf returns the verdicts of an output: Verdicts if set, else its
// Reasons.
func VerdictsOf(o *Output) Verdicts {
	if o.Verdicts != nil {
		return o.Verdicts
	}
	return reasonList(o.Reasons)
}

type reasonList []Reason

func (l reasonList) Len() int        { return len(l) }
func (l reasonList) At(i int) Reason { return l[i] }

// StatsList is a kind's per-device figures held in its own form
// (Output.DeviceStats), in the order of Output.Stats.
type StatsList interface {
	// Len is the number of devices with figures.
	Len() int
	// Device is the device of entry i, 0 <= i < Len().
	Device(i int) ledger.Address
	// At expands entry i.
	At(i int) Stats
}

// StatsOf returns the per-device figures of an output: DeviceStats if set,
// else its Stats.
func StatsOf(o *Output) StatsList {
	if o.DeviceStats != nil {
		return o.DeviceStats
	}
	return statsSlice(o.Stats)
}

type statsSlice []Stats

func (l statsSlice) Len() int                    { return len(l) }
func (l statsSlice) Device(i int) ledger.Address { return l[i].Device }
func (l statsSlice) At(i int) Stats              { return l[i] }

// Share is a device's units in one pool.
type Share struct {
	Device ledger.Address
	Pool   string
	Units  uint64
}

// Reason is the verdict on one report.
type Reason struct {
	ID     [32]byte
	Device ledger.Address
	// Role is the part the report plays ("beaconer", "witness").
	Role string
	// Reason is a stable name, "valid" for a report that earns.
	Reason string
	Detail string
	// Units, Scale and Share are the report's weight: Share is what it
	// contributes to its device's units.
	Units uint64
	Scale uint64
	Share uint64
}

// ReasonValid is the reason of a report that earns.
const ReasonValid = "valid"

// Count counts reports by role and reason.
type Count struct {
	Role   string
	Reason string
	Count  uint64
}

// Stats are named figures of one device, in a fixed order.
type Stats struct {
	Device ledger.Address
	Values []Param
}
