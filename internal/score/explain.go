package score

import (
	"bytes"
	"encoding/hex"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
)

// Explanation is one device's result for an epoch: its kind's figures,
// what each pool paid it, its cumulative total and every report with its
// reason. It is the JSON body of GET /v1/rewards/devices/{id}.
type Explanation struct {
	Epoch         uint64 `json:"epoch,string"`
	ScorerVersion uint32 `json:"scorer_version"`
	Device        string `json:"device"`
	Kind          string `json:"kind,omitempty"`
	Owner         string `json:"owner,omitempty"`
	Registered    bool   `json:"registered"`
	// Stats are the figures the device's kind reports for it (for
	// coverage: beaconer_shares, witness_shares, valid_beacons,
	// valid_witnesses).
	Stats      []kind.Param   `json:"stats"`
	Pools      []PoolPayout   `json:"pools"`
	Payout     uint64         `json:"payout,string"`
	Cumulative uint64         `json:"cumulative,string"`
	Reports    []ReportReason `json:"reports"`
}

// Stat returns a named figure of the explanation, 0 if absent.
func (e *Explanation) Stat(name string) uint64 {
	v, _ := kind.Params(e.Stats).Get(name)
	return v
}

// PoolPayout is what one pool paid a device.
type PoolPayout struct {
	Pool   string `json:"pool"`
	Units  uint64 `json:"units,string"`
	Amount uint64 `json:"amount,string"`
}

