package energy

import (
	"bytes"
	"reflect"
	"slices"
	"sort"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// naiveScore is the scorer written the obvious way: maps by device, peers
// found by scanning every read. Score must agree with it.
func naiveScore(in kind.Input) kind.Output {
	p, _ := ParamsFrom(in.Params)
	prior, _ := DecodeState(in.State)
	devices := map[ledger.Address]kind.Device{}
	for _, d := range in.Devices {
		devices[d.ID] = d
	}
	base := map[ledger.Address]Baseline{}
	for _, b := range prior {
		base[b.Device] = b.Baseline
	}
	type res struct {
		reason string
		d      Delta
		flex   uint64
		zone   uint64
		intv   uint64
		peer   bool
		rated  uint64
	}
	out := make([]res, len(in.Reports))
	for k, r := range in.Reports {
		d, ok := devices[r.Device]
		if !ok {
			out[k].reason = ReasonUnknownDevice
			continue
		}
		if d.Denied {
			out[k].reason = ReasonDenied
			continue
		}
		a, err := DecodeAttributes(d.Attributes)
		if err == nil {
			err = CheckAttributes(p, a)
		}
		if err != nil {
			out[k].reason = ReasonBadAttributes
			continue
		}
		if r.Received < in.Start || r.Received >= in.End {
			out[k].reason = ReasonOutsideEpoch
			continue
		}
		rd, err := DecodeRead(r.Body)
		if err != nil {
			out[k].reason = ReasonMalformed
			continue
		}
		var prev *Baseline
		if b, ok := base[r.Device]; ok {
			prev = &b
		}
		out[k].reason, out[k].d = Check(p, a, prev, rd, r.Received/1e9)
		if Accepted(out[k].reason) {
			base[r.Device] = BaselineOf(rd)
		}
		if out[k].reason == ReasonValid {
			out[k].flex = Flex(p, a, rd.SocWh)
			z, _ := Zone(a.GridCell, p.ZoneResolution)
			out[k].zone, out[k].intv, out[k].peer, out[k].rated = z, rd.Interval, a.Renewable, a.RatedPowerW
		}
	}
	flagged := make([]bool, len(out))
	for k, o := range out {
		if o.reason != ReasonValid || !o.peer {
			continue
		}
		var ratios []uint64
		for _, q := range out {
			if q.reason == ReasonValid && q.peer && q.zone == o.zone && q.intv == o.intv {
				ratios = append(ratios, capacity(PeerRead{Produced: q.d.Produced, RatedW: q.rated}, p.IntervalSeconds))
			}
		}
		if uint64(len(ratios)) < p.MinPeers {
			continue
		}
		slices.Sort(ratios)
		m := ratios[(len(ratios)-1)/2]
		line := satAdd(mulDivSat(m, p.PeerToleranceBps, 10_000), p.PeerSlack)
		flagged[k] = capacity(PeerRead{Produced: o.d.Produced, RatedW: o.rated}, p.IntervalSeconds) > line
	}
	o := kind.Output{ScorerVersion: ScorerVersion}
	flex, usage := map[ledger.Address]uint64{}, map[ledger.Address]uint64{}
	stats := map[ledger.Address][4]uint64{}
	counts := map[string]uint64{}
	for k, r := range in.Reports {
		rs := out[k]
		if flagged[k] {
			rs.reason = ReasonAbovePeers
		}
		counts[rs.reason]++
		reason := kind.Reason{ID: r.ID, Device: r.Device, Role: Role, Reason: rs.reason, Scale: 1}
		if _, ok := devices[r.Device]; ok {
			s := stats[r.Device]
			s[0]++
			stats[r.Device] = s
		}
		switch rs.reason {
		case ReasonValid:
			reason.Units, reason.Share = rs.d.Exported, rs.flex
			flex[r.Device] += rs.flex
			usage[r.Device] += rs.d.Exported
			s := stats[r.Device]
			s[1]++
			stats[r.Device] = s
		case ReasonAbovePeers:
			reason.Units = rs.d.Exported
		}
		o.Reasons = append(o.Reasons, reason)
	}
	sort.SliceStable(o.Reasons, func(i, j int) bool { return bytes.Compare(o.Reasons[i].ID[:], o.Reasons[j].ID[:]) < 0 })
	var names []string
	for n := range counts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		o.Counts = append(o.Counts, kind.Count{Role: Role, Reason: n, Count: counts[n]})
	}
	var state []DeviceBaseline
	for id, b := range base {
		state = append(state, DeviceBaseline{Device: id, Baseline: b})
	}
	o.State = EncodeState(state)
	for _, d := range in.Devices {
		if flex[d.ID] > 0 {
			o.Shares = append(o.Shares, kind.Share{Device: d.ID, Pool: Pool, Units: flex[d.ID]})
		}
		if s, ok := stats[d.ID]; ok {
			o.Stats = append(o.Stats, kind.Stats{Device: d.ID, Values: []kind.Param{
				{Name: "reads", Value: s[0]}, {Name: "valid", Value: s[1]},
				{Name: "exported_wh", Value: usage[d.ID]}, {Name: "flex_wh", Value: flex[d.ID]},
			}})
		}
	}
	return o
}

