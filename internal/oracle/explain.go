package oracle

import (
	"bytes"
	"encoding/hex"
	"slices"

	"github.com/depin-network/depin/internal/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// Explanation is one device's result for an epoch: its shares, what each
// pool paid it, its cumulative total and every report with its reason.
// It is the JSON body of GET /v1/rewards/devices/{id}.
type Explanation struct {
	Epoch          uint64         `json:"epoch"`
	ScorerVersion  uint32         `json:"scorer_version"`
	Device         string         `json:"device"`
	Owner          string         `json:"owner,omitempty"`
	Registered     bool           `json:"registered"`
	BeaconerShares uint64         `json:"beaconer_shares"`
	WitnessShares  uint64         `json:"witness_shares"`
	ValidBeacons   uint32         `json:"valid_beacons"`
	ValidWitnesses uint32         `json:"valid_witnesses"`
	Pools          []PoolPayout   `json:"pools"`
	Payout         uint64         `json:"payout"`
	Cumulative     uint64         `json:"cumulative"`
	Reports        []ReportReason `json:"reports"`
}

// PoolPayout is what one pool paid a device.
type PoolPayout struct {
	Pool   string `json:"pool"`
	Units  uint64 `json:"units"`
	Amount uint64 `json:"amount"`
}

// ReportReason is the verdict on one report of a device.
type ReportReason struct {
	ID       string          `json:"id"`
	Role     coverage.Role   `json:"role"`
	Reason   coverage.Reason `json:"reason"`
	Detail   string          `json:"detail,omitempty"`
	Units    uint64          `json:"units"`
	HexScale uint64          `json:"hex_scale"`
	Share    uint64          `json:"share"`
}

// explain builds the per-device explanations: every device with a report,
// a share, a payout or a cumulative total in the new manifest, sorted by
// device. Inputs are sorted, so this is a merge with no map iteration.
func explain(b *Bundle, res *coverage.Result, out *reward.Output) []Explanation {
	byDev := map[ledger.Address]*Explanation{}
	var order []ledger.Address
	get := func(dev ledger.Address) *Explanation {
		if e, ok := byDev[dev]; ok {
			return e
		}
		e := &Explanation{Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, Device: dev.String(),
			Pools: []PoolPayout{}, Reports: []ReportReason{}}
		byDev[dev] = e
		order = append(order, dev)
		return e
	}
	for i := range res.Reports {
		r := &res.Reports[i]
		e := get(r.Device)
		e.Reports = append(e.Reports, ReportReason{
			ID: hex.EncodeToString(r.ID[:]), Role: r.Role, Reason: r.Reason, Detail: r.Detail,
			Units: r.Units, HexScale: r.HexScale, Share: r.Share,
		})
	}
	for _, s := range res.Shares {
		e := get(s.Device)
		e.BeaconerShares, e.WitnessShares = s.Beaconer, s.Witness
		e.ValidBeacons, e.ValidWitnesses = s.ValidBeacons, s.ValidWitnesses
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
		if j, ok := slices.BinarySearchFunc(b.Hotspots, dev, func(h coverage.Hotspot, d ledger.Address) int {
			return bytes.Compare(h.Device[:], d[:])
		}); ok {
			e.Registered = true
			e.Owner = b.Hotspots[j].Owner.String()
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
	Epoch          uint64        `json:"epoch"`
	ScorerVersion  uint32        `json:"scorer_version"`
	StartHeight    int64         `json:"start_height"`
	EndHeight      int64         `json:"end_height"`
	Root           string        `json:"root"`
	InputsHash     string        `json:"inputs_hash,omitempty"`
	Segments       int           `json:"segments"`
	Hotspots       int           `json:"hotspots"`
	DevicesScored  int           `json:"devices_scored"`
	DevicesPaid    int           `json:"devices_paid"`
	Reports        uint64        `json:"reports"`
	Valid          uint64        `json:"valid"`
	Invalid        uint64        `json:"invalid"`
	OtherReports   uint64        `json:"other_reports"`
	Malformed      uint64        `json:"malformed_records"`
	ByReason       []ReasonCount `json:"by_reason"`
	Emission       uint64        `json:"emission"`
	Pools          []PoolSummary `json:"pools"`
	DeviceTotal    uint64        `json:"device_total"`
	Treasury       uint64        `json:"treasury"`
	ManifestDevice int           `json:"manifest_devices"`
}

// ReasonCount counts one role's reports with one reason.
type ReasonCount struct {
	Role   coverage.Role   `json:"role"`
	Reason coverage.Reason `json:"reason"`
	Count  uint64          `json:"count"`
}

// PoolSummary is reward.PoolTotal in JSON.
type PoolSummary struct {
	Name      string `json:"name"`
	Bps       uint32 `json:"bps"`
	Amount    uint64 `json:"amount"`
	Units     uint64 `json:"units"`
	Paid      uint64 `json:"paid"`
	Remainder uint64 `json:"remainder"`
}

func summarize(b *Bundle, reps *Reports, res *coverage.Result, out *reward.Output, devices int) Summary {
	s := Summary{
		Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, StartHeight: b.StartHeight, EndHeight: b.EndHeight,
		Root: out.Root.String(), Segments: len(b.Segments), Hotspots: len(b.Hotspots),
		DevicesScored: devices, OtherReports: reps.Other, Malformed: reps.Malformed, Emission: out.Emission, Treasury: out.Treasury,
		ByReason: []ReasonCount{}, ManifestDevice: len(out.Manifest.Entries),
	}
	for _, c := range res.Counts {
		s.ByReason = append(s.ByReason, ReasonCount{Role: c.Role, Reason: c.Reason, Count: c.Count})
		s.Reports += c.Count
		if c.Reason == coverage.ReasonValid {
			s.Valid += c.Count
		} else {
			s.Invalid += c.Count
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
