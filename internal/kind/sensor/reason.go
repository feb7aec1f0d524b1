package sensor

// Reason is the verdict on a report or a device. Values are stable within
// a scorer version; names are what outputs carry.
type Reason uint8

// Report reasons, in the order the checks run, then device reasons, in
// the order they are decided.
const (
	Valid Reason = iota
	UnknownDevice
	Denied
	BadAttributes
	Unasserted
	OutsideEpoch
	ClockDrift
	Duplicate
	UndeclaredChannel
	LocationMismatch
	GNSSJump
	OutOfRange
	RateOfChange
	Stuck
	DuplicateVehicle
	ReplayedStream
	CopiedStream
	NeighbourDisagreement
	BelowQuality
	CellCapacity
	numReasons
)

// Level says what a reason judges.
type Level uint8

// Levels.
const (
	LevelReport Level = iota + 1
	LevelDevice
)

// ReasonInfo documents a reason: its name, level, what it means and the
// params and channel limits it reads.
type ReasonInfo struct {
	Name   string
	Level  Level
	Doc    string
	Params []string
}

// Reasons is the reason table, by Reason.
var Reasons = [numReasons]ReasonInfo{
	Valid:                 {"valid", LevelReport, "the report passed every check (its device may still fail a device check)", nil},
	UnknownDevice:         {"unknown_device", LevelReport, "the device is not a registered sensor device", nil},
	Denied:                {"denied", LevelReport, "the device is on the denylist", nil},
	BadAttributes:         {"bad_attributes", LevelReport, "the device's attributes do not decode or break the attribute rules", nil},
	Unasserted:            {"unasserted", LevelReport, "the device has no asserted location", nil},
	OutsideEpoch:          {"outside_epoch", LevelReport, "received outside the epoch", nil},
	ClockDrift:            {"clock_drift", LevelReport, "the device timestamp is further from the receive time than allowed", []string{"max_clock_drift_ns"}},
	Duplicate:             {"duplicate", LevelReport, "a second reading with the same device timestamp", nil},
	UndeclaredChannel:     {"undeclared_channel", LevelReport, "a value of a channel the device did not declare in its attributes", nil},
	LocationMismatch:      {"location_mismatch", LevelReport, "a station's GNSS fix is too far from its asserted cell", []string{"max_fix_distance_m", "min_fix_satellites"}},
	GNSSJump:              {"gnss_jump", LevelReport, "a vehicle's fix and its previous or next fix imply an impossible speed (a spoofed track): both sides of a teleport lose", []string{"max_vehicle_speed_kmh", "min_fix_satellites"}},
	OutOfRange:            {"out_of_range", LevelReport, "a value outside its channel's physical range", nil},
	RateOfChange:          {"rate_of_change", LevelReport, "a value changed faster than its channel allows since the previous value (or an odometer went back)", nil},
	Stuck:                 {"stuck", LevelReport, "a value held unchanged for the stuck window", []string{"stuck_window_ns"}},
	DuplicateVehicle:      {"duplicate_vehicle", LevelDevice, "another device of the same vehicle is senior (one vehicle onboarded twice)", nil},
	ReplayedStream:        {"replayed_stream", LevelDevice, "the stream repeats readings of a previous epoch", []string{"sketch_overlap_bps"}},
	CopiedStream:          {"copied_stream", LevelDevice, "the stream mirrors another device's readings, received after them", []string{"sketch_overlap_bps"}},
	NeighbourDisagreement: {"neighbour_disagreement", LevelDevice, "too many slots deviate from the median of the stations in the H3 ring", []string{"neighbour_res", "neighbour_ring", "min_neighbours", "mad_factor_pct", "max_outlier_bps", "slot_ns"}},
	BelowQuality:          {"below_quality", LevelDevice, "quality of data (valid readings over expected, 0-100) below the threshold", []string{"min_qod", "reading_interval_ns"}},
	CellCapacity:          {"cell_capacity", LevelDevice, "the capacity cell already has its maximum of better or more senior stations", []string{"cell_res", "max_per_cell"}},
}

// String returns the reason's name.
func (r Reason) String() string {
	if r < numReasons {
		return Reasons[r].Name
	}
	return "unknown"
}

// AllReasons lists every reason in order.
func AllReasons() []Reason {
	out := make([]Reason, numReasons)
	for i := range out {
		out[i] = Reason(i)
	}
	return out
}