// drawInput draws a fleet of meters in one or two zones reading a few
// intervals, honest or broken in the ways the checks catch.
func drawInput(t *rapid.T) kind.Input {
	p := defaultKindParams()
	n := rapid.IntRange(1, 12).Draw(t, "devices")
	cells := []uint64{testCell, mustCell(525_300_000, 134_150_000, 9), mustCell(481_370_000, 115_750_000, 9)}
	in := kind.Input{Epoch: 1, Start: at(0) * 1e9, End: at(20) * 1e9, Params: p}
	for i := 0; i < n; i++ {
		a := solar()
		a.GridCell = cells[rapid.IntRange(0, len(cells)-1).Draw(t, "cell")]
		a.RatedPowerW = uint64(rapid.IntRange(1000, 8000).Draw(t, "rated"))
		a.MaxChargeW = min(a.MaxChargeW, a.RatedPowerW)
		a.Renewable = rapid.IntRange(0, 4).Draw(t, "renewable") > 0
		if rapid.IntRange(0, 5).Draw(t, "nobattery") == 0 {
			a.BatteryWh, a.MaxChargeW = 0, 0
		}
		attrs := EncodeAttributes(a)
		if rapid.IntRange(0, 20).Draw(t, "badattrs") == 0 {
			attrs = []byte{0xff}
		}
		in.Devices = append(in.Devices, kind.Device{ID: devAddr(i), Attributes: attrs, Denied: rapid.IntRange(0, 20).Draw(t, "denied") == 0})
	}
	if rapid.Bool().Draw(t, "prior") {
		var st []DeviceBaseline
		for i := 0; i < n+1; i += 2 {
			st = append(st, DeviceBaseline{Device: devAddr(i), Baseline: Baseline{Interval: 0, Soc: 100}})
		}
		in.State = EncodeState(st)
	}
	ctr := make([][3]uint64, n+1)
	m := rapid.IntRange(0, 60).Draw(t, "reports")
	for k := 0; k < m; k++ {
		i := rapid.IntRange(0, n).Draw(t, "dev") // n: an unknown device
		iv := uint64(rapid.IntRange(0, 12).Draw(t, "interval"))
		for j := range ctr[i] {
			ctr[i][j] += uint64(rapid.IntRange(0, 1600).Draw(t, "wh"))
		}
		if rapid.IntRange(0, 10).Draw(t, "back") == 0 {
			ctr[i][1] /= 2
		}
		rd := &energyv1.Read{Interval: iv, ImportedWh: ctr[i][0], ExportedWh: ctr[i][1], ProducedWh: ctr[i][2] + ctr[i][1],
			SocWh: uint64(rapid.IntRange(0, 10_500).Draw(t, "soc"))}
		body := EncodeRead(rd)
		if rapid.IntRange(0, 30).Draw(t, "malformed") == 0 {
			body = []byte{0x08}
		}
		recv := (at(iv) + int64(rapid.IntRange(-100, 3000).Draw(t, "late"))) * 1e9
		in.Reports = append(in.Reports, kind.Report{ID: reportID(rapid.IntRange(0, 2*m).Draw(t, "id")), Device: devAddr(i),
			Received: recv, Type: TypeRead, Body: body})
	}
	return in
}

func TestScoreMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := drawInput(t)
		got, err := Score(in)
		if err != nil {
			t.Fatalf("Score: %v", err)
		}
		want := naiveScore(in)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Score and naive differ:\n got %+v\nwant %+v", got, want)
		}
		for _, r := range got.Reasons {
			if r.Reason != ReasonValid && r.Share != 0 {
				t.Fatalf("%s earned %d", r.Reason, r.Share)
			}
		}
	})
}

func TestPeersIgnoresOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := DefaultParams()
		p.MinPeers = uint64(rapid.IntRange(2, 4).Draw(t, "min"))
		n := rapid.IntRange(0, 30).Draw(t, "n")
		reads := make([]PeerRead, n)
		for i := range reads {
			reads[i] = PeerRead{Zone: uint64(rapid.IntRange(0, 2).Draw(t, "z")), Interval: uint64(rapid.IntRange(0, 2).Draw(t, "i")),
				Produced: uint64(rapid.IntRange(0, 3000).Draw(t, "wh")), RatedW: uint64(rapid.IntRange(1, 6000).Draw(t, "w"))}
		}
		perm := rapid.Permutation(func() []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		}()).Draw(t, "perm")
		shuffled := make([]PeerRead, n)
		for i, j := range perm {
			shuffled[i] = reads[j]
		}
		a, b := Peers(p, reads), Peers(p, shuffled)
		for i, j := range perm {
			if b[i] != a[j] {
				t.Fatalf("read %d: flag %v in one order, %v in another", j, a[j], b[i])
			}
		}
	})
}
