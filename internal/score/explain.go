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

// explainer builds the per-device explanations one device at a time from
// the kinds' verdicts (held once, compactly where the kind keeps them so:
// kind.Output.Verdicts), their stats and the rewards: every device with a
// report, a share, a payout or a cumulative total in the new manifest,
// sorted by device. An epoch's explanations are never all held at once.
type explainer struct {
	b     *Bundle
	kinds []KindOutput
	out   *reward.Output
	verds []kind.Verdicts
	stl   []kind.StatsList
	// devs are the explained devices, sorted; the verdicts of devs[d] are
	// perm[start[d]:start[d+1]], each a verdict's index over all kinds in
	// order (kind k's verdict i is base[k]+i), ascending.
	devs  []ledger.Address
	start []int32
	perm  []int32
	base  []int
	// stats[k] and payouts order kind k's stats and the payouts by device
	// (stably: a device's entries keep their order).
	stats   [][]int32
	payouts []int32
}

func newExplainer(b *Bundle, kinds []KindOutput, out *reward.Output) *explainer {
	x := &explainer{b: b, kinds: kinds, out: out}
	rank := map[ledger.Address]int32{}
	add := func(d ledger.Address) {
		if _, ok := rank[d]; !ok {
			rank[d] = 0
		}
	}
	total := 0
	for k := range kinds {
		v := kind.VerdictsOf(&kinds[k].Output)
		x.verds = append(x.verds, v)
		x.base = append(x.base, total)
		total += v.Len()
		for i := range v.Len() {
			add(v.At(i).Device)
		}
		sl := kind.StatsOf(&kinds[k].Output)
		x.stl = append(x.stl, sl)
		for i := range sl.Len() {
			add(sl.Device(i))
		}
	}
	for _, p := range out.Payouts {
		add(p.Device)
	}
	for _, en := range out.Manifest.Entries {
		add(en.Device)
	}
	x.devs = make([]ledger.Address, 0, len(rank))
	//archtest:maprange-ok collects the keys, which are sorted just below
	for d := range rank {
		x.devs = append(x.devs, d)
	}
	slices.SortFunc(x.devs, func(a, b ledger.Address) int { return bytes.Compare(a[:], b[:]) })
	for i, d := range x.devs {
		rank[d] = int32(i)
	}
	// A counting sort of the verdicts by device keeps each device's
	// verdicts in kind order, then in their kind's order.
	of := make([]int32, total)
	x.start = make([]int32, len(x.devs)+1)
	for k, v := range x.verds {
		for i := range v.Len() {
			r := rank[v.At(i).Device]
			of[x.base[k]+i] = r
			x.start[r+1]++
		}
	}
	for d := range x.devs {
		x.start[d+1] += x.start[d]
	}
	next := slices.Clone(x.start[:len(x.devs)])
	x.perm = make([]int32, total)
	for g, r := range of {
		x.perm[next[r]] = int32(g)
		next[r]++
	}
	byDev := func(n int, dev func(int) ledger.Address) []int32 {
		idx := make([]int32, n)
		sorted := true
		for i := range idx {
			idx[i] = int32(i)
			if i > 0 {
				a, b := dev(i-1), dev(i)
				sorted = sorted && bytes.Compare(a[:], b[:]) <= 0
			}
		}
		if !sorted {
			slices.SortStableFunc(idx, func(i, j int32) int {
				a, b := dev(int(i)), dev(int(j))
				return bytes.Compare(a[:], b[:])
			})
		}
		return idx
	}
	for _, sl := range x.stl {
		x.stats = append(x.stats, byDev(sl.Len(), sl.Device))
	}
	x.payouts = byDev(len(out.Payouts), func(i int) ledger.Address { return out.Payouts[i].Device })
	return x
}

// cursor walks the stats, payouts and manifest entries in device order
// alongside the explained devices.
type cursor struct {
	stats   []int
	payout  int
	entry   int
	pending bool
}

