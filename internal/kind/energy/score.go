package energy

import (
	"bytes"
	"cmp"
	"slices"
	"sort"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// Reasons the scorer adds to Check's, about the report rather than the read.
const (
	ReasonUnknownDevice = "unknown_device" // no registered energy device sent it
	ReasonDenied        = "denied"         // the device is on the denylist
	ReasonBadAttributes = "bad_attributes" // the device asserted no usable attributes
	ReasonOutsideEpoch  = "outside_epoch"  // received outside the epoch
	ReasonMalformed     = "malformed"      // the body does not decode
)

// Role is the role of every read in reasons and counts.
const Role = "meter"

type meter struct {
	attrs *energyv1.Attributes
	zone  uint64
	err   bool
}

// Score is the kind's scorer (version 1). Reports are judged in the order
// given (segment order); a device's reads chain through its baseline, which
// starts from in.State and ends in the output's state. Valid reads of
// renewable devices are then checked against their zone's peers (Peers):
// the peer groups are the valid reads of one zone and interval scored in
// this epoch.
func Score(in kind.Input) (kind.Output, error) {
	p, err := ParamsFrom(in.Params)
	if err != nil {
		return kind.Output{}, err
	}
	prior, err := DecodeState(in.State)
	if err != nil {
		return kind.Output{}, err
	}
	devs := make([]meter, len(in.Devices))
	for i, d := range in.Devices {
		a, err := DecodeAttributes(d.Attributes)
		if err == nil {
			err = CheckAttributes(p, a)
		}
		if err != nil {
			devs[i].err = true
			continue
		}
		z, _ := Zone(a.GridCell, p.ZoneResolution)
		devs[i] = meter{attrs: a, zone: z}
	}
	find := func(id ledger.Address) int {
		i := sort.Search(len(in.Devices), func(i int) bool { return bytes.Compare(in.Devices[i].ID[:], id[:]) >= 0 })
		if i < len(in.Devices) && in.Devices[i].ID == id {
			return i
		}
		return -1
	}
	// Baselines by device, in a slice parallel to in.Devices; devices of
	// the prior state that are no longer registered carry over unchanged.
	base := make([]*Baseline, len(in.Devices))
	var orphans []DeviceBaseline
	for _, b := range prior {
		if i := find(b.Device); i >= 0 {
			bb := b.Baseline
			base[i] = &bb
		} else {
			orphans = append(orphans, b)
		}
	}

	type scored struct {
		dev    int
		reason string
		delta  Delta
		flex   uint64
	}
	res := make([]scored, len(in.Reports))
	var peers []PeerRead
	var peerOf []int
	for k, r := range in.Reports {
		s := &res[k]
		s.dev = find(r.Device)
		switch {
		case s.dev < 0:
			s.reason = ReasonUnknownDevice
			continue
		case in.Devices[s.dev].Denied:
			s.reason = ReasonDenied
			continue
		case devs[s.dev].err:
			s.reason = ReasonBadAttributes
			continue
		case r.Received < in.Start || r.Received >= in.End:
			s.reason = ReasonOutsideEpoch
			continue
		}
		rd, err := DecodeRead(r.Body)
		if err != nil {
			s.reason = ReasonMalformed
			continue
		}
		d := devs[s.dev]
		s.reason, s.delta = Check(p, d.attrs, base[s.dev], rd, r.Received/1e9)
		if !Accepted(s.reason) {
			continue
		}
		b := BaselineOf(rd)
		base[s.dev] = &b
		if s.reason != ReasonValid {
			continue
		}
		s.flex = Flex(p, d.attrs, rd.SocWh)
		if d.attrs.Renewable {
			peers = append(peers, PeerRead{Zone: d.zone, Interval: rd.Interval, Produced: s.delta.Produced, RatedW: d.attrs.RatedPowerW})
			peerOf = append(peerOf, k)
		}
	}
	for j, flagged := range Peers(p, peers) {
		if flagged {
			res[peerOf[j]].reason = ReasonAbovePeers
		}
	}

	out := kind.Output{ScorerVersion: ScorerVersion}
	flex := make([]uint64, len(in.Devices))
	exported := make([]uint64, len(in.Devices)) // a stat: traded energy is paid by the market module
	reads := make([]uint64, len(in.Devices))
	valid := make([]uint64, len(in.Devices))
	all := make([]string, 0, len(in.Reports))
	for k, r := range in.Reports {
		s := res[k]
		all = append(all, s.reason)
		reason := kind.Reason{ID: r.ID, Device: r.Device, Role: Role, Reason: s.reason, Units: s.delta.Exported, Scale: 1}
		if s.dev >= 0 {
			reads[s.dev]++
		}
		if s.reason == ReasonValid {
			reason.Share = s.flex
			flex[s.dev] = satAdd(flex[s.dev], s.flex)
			exported[s.dev] = satAdd(exported[s.dev], s.delta.Exported)
			valid[s.dev]++
		} else if s.reason != ReasonAbovePeers {
			reason.Units = 0
		}
		out.Reasons = append(out.Reasons, reason)
	}
	slices.SortStableFunc(out.Reasons, func(a, b kind.Reason) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	slices.Sort(all)
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j] == all[i] {
			j++
		}
		out.Counts = append(out.Counts, kind.Count{Role: Role, Reason: all[i], Count: uint64(j - i)})
		i = j
	}
	var state []DeviceBaseline
	for i, d := range in.Devices {
		if flex[i] > 0 {
			out.Shares = append(out.Shares, kind.Share{Device: d.ID, Pool: Pool, Units: flex[i]})
		}
		if reads[i] > 0 {
			out.Stats = append(out.Stats, kind.Stats{Device: d.ID, Values: []kind.Param{
				{Name: "reads", Value: reads[i]}, {Name: "valid", Value: valid[i]},
				{Name: "exported_wh", Value: exported[i]}, {Name: "flex_wh", Value: flex[i]},
			}})
		}
		if base[i] != nil {
			state = append(state, DeviceBaseline{Device: d.ID, Baseline: *base[i]})
		}
	}
	out.State = EncodeState(append(state, orphans...))
	slices.SortFunc(out.Shares, func(a, b kind.Share) int {
		if c := bytes.Compare(a.Device[:], b.Device[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.Pool, b.Pool)
	})
	return out, nil
}
