package sensor

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/kind"
)

// StatNames are the names of the per-device figures in kind.Output.Stats,
// in order.
var StatNames = []string{"qod", "valid_readings", "readings", "expected_readings", "uptime_slots", "slots",
	"judged_slots", "outlier_slots", "sketch_overlap", "cluster_size", "cell_rank", "first_epoch", "units"}

type pending struct {
	dev int32
	idx int32 // report index
}

// ScoreInput is the kind.Scorer of version 1: it decodes the epoch's
// reports, runs them through a Scorer device by device and returns the
// shares, a reason per report (a valid reading of a device that failed a
// device check carries the device's reason), counts, stats and state.
func ScoreInput(in kind.Input) (kind.Output, error) {
	out := kind.Output{ScorerVersion: ScorerVersion}
	p, err := ParamsFrom(in.Params)
	if err != nil {
		return out, err
	}
	s, err := NewScorer(p, in.Geo, in.Epoch, in.Start, in.End, in.Devices, in.State)
	if err != nil {
		return out, err
	}
	verdicts := make([]Verdict, 0, len(in.Reports))
	vdev := make([]int32, 0, len(in.Reports))
	var unknown []kind.Report // reports of unknown devices, in verdict order
	var byDev []pending
	for i := range in.Reports {
		r := &in.Reports[i]
		if r.Type != TypeReading && r.Type != TypeHeartbeat {
			out.Unscored++
			continue
		}
		d, ok := s.Index(r.Device)
		if !ok {
			role := RoleReading
			if r.Type == TypeHeartbeat {
				role = RoleHeartbeat
			}
			verdicts = append(verdicts, Verdict{ID: r.ID, Role: role, Reason: UnknownDevice, Channel: -1})
			vdev = append(vdev, -1-int32(len(unknown)))
			unknown = append(unknown, *r)
			continue
		}
		byDev = append(byDev, pending{int32(d), int32(i)})
	}
	slices.SortFunc(byDev, func(a, b pending) int {
		if c := cmp.Compare(a.dev, b.dev); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	var rs []Reading
	var hbs []Heartbeat
	for a := 0; a < len(byDev); {
		b := a
		for b < len(byDev) && byDev[b].dev == byDev[a].dev {
			b++
		}
		rs, hbs = rs[:0], hbs[:0]
		for _, pd := range byDev[a:b] {
			r := &in.Reports[pd.idx]
			if r.Type == TypeHeartbeat {
				hbs = append(hbs, Heartbeat{ID: r.ID, Received: r.Received, Time: r.Timestamp})
				continue
			}
			var rd Reading
			if DecodeReading(r.Body, &rd) != nil {
				out.Unscored++ // the kind's body check refuses it before scoring
				continue
			}
			rd.ID, rd.Received, rd.Time = r.ID, r.Received, r.Timestamp
			rs = append(rs, rd)
		}
		dev := byDev[a].dev
		s.Device(int(dev), rs, hbs, func(v Verdict) {
			verdicts = append(verdicts, v)
			vdev = append(vdev, dev)
		})
		a = b
	}
	res := s.Finish()

	// Order verdicts by role then id, and spread each device's units over
	// its valid readings (the remainder on its first by id).
	order := make([]int, len(verdicts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		va, vb := &verdicts[a], &verdicts[b]
		if c := cmp.Compare(va.Role.String(), vb.Role.String()); c != 0 {
			return c
		}
		return compareID(va.ID, vb.ID)
	})
	paid := make([]bool, len(res.Devices))
	counts := map[[2]string]uint64{}
	out.Reasons = make([]kind.Reason, 0, len(verdicts))
	for _, i := range order {
		v := &verdicts[i]
		kr := kind.Reason{ID: v.ID, Role: v.Role.String(), Units: 1, Scale: 1}
		reason := v.Reason
		if dv := vdev[i]; dv >= 0 {
			dr := &res.Devices[dv]
			kr.Device = dr.ID
			if reason == Valid && v.Role == RoleReading {
				if dr.Reason != Valid {
					reason = dr.Reason
					kr.Detail = deviceDetail(dr, &p)
				} else if dr.Units > 0 && dr.Valid > 0 {
					kr.Share = dr.Units / dr.Valid
					if !paid[dv] {
						kr.Share += dr.Units % dr.Valid
						paid[dv] = true
					}
				}
			}
		} else {
			kr.Device = unknown[-1-dv].Device
		}
		if kr.Detail == "" {
			kr.Detail = reportDetail(v, &p)
		}
		kr.Reason = reason.String()
		if reason != Valid {
			kr.Units = 0
		}
		counts[[2]string{kr.Role, kr.Reason}]++
		out.Reasons = append(out.Reasons, kr)
	}
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	for _, k := range keys {
		out.Counts = append(out.Counts, kind.Count{Role: k[0], Reason: k[1], Count: counts[k]})
	}
	for _, dr := range res.Devices {
		if dr.Readings == 0 && dr.UptimeSlots == 0 {
			continue
		}
		vals := []uint64{dr.QoD, dr.Valid, dr.Readings, dr.Expected, dr.UptimeSlots, uint64(s.Slots()),
			dr.Judged, dr.Outliers, dr.Overlap, dr.ClusterSize, dr.CellRank, dr.FirstEpoch, dr.Units}
		st := kind.Stats{Device: dr.ID, Values: make([]kind.Param, len(vals))}
		for j, v := range vals {
			st.Values[j] = kind.Param{Name: StatNames[j], Value: v}
		}
		out.Stats = append(out.Stats, st)
	}
	out.Shares = res.Shares
	out.State = res.State
	return out, nil
}

// reportDetail explains a report verdict.
func reportDetail(v *Verdict, p *Params) string {
	ch := func() (Channel, bool) {
		if v.Channel < 0 || int(v.Channel) >= NumChannels {
			return Channel{}, false
		}
		return Channels[v.Channel], true
	}
	switch v.Reason {
	case ClockDrift:
		return fmt.Sprintf("device clock more than %d ns from receive time", p.MaxClockDriftNs)
	case UndeclaredChannel:
		if c, ok := ch(); ok {
			return fmt.Sprintf("channel %s not declared", c.Name)
		}
	case LocationMismatch:
		return fmt.Sprintf("fix %d m from the asserted cell, limit %d m", v.Value, p.MaxFixDistanceM)
	case GNSSJump:
		return fmt.Sprintf("track implies %d km/h, limit %d km/h", v.Value, p.MaxVehicleSpeedKmh)
	case OutOfRange:
		if c, ok := ch(); ok {
			return fmt.Sprintf("%s %d outside %d..%d (%s)", c.Name, v.Value, c.Min, c.Max, c.Unit)
		}
	case RateOfChange:
		if c, ok := ch(); ok {
			return fmt.Sprintf("%s jumped to %d (%s): more than %d per hour", c.Name, v.Value, c.Unit, c.RatePerHour)
		}
	case Stuck:
		if c, ok := ch(); ok {
			return fmt.Sprintf("%s held at %d for %d ns", c.Name, v.Value, p.StuckWindowNs)
		}
	}
	return ""
}

// deviceDetail explains a device verdict.
func deviceDetail(d *DeviceResult, p *Params) string {
	switch d.Reason {
	case DuplicateVehicle:
		return "a more senior device reports the same vehicle"
	case ReplayedStream:
		return fmt.Sprintf("%d of %d sketch entries repeat a previous epoch", d.Overlap, SketchSize)
	case CopiedStream:
		return fmt.Sprintf("%d of %d sketch entries arrived after another device's", d.Overlap, SketchSize)
	case NeighbourDisagreement:
		return fmt.Sprintf("%d of %d judged slots deviate from the ring, limit %d bps", d.Outliers, d.Judged, p.MaxOutlierBps)
	case BelowQuality:
		return fmt.Sprintf("qod %d below %d (%d of %d readings valid)", d.QoD, p.MinQoD, d.Valid, d.Expected)
	case CellCapacity:
		return fmt.Sprintf("rank %d in its cell, capacity %d", d.CellRank, p.MaxPerCell)
	}
	return ""
}