// each calls fn with every explanation in device order. The explanation
// is reused: fn must not keep it.
func (x *explainer) each(fn func(*Explanation) error) error {
	c := cursor{stats: make([]int, len(x.kinds))}
	var e Explanation
	for d := range x.devs {
		x.build(d, &c, &e)
		if err := fn(&e); err != nil {
			return err
		}
	}
	return nil
}

// one returns the explanation of dev, if explained.
func (x *explainer) one(dev ledger.Address) (Explanation, bool) {
	d, ok := slices.BinarySearchFunc(x.devs, dev, func(a, b ledger.Address) int { return bytes.Compare(a[:], b[:]) })
	if !ok {
		return Explanation{}, false
	}
	c := cursor{stats: make([]int, len(x.kinds))}
	lessThan := func(a ledger.Address) bool { return bytes.Compare(a[:], dev[:]) < 0 }
	for k, sl := range x.stl {
		c.stats[k], _ = slices.BinarySearchFunc(x.stats[k], dev, func(i int32, t ledger.Address) int {
			if lessThan(sl.Device(int(i))) {
				return -1
			}
			return 1
		})
	}
	c.payout, _ = slices.BinarySearchFunc(x.payouts, dev, func(i int32, t ledger.Address) int {
		if lessThan(x.out.Payouts[i].Device) {
			return -1
		}
		return 1
	})
	var e Explanation
	x.build(d, &c, &e)
	return e, true
}

// build fills e with the explanation of devs[d]; c is at or before its
// entries and moves past them.
func (x *explainer) build(d int, c *cursor, e *Explanation) {
	dev := x.devs[d]
	*e = Explanation{Epoch: x.b.Epoch, ScorerVersion: x.b.ScorerVersion, Device: dev.String(),
		Stats: e.Stats[:0], Pools: e.Pools[:0], Reports: e.Reports[:0]}
	if e.Stats == nil {
		e.Stats, e.Pools, e.Reports = []kind.Param{}, []PoolPayout{}, []ReportReason{}
	}
	for _, g := range x.perm[x.start[d]:x.start[d+1]] {
		k, _ := slices.BinarySearch(x.base, int(g)+1)
		k--
		r := x.verds[k].At(int(g) - x.base[k])
		e.Reports = append(e.Reports, ReportReason{
			ID: hex.EncodeToString(r.ID[:]), Role: r.Role, Reason: r.Reason, Detail: r.Detail,
			Units: r.Units, Scale: r.Scale, Share: r.Share,
		})
	}
	for k, sl := range x.stl {
		for ; c.stats[k] < sl.Len(); c.stats[k]++ {
			i := int(x.stats[k][c.stats[k]])
			d := sl.Device(i)
			if bytes.Compare(d[:], dev[:]) > 0 {
				break
			}
			if d == dev {
				e.Stats = append(e.Stats, sl.At(i).Values...)
			}
		}
	}
	for ; c.payout < len(x.payouts) && bytes.Compare(x.out.Payouts[x.payouts[c.payout]].Device[:], dev[:]) <= 0; c.payout++ {
		if p := &x.out.Payouts[x.payouts[c.payout]]; p.Device == dev {
			e.Pools = append(e.Pools, PoolPayout{Pool: p.Pool, Units: p.Units, Amount: p.Amount})
			e.Payout += p.Amount
		}
	}
	ents := x.out.Manifest.Entries
	if i, ok := slices.BinarySearchFunc(ents, dev, func(en reward.Entry, t ledger.Address) int {
		return bytes.Compare(en.Device[:], t[:])
	}); ok {
		// The last of equal devices wins, as it did when they were set in
		// order (a manifest has each device once).
		for i+1 < len(ents) && ents[i+1].Device == dev {
			i++
		}
		e.Cumulative = ents[i].Cumulative
	}
	for _, k := range x.b.Kinds {
		if j, ok := slices.BinarySearchFunc(k.Devices, dev, func(kd kind.Device, id ledger.Address) int {
			return bytes.Compare(kd.ID[:], id[:])
		}); ok {
			e.Registered, e.Kind = true, k.Name
			e.Owner = k.Devices[j].Owner.String()
			break
		}
	}
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