// ReportReason is the verdict on one report of a device.
type ReportReason struct {
	ID     string `json:"id"`
	Role   string `json:"role"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
	Units  uint64 `json:"units,string"`
	Scale  uint64 `json:"scale,string"`
	Share  uint64 `json:"share,string"`
}

// explain builds the per-device explanations: every device with a report,
// a share, a payout or a cumulative total in the new manifest, sorted by
// device. Inputs are sorted, so this is a merge with no map iteration.
func explain(b *Bundle, kinds []KindOutput, out *reward.Output) []Explanation {
	byDev := map[ledger.Address]*Explanation{}
	var order []ledger.Address
	get := func(dev ledger.Address) *Explanation {
		if e, ok := byDev[dev]; ok {
			return e
		}
		e := &Explanation{Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, Device: dev.String(),
			Stats: []kind.Param{}, Pools: []PoolPayout{}, Reports: []ReportReason{}}
		byDev[dev] = e
		order = append(order, dev)
		return e
	}
	for _, ko := range kinds {
		for i := range ko.Reasons {
			r := &ko.Reasons[i]
			e := get(r.Device)
			e.Reports = append(e.Reports, ReportReason{
				ID: hex.EncodeToString(r.ID[:]), Role: r.Role, Reason: r.Reason, Detail: r.Detail,
				Units: r.Units, Scale: r.Scale, Share: r.Share,
			})
		}
		for _, s := range ko.Stats {
			e := get(s.Device)
			e.Stats = append(e.Stats, s.Values...)
		}
	}
	for _, p := range out.Payouts {
		e := get(p.Device)
		e.Pools = append(e.Pools, PoolPayout{Pool: p.Pool, Units: p.Units, Amount: p.Amount})
		e.Payout += p.Amount
	}
	for _, en := range out.Manifest.Entries {
		get(en.Device).Cumulative = en.Cumulative
	}
	slices.SortFunc(order, func(x, y ledger.Address) int { return bytes.Compare(x[:], y[:]) })
	list := make([]Explanation, len(order))
	for i, dev := range order {
		e := byDev[dev]
		for _, k := range b.Kinds {
			if j, ok := slices.BinarySearchFunc(k.Devices, dev, func(d kind.Device, id ledger.Address) int {
				return bytes.Compare(d.ID[:], id[:])
			}); ok {
				e.Registered, e.Kind = true, k.Name
				e.Owner = k.Devices[j].Owner.String()
				break
			}
		}
		list[i] = *e
	}
	return list
}

// FindExplanation returns the explanation of a device in a sorted list.
func FindExplanation(list []Explanation, dev ledger.Address) (Explanation, bool) {
	key := dev.String()
	// Bech32 strings of one prefix and length sort like their bytes.
	i, ok := slices.BinarySearchFunc(list, key, func(e Explanation, k string) int {
		a, _ := ledger.ParseAddress(e.Device)
		return bytes.Compare(a[:], dev[:])
	})
	if !ok {
		return Explanation{}, false
	}
	return list[i], true
}

// Summary describes an epoch: what was scored, the verdicts by reason and
// where the emission went. It is the JSON body of GET /v1/rewards/epochs/{n}.
type Summary struct {
	Epoch          uint64        `json:"epoch,string"`
	ScorerVersion  uint32        `json:"scorer_version"`
	StartHeight    int64         `json:"start_height,string"`
	EndHeight      int64         `json:"end_height,string"`
	Root           string        `json:"root"`
	InputsHash     string        `json:"inputs_hash,omitempty"`
	Segments       int           `json:"segments"`
	Devices        int           `json:"devices"`
	DevicesScored  int           `json:"devices_scored"`
	DevicesPaid    int           `json:"devices_paid"`
	Reports        uint64        `json:"reports,string"`
	Valid          uint64        `json:"valid,string"`
	Invalid        uint64        `json:"invalid,string"`
	OtherReports   uint64        `json:"other_reports,string"`
	Malformed      uint64        `json:"malformed_records,string"`
	Forged         uint64        `json:"forged_reports,string"`
	ByReason       []ReasonCount `json:"by_reason"`
	Emission       uint64        `json:"emission,string"`
	Pools          []PoolSummary `json:"pools"`
	DeviceTotal    uint64        `json:"device_total,string"`
	Treasury       uint64        `json:"treasury,string"`
	ManifestDevice int           `json:"manifest_devices"`
}

// ReasonCount counts one role's reports with one reason.
type ReasonCount struct {
	Kind   string `json:"kind"`
	Role   string `json:"role"`
	Reason string `json:"reason"`
	Count  uint64 `json:"count,string"`
}

// PoolSummary is reward.PoolTotal in JSON.
type PoolSummary struct {
	Name      string `json:"name"`
	Bps       uint32 `json:"bps"`
	Amount    uint64 `json:"amount,string"`
	Units     uint64 `json:"units,string"`
	Paid      uint64 `json:"paid,string"`
	Remainder uint64 `json:"remainder,string"`
}

func summarize(b *Bundle, reps *segment.Reports, kinds []KindOutput, out *reward.Output, devices int) Summary {
	s := Summary{
		Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, StartHeight: b.StartHeight, EndHeight: b.EndHeight,
		Root: out.Root.String(), Segments: len(b.Segments),
		DevicesScored: devices, Malformed: reps.Malformed, Forged: reps.Forged, Emission: out.Emission, Treasury: out.Treasury,
		ByReason: []ReasonCount{}, ManifestDevice: len(out.Manifest.Entries),
	}
	for _, k := range b.Kinds {
		s.Devices += len(k.Devices)
	}
	for _, ko := range kinds {
		s.OtherReports += ko.Unscored
		for _, c := range ko.Counts {
			s.ByReason = append(s.ByReason, ReasonCount{Kind: ko.Name, Role: c.Role, Reason: c.Reason, Count: c.Count})
			s.Reports += c.Count
			if c.Reason == kind.ReasonValid {
				s.Valid += c.Count
			} else {
				s.Invalid += c.Count
			}
		}
	}
	for _, d := range out.Devices {
		if d.Amount > 0 {
			s.DevicesPaid++
		}
	}
	for _, p := range out.Pools {
		s.Pools = append(s.Pools, PoolSummary{Name: p.Name, Bps: p.Bps, Amount: p.Amount, Units: p.Units, Paid: p.Paid, Remainder: p.Remainder})
	}
	_, s.DeviceTotal = DevicePoolsPaid(out)
	return s
}
