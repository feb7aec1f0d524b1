package mobile

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// ScorerVersion is the version of the rules in this file.
const ScorerVersion = 1

// StatNames name the per-radio figures of kind.Output.Stats, in order.
var StatNames = []string{"heartbeat_slots", "heartbeats", "trust_bps", "speedtests", "avg_download_bps", "avg_upload_bps",
	"avg_latency_ms", "multiplier_bps", "points", "units"}

// Test is a speedtest kept in the rolling window.
type Test struct {
	Time int64
	SpeedtestBody
}

// Radio is one radio's epoch.
type Radio struct {
	ID         ledger.Address
	Reason     Reason
	Slots      uint64 // distinct slots with an operational heartbeat
	Heartbeats uint64 // operational heartbeats counted for trust
	TrustBps   uint64
	Window     []Test
	AvgDown    uint64
	AvgUp      uint64
	AvgLatency uint64
	Multiplier uint64
	Points     uint64
	Units      uint64
	validCount uint64
	rated      bool   // averages over at least min_speedtests tests
	PeerDown   uint64 // peers' median download (bit/s), when judged
	PeerUp     uint64 // peers' median upload (bit/s), when judged
}

type verdict struct {
	idx    int32 // report index
	dev    int32 // -1 unknown
	reason Reason
	detail string
}

