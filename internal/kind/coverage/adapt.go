package coverage

import (
	"encoding/binary"
	"fmt"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// Stat names of a device's explanation figures.
const (
	StatBeaconerShares = "beaconer_shares"
	StatWitnessShares  = "witness_shares"
	StatValidBeacons   = "valid_beacons"
	StatValidWitnesses = "valid_witnesses"
	// StatIsolatedGroup is present, with the group's size, when all of a
	// device's valid witness links stay in a group with no link to the
	// rest of the network (component.go).
	StatIsolatedGroup = "isolated_group"
)

// scoreKind is the kind.Scorer of ScorerVersion: it decodes the generic
// input into Input, runs Score and turns the Result into a kind.Output.
// Each device's beaconer and witness shares add up to its units in Pool.
func scoreKind(in kind.Input) (kind.Output, error) {
	ci, unscored, err := ToInput(in)
	if err != nil {
		return kind.Output{}, err
	}
	res, err := Score(ci, in.Geo)
	if err != nil {
		return kind.Output{}, err
	}
	return FromResult(&res, unscored)
}

// ToInput decodes a generic input into the scorer's, and counts the
// reports the scorer does not read (heartbeats). The reports come from
// in.Reports or, already decoded, from in.Collected (a collector of this
// kind's, NewCollector). A body that does not pass CheckReport is an
// error: the caller checks every body first.
func ToInput(in kind.Input) (Input, uint64, error) {
	p, err := ScorerParams(in.Params)
	if err != nil {
		return Input{}, 0, err
	}
	ci := Input{Epoch: in.Epoch, Start: in.Start, End: in.End, Params: p,
		Hotspots: make([]Hotspot, 0, len(in.Devices)), Entropy: make([]Entropy, len(in.Entropy))}
	for _, d := range in.Devices {
		h := Hotspot{Device: d.ID, Owner: d.Owner, Cell: d.Cell, Denied: d.Denied}
		if len(d.Attributes) > 0 {
			a, err := DecodeAttributes(d.Attributes)
			if err != nil {
				return Input{}, 0, fmt.Errorf("coverage: device %s: %w", d.ID, err)
			}
			h.GainDdBi, h.ElevationM = a.GetGain(), a.GetElevation()
			if a.GetRegion() != "" {
				if h.Region, err = ParseRegion(a.GetRegion()); err != nil {
					h.Region = RegionUnknown
				}
			}
		}
		ci.Hotspots = append(ci.Hotspots, h)
	}
	for i, e := range in.Entropy {
		ci.Entropy[i] = Entropy{Height: e.Height, Hash: e.Hash, Time: e.Time}
	}
	c := newCollector()
	switch col, ok := in.Collected.(*collector); {
	case in.Collected == nil:
		for i := range in.Reports {
			c.Add(&in.Reports[i])
		}
	case !ok:
		return Input{}, 0, fmt.Errorf("coverage: reports collected by %T, not by this kind: %w", in.Collected, ErrInvalidInput)
	case len(in.Reports) > 0:
		return Input{}, 0, fmt.Errorf("coverage: %d reports given besides the collected ones: %w", len(in.Reports), ErrInvalidInput)
	default:
		c = col
	}
	var unscored uint64
	ci.Beacons, ci.WitnessColumns, unscored, err = c.done()
	if err != nil {
		return Input{}, 0, err
	}
	if ci.Activity, err = DecodeActivity(in.State); err != nil {
		return Input{}, 0, err
	}
	return ci, unscored, nil
}

// ddBmToDBmCeil converts tenths of dBm to whole dBm rounding up, so that a
// power a tenth above a region's maximum is still above it.
func ddBmToDBmCeil(v int32) int32 {
	if v > 0 {
		return (v + 9) / 10
	}
	return v / 10
}

// FromResult turns a Result into the generic output. Its verdicts stay
// compact (kind.Output.Verdicts): they read the Result's Reports, and through
// them the scorer's input, which must not change while the output is in use.
func FromResult(res *Result, unscored uint64) (kind.Output, error) {
	reps := res.Reports // a copy, so that the output keeps only the Reports alive
	out := kind.Output{ScorerVersion: res.ScorerVersion, Unscored: unscored,
		Verdicts: verdicts{&reps}, Counts: make([]kind.Count, len(res.Counts)),
		DeviceStats: deviceStats(res.Shares), State: EncodeActivity(res.Activity)}
	out.Shares = make([]kind.Share, 0, len(res.Shares))
	for _, s := range res.Shares {
		units, ok := ledger.Add(s.Beaconer, s.Witness)
		if !ok {
			return kind.Output{}, fmt.Errorf("coverage: shares of %s overflow", s.Device)
		}
		if units > 0 {
			out.Shares = append(out.Shares, kind.Share{Device: s.Device, Pool: Pool, Units: units})
		}
	}
	for i, c := range res.Counts {
		out.Counts[i] = kind.Count{Role: c.Role.String(), Reason: c.Reason.String(), Count: c.Count}
	}
	return out, nil
}

// deviceStats are a Result's Shares as kind.StatsList: each device's
// figures are expanded when its explanation is built.
type deviceStats []Share

func (d deviceStats) Len() int                    { return len(d) }
func (d deviceStats) Device(i int) ledger.Address { return d[i].Device }

func (d deviceStats) At(i int) kind.Stats {
	s := &d[i]
	st := kind.Stats{Device: s.Device, Values: []kind.Param{
		{Name: StatBeaconerShares, Value: s.Beaconer}, {Name: StatWitnessShares, Value: s.Witness},
		{Name: StatValidBeacons, Value: uint64(s.ValidBeacons)}, {Name: StatValidWitnesses, Value: uint64(s.ValidWitnesses)},
	}}
	if s.IsolatedGroup > 0 {
		st.Values = append(st.Values, kind.Param{Name: StatIsolatedGroup, Value: uint64(s.IsolatedGroup)})
	}
	return st
}

// verdicts are a Result's Reports as kind.Verdicts.
type verdicts struct{ r *Reports }

func (v verdicts) Len() int { return v.r.Len() }

func (v verdicts) At(i int) kind.Reason {
	r := v.r.At(i)
	return kind.Reason{ID: r.ID, Device: r.Device, Role: r.Role.String(), Reason: r.Reason.String(),
		Detail: r.Detail, Units: r.Units, Scale: r.HexScale, Share: r.Share}
}

const activityLen = ledger.AddressLen + 3*8

// EncodeActivity is the canonical state bytes of an activity list sorted
// by device: per device its address and three big-endian int64 times.
func EncodeActivity(a []Activity) []byte {
	out := make([]byte, 0, len(a)*activityLen)
	for _, x := range a {
		out = append(out, x.Device[:]...)
		out = binary.BigEndian.AppendUint64(out, uint64(x.LastBeacon))
		out = binary.BigEndian.AppendUint64(out, uint64(x.LastBeaconRecip))
		out = binary.BigEndian.AppendUint64(out, uint64(x.LastWitness))
	}
	return out
}

// DecodeActivity parses EncodeActivity's bytes.
func DecodeActivity(b []byte) ([]Activity, error) {
	if len(b)%activityLen != 0 {
		return nil, fmt.Errorf("coverage: state is %d bytes, not a multiple of %d: %w", len(b), activityLen, kind.ErrInvalid)
	}
	out := make([]Activity, len(b)/activityLen)
	for i := range out {
		r := b[i*activityLen:]
		copy(out[i].Device[:], r)
		r = r[ledger.AddressLen:]
		out[i].LastBeacon = int64(binary.BigEndian.Uint64(r))
		out[i].LastBeaconRecip = int64(binary.BigEndian.Uint64(r[8:]))
		out[i].LastWitness = int64(binary.BigEndian.Uint64(r[16:]))
	}
	return out, nil
}