// Score is the kind.Scorer of version 1.
func Score(in kind.Input) (kind.Output, error) {
	out := kind.Output{ScorerVersion: ScorerVersion}
	p, err := ParamsFrom(in.Params)
	if err != nil {
		return out, err
	}
	if err := p.Check(); err != nil {
		return out, err
	}
	if in.End <= in.Start {
		return out, fmt.Errorf("mobile: empty epoch: %w", kind.ErrInvalid)
	}
	prior, err := DecodeState(in.State)
	if err != nil {
		return out, err
	}
	idx := func(a ledger.Address) int {
		i, ok := slices.BinarySearchFunc(in.Devices, a, func(d kind.Device, a ledger.Address) int { return bytes.Compare(d.ID[:], a[:]) })
		if !ok {
			return -1
		}
		return i
	}
	order := make([]int32, 0, len(in.Reports))
	var vs []verdict
	for i, r := range in.Reports {
		if r.Type != TypeHeartbeat && r.Type != TypeSpeedtest {
			out.Unscored++
			continue
		}
		if idx(r.Device) < 0 {
			vs = append(vs, verdict{idx: int32(i), dev: -1, reason: UnknownDevice})
			continue
		}
		order = append(order, int32(i))
	}
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := &in.Reports[a], &in.Reports[b]
		if c := bytes.Compare(ra.Device[:], rb.Device[:]); c != 0 {
			return c
		}
		if c := cmp.Compare(ra.Timestamp, rb.Timestamp); c != 0 {
			return c
		}
		return bytes.Compare(ra.ID[:], rb.ID[:])
	})
	radios := make([]Radio, len(in.Devices))
	for a := 0; a < len(order); {
		b := a
		for b < len(order) && in.Reports[order[b]].Device == in.Reports[order[a]].Device {
			b++
		}
		di := idx(in.Reports[order[a]].Device)
		vs = scoreRadio(&p, in, di, order[a:b], priorOf(prior, in.Devices[di].ID), &radios[di], vs)
		a = b
	}
	judgePeers(&p, in, radios)
	// Radios without reports keep their window in the state.
	var next []stateEntry
	for i, d := range in.Devices {
		r := &radios[i]
		r.ID = d.ID
		if r.Window == nil {
			r.Window = trimWindow(priorOf(prior, d.ID), &p, in.End)
		}
		if len(r.Window) > 0 {
			next = append(next, stateEntry{ID: d.ID, Tests: r.Window})
		}
	}
	// Order verdicts by role then id; spread units over valid reports.
	role := func(v *verdict) string { return in.Reports[v.idx].Type }
	slices.SortFunc(vs, func(a, b verdict) int {
		if c := cmp.Compare(role(&a), role(&b)); c != 0 {
			return c
		}
		return bytes.Compare(in.Reports[a.idx].ID[:], in.Reports[b.idx].ID[:])
	})
	paid := make([]bool, len(radios))
	counts := map[[2]string]uint64{}
	for _, v := range vs {
		rep := &in.Reports[v.idx]
		kr := kind.Reason{ID: rep.ID, Device: rep.Device, Role: rep.Type, Reason: v.reason.String(), Detail: v.detail, Units: 1, Scale: 1}
		if v.dev >= 0 && v.reason == Valid {
			r := &radios[v.dev]
			switch {
			case r.Reason != Valid:
				kr.Reason, kr.Detail = r.Reason.String(), radioDetail(r, &p)
			case r.Units > 0:
				kr.Share = r.Units / r.validCount
				if !paid[v.dev] {
					kr.Share += r.Units % r.validCount
					paid[v.dev] = true
				}
			}
		}
		if kr.Reason != Valid.String() {
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
	for i := range radios {
		r := &radios[i]
		if r.Units > 0 {
			out.Shares = append(out.Shares, kind.Share{Device: r.ID, Pool: Pool, Units: r.Units})
		}
		if r.Slots == 0 && r.validCount == 0 && r.Reason == Valid {
			continue
		}
		vals := []uint64{r.Slots, r.Heartbeats, r.TrustBps, uint64(len(r.Window)), r.AvgDown, r.AvgUp, r.AvgLatency, r.Multiplier, r.Points, r.Units}
		st := kind.Stats{Device: r.ID, Values: make([]kind.Param, len(vals))}
		for j, v := range vals {
			st.Values[j] = kind.Param{Name: StatNames[j], Value: v}
		}
		out.Stats = append(out.Stats, st)
	}
	out.State = encodeState(next)
	return out, nil
}

// scoreRadio checks one radio's reports (sorted by device time) and
// decides the radio.
func scoreRadio(p *Params, in kind.Input, di int, reps []int32, prior []Test, r *Radio, vs []verdict) []verdict {
	d := &in.Devices[di]
	attrs, attrErr := DecodeAttributes(d.Attributes)
	gate := Valid
	var latE7, lngE7 int64
	switch {
	case d.Denied:
		gate = Denied
	case attrErr != nil:
		gate = BadAttributes
	case d.Cell == 0 || !in.Geo.IsValid(d.Cell):
		gate = Unasserted
	default:
		var err error
		if latE7, lngE7, err = in.Geo.CenterE7(d.Cell); err != nil {
			gate = Unasserted
		}
	}
	slotNs := int64(p.SlotNs)
	slots := map[int64]bool{}
	var trustSum uint64
	window := append([]Test(nil), prior...)
	var prev SpeedtestBody
	hasPrev := len(window) > 0
	if hasPrev {
		prev = window[len(window)-1].SpeedtestBody
	}
	var fresh []Test
	for _, ri := range reps {
		rep := &in.Reports[ri]
		v := verdict{idx: ri, dev: int32(di), reason: gate}
		if v.reason == Valid {
			v.reason = CheckWindow(rep.Received, in.Start, in.End)
		}
		if v.reason == Valid {
			v.reason = CheckClockDrift(rep.Timestamp, rep.Received, p.MaxClockDriftNs)
		}
		if v.reason == Valid {
			switch rep.Type {
			case TypeHeartbeat:
				h, err := DecodeHeartbeat(rep.Body)
				switch {
				case err != nil:
					v.reason = NotOperational
				case !h.Operational:
					v.reason = NotOperational
				default:
					t, reason, dist := HeartbeatTrust(h, latE7, lngE7, p)
					v.reason = reason
					v.detail = fmt.Sprintf("%d m from the asserted cell, trust %d bps", dist, t)
					trustSum += t
					r.Heartbeats++
					slots[max(rep.Timestamp-in.Start, 0)/slotNs] = true
				}
			case TypeSpeedtest:
				s, err := DecodeSpeedtest(rep.Body)
				if err != nil {
					v.reason = Implausible
					break
				}
				v.reason = CheckSpeedtest(s, attrs.BackhaulMbps, prev, hasPrev, p)
				prev, hasPrev = s, true
				if v.reason == Valid {
					fresh = append(fresh, Test{Time: rep.Received, SpeedtestBody: s})
				}
			}
		}
		if v.reason == Valid {
			r.validCount++
		}
		vs = append(vs, v)
	}
	r.Window = trimWindow(append(window, fresh...), p, in.End)
	if gate != Valid {
		return vs
	}
	r.Slots = uint64(len(slots))
	if r.Heartbeats > 0 {
		r.TrustBps = trustSum / r.Heartbeats
	}
	r.Points = p.PointsIndoor
	if attrs.Outdoor {
		r.Points = p.PointsOutdoor
	}
	if n := uint64(len(r.Window)); n > 0 {
		for _, t := range r.Window {
			r.AvgDown += t.DownloadBps
			r.AvgUp += t.UploadBps
			r.AvgLatency += uint64(t.LatencyMs)
		}
		r.AvgDown, r.AvgUp, r.AvgLatency = r.AvgDown/n, r.AvgUp/n, r.AvgLatency/n
		r.Multiplier, _ = Multiplier(r.AvgDown, r.AvgUp, r.AvgLatency, p)
		r.rated = n >= p.MinSpeedtests
	}
	switch {
	case r.Slots < p.MinHeartbeats:
		r.Reason = InsufficientHeartbeats
	case uint64(len(r.Window)) < p.MinSpeedtests:
		r.Reason = InsufficientSpeedtests
	case r.Multiplier == 0:
		r.Reason = SpeedtestFail
	case r.TrustBps == 0:
		r.Reason = NoLocationTrust
	default:
		r.Units = r.Points * r.Multiplier * r.TrustBps / 10_000
		if r.validCount == 0 {
			r.Units = 0
		}
	}
	return vs
}

// judgePeers refuses each earning radio whose window's average download
// or upload exceeds, by more than PeerFactorBps, the (lower) median of the
// other rated radios whose PeerRes cell lies in the PeerRing disk of its
// own, when there are at least MinPeers of them. Radios are visited in
// device order and judged against the averages before any refusal.
func judgePeers(p *Params, in kind.Input, radios []Radio) {
	type cellRadio struct {
		cell uint64
		i    int
	}
	var cs []cellRadio
	for i := range radios {
		c := in.Devices[i].Cell
		if !radios[i].rated || c == 0 || !in.Geo.IsValid(c) || in.Geo.Resolution(c) < int(p.PeerRes) {
			continue
		}
		if pc, err := in.Geo.Parent(c, int(p.PeerRes)); err == nil {
			cs = append(cs, cellRadio{pc, i})
		}
	}
	slices.SortFunc(cs, func(a, b cellRadio) int {
		if c := cmp.Compare(a.cell, b.cell); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	var refused []int
	var downs, ups []uint64
	for _, x := range cs {
		r := &radios[x.i]
		if r.Reason != Valid || r.Units == 0 {
			continue
		}
		disk, err := in.Geo.GridDisk(x.cell, int(p.PeerRing))
		if err != nil {
			continue
		}
		downs, ups = downs[:0], ups[:0]
		for _, c := range disk {
			j, _ := slices.BinarySearchFunc(cs, c, func(y cellRadio, c uint64) int { return cmp.Compare(y.cell, c) })
			for ; j < len(cs) && cs[j].cell == c; j++ {
				if cs[j].i != x.i {
					downs = append(downs, radios[cs[j].i].AvgDown)
					ups = append(ups, radios[cs[j].i].AvgUp)
				}
			}
		}
		if uint64(len(downs)) < p.MinPeers {
			continue
		}
		r.PeerDown, r.PeerUp = PeerMedian(downs), PeerMedian(ups)
		if ExceedsPeers(r.AvgDown, r.PeerDown, p.PeerFactorBps) || ExceedsPeers(r.AvgUp, r.PeerUp, p.PeerFactorBps) {
			refused = append(refused, x.i)
		}
	}
	for _, i := range refused {
		radios[i].Reason, radios[i].Units = PeerOutlier, 0
	}
}

// trimWindow drops tests older than MaxSpeedtestAgeNs at end and keeps
// the newest SpeedtestWindow (tests in time order).
func trimWindow(ts []Test, p *Params, end int64) []Test {
	var out []Test
	for _, t := range ts {
		if end-t.Time <= int64(p.MaxSpeedtestAgeNs) {
			out = append(out, t)
		}
	}
	if n := int(p.SpeedtestWindow); len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

func radioDetail(r *Radio, p *Params) string {
	switch r.Reason {
	case InsufficientHeartbeats:
		return fmt.Sprintf("%d heartbeat slots, need %d", r.Slots, p.MinHeartbeats)
	case InsufficientSpeedtests:
		return fmt.Sprintf("%d speedtests in the window, need %d", len(r.Window), p.MinSpeedtests)
	case SpeedtestFail:
		return fmt.Sprintf("averages %d/%d bit/s %d ms below the poor tier", r.AvgDown, r.AvgUp, r.AvgLatency)
	case NoLocationTrust:
		return "every heartbeat further than trust_reduced_m from the asserted cell"
	case PeerOutlier:
		return fmt.Sprintf("averages %d/%d bit/s against the peers' medians %d/%d bit/s, factor above %d bps", r.AvgDown, r.AvgUp, r.PeerDown, r.PeerUp, p.PeerFactorBps)
	}
	return ""
}

type stateEntry struct {
	ID    ledger.Address
	Tests []Test
}

const stateVersion = 1

func encodeState(es []stateEntry) []byte {
	if len(es) == 0 {
		return nil
	}
	b := []byte{stateVersion}
	b = binary.AppendUvarint(b, uint64(len(es)))
	for _, e := range es {
		b = append(b, e.ID[:]...)
		b = binary.AppendUvarint(b, uint64(len(e.Tests)))
		for _, t := range e.Tests {
			b = binary.AppendVarint(b, t.Time)
			b = binary.AppendUvarint(b, t.DownloadBps)
			b = binary.AppendUvarint(b, t.UploadBps)
			b = binary.AppendUvarint(b, uint64(t.LatencyMs))
		}
	}
	return b
}

// DecodeState decodes the rolling speedtest windows; empty is none.
func DecodeState(b []byte) ([]stateEntry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	fail := func(what string) error { return fmt.Errorf("mobile: state: %s: %w", what, kind.ErrInvalid) }
	if b[0] != stateVersion {
		return nil, fail("unknown version")
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, fail("bad count")
	}
	b = b[k:]
	var out []stateEntry
	uv := func() (uint64, bool) {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return 0, false
		}
		b = b[k:]
		return v, true
	}
	for range n {
		var e stateEntry
		if len(b) < ledger.AddressLen {
			return nil, fail("truncated")
		}
		copy(e.ID[:], b)
		b = b[ledger.AddressLen:]
		m, ok := uv()
		if !ok || m > 64 {
			return nil, fail("bad window")
		}
		for range m {
			t, k := binary.Varint(b)
			if k <= 0 {
				return nil, fail("bad time")
			}
			b = b[k:]
			d, ok1 := uv()
			u, ok2 := uv()
			l, ok3 := uv()
			if !ok1 || !ok2 || !ok3 || l > 1<<32-1 {
				return nil, fail("bad test")
			}
			e.Tests = append(e.Tests, Test{Time: t, SpeedtestBody: SpeedtestBody{DownloadBps: d, UploadBps: u, LatencyMs: uint32(l)}})
		}
		if len(out) > 0 && bytes.Compare(out[len(out)-1].ID[:], e.ID[:]) >= 0 {
			return nil, fail("entries not sorted")
		}
		out = append(out, e)
	}
	if len(b) != 0 {
		return nil, fail("trailing bytes")
	}
	return out, nil
}

func priorOf(es []stateEntry, id ledger.Address) []Test {
	i, ok := slices.BinarySearchFunc(es, id, func(e stateEntry, id ledger.Address) int { return bytes.Compare(e.ID[:], id[:]) })
	if !ok {
		return nil
	}
	return es[i].Tests
}
