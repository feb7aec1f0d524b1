package mobile

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/kind"
)

// referenceScore is the naive twin of Score: per radio, every report
// scanned, windows rebuilt from scratch; it returns units per device and
// the reason per report id.
func referenceScore(in kind.Input) (map[[20]byte]uint64, map[[32]byte]string, []byte) {
	p, _ := ParamsFrom(in.Params)
	prior, _ := DecodeState(in.State)
	units := map[[20]byte]uint64{}
	reasons := map[[32]byte]string{}
	var next []stateEntry
	for _, r := range in.Reports {
		found := false
		for _, d := range in.Devices {
			found = found || d.ID == r.Device
		}
		if !found && (r.Type == TypeHeartbeat || r.Type == TypeSpeedtest) {
			reasons[r.ID] = UnknownDevice.String()
		}
	}
	type judged struct {
		cell           uint64
		down, up       uint64
		rated, earning bool
		ids            [][32]byte // valid reports
	}
	var all []judged
	for _, d := range in.Devices {
		var me judged
		var mine []kind.Report
		for _, r := range in.Reports {
			if r.Device == d.ID && (r.Type == TypeHeartbeat || r.Type == TypeSpeedtest) {
				mine = append(mine, r)
			}
		}
		sort.SliceStable(mine, func(i, j int) bool {
			if mine[i].Timestamp != mine[j].Timestamp {
				return mine[i].Timestamp < mine[j].Timestamp
			}
			return bytes.Compare(mine[i].ID[:], mine[j].ID[:]) < 0
		})
		attrs, aerr := DecodeAttributes(d.Attributes)
		gate := Valid
		var lat, lng int64
		if d.Denied {
			gate = Denied
		} else if aerr != nil {
			gate = BadAttributes
		} else if d.Cell == 0 || !in.Geo.IsValid(d.Cell) {
			gate = Unasserted
		} else {
			lat, lng, _ = in.Geo.CenterE7(d.Cell)
		}
		window := priorOf(prior, d.ID)
		hours := map[int64]bool{}
		var trust, hbs, valid uint64
		var per []struct {
			id     [32]byte
			reason Reason
		}
		for _, r := range mine {
			reason := gate
			if reason == Valid && (r.Received < in.Start || r.Received >= in.End) {
				reason = OutsideEpoch
			}
			if reason == Valid {
				reason = CheckClockDrift(r.Timestamp, r.Received, p.MaxClockDriftNs)
			}
			if reason == Valid && r.Type == TypeHeartbeat {
				h, _ := DecodeHeartbeat(r.Body)
				if !h.Operational {
					reason = NotOperational
				} else {
					var t uint64
					t, reason, _ = HeartbeatTrust(h, lat, lng, &p)
					trust += t
					hbs++
					hours[max(r.Timestamp-in.Start, 0)/int64(p.SlotNs)] = true
				}
			}
			if reason == Valid && r.Type == TypeSpeedtest {
				s, _ := DecodeSpeedtest(r.Body)
				var prev SpeedtestBody
				has := false
				// the previous speedtest that reached this check
				for _, q := range mine {
					if q.Type != TypeSpeedtest || q.ID == r.ID && q.Timestamp == r.Timestamp {
						if q.ID == r.ID {
							break
						}
						continue
					}
					if gate == Valid && q.Received >= in.Start && q.Received < in.End && CheckClockDrift(q.Timestamp, q.Received, p.MaxClockDriftNs) == Valid {
						prev, _ = DecodeSpeedtest(q.Body)
						has = true
					}
				}
				if !has && len(window) > 0 {
					prev, has = priorOf(prior, d.ID)[len(priorOf(prior, d.ID))-1].SpeedtestBody, true
				}
				reason = CheckSpeedtest(s, attrs.BackhaulMbps, prev, has, &p)
				if reason == Valid {
					window = append(append([]Test(nil), window...), Test{Time: r.Received, SpeedtestBody: s})
				}
			}
			if reason == Valid {
				valid++
			}
			per = append(per, struct {
				id     [32]byte
				reason Reason
			}{r.ID, reason})
		}
		window = trimWindow(window, &p, in.End)
		if len(window) > 0 {
			next = append(next, stateEntry{ID: d.ID, Tests: window})
		}
		radioReason := Valid
		var u uint64
		if gate == Valid {
			var down, up, latency uint64
			for _, t := range window {
				down, up, latency = down+t.DownloadBps, up+t.UploadBps, latency+uint64(t.LatencyMs)
			}
			var mult uint64
			if n := uint64(len(window)); n > 0 {
				mult, _ = Multiplier(down/n, up/n, latency/n, &p)
				me.down, me.up, me.rated, me.cell = down/n, up/n, n >= p.MinSpeedtests, d.Cell
			}
			tr := uint64(0)
			if hbs > 0 {
				tr = trust / hbs
			}
			points := p.PointsIndoor
			if attrs.Outdoor {
				points = p.PointsOutdoor
			}
			switch {
			case uint64(len(hours)) < p.MinHeartbeats:
				radioReason = InsufficientHeartbeats
			case uint64(len(window)) < p.MinSpeedtests:
				radioReason = InsufficientSpeedtests
			case mult == 0:
				radioReason = SpeedtestFail
			case tr == 0:
				radioReason = NoLocationTrust
			case valid > 0:
				u = points * mult * tr / 10_000
			}
		}
		if u > 0 {
			units[d.ID] = u
			me.earning = true
		}
		for _, x := range per {
			if x.reason == Valid && radioReason != Valid {
				reasons[x.id] = radioReason.String()
			} else {
				reasons[x.id] = x.reason.String()
			}
			if x.reason == Valid {
				me.ids = append(me.ids, x.id)
			}
		}
		all = append(all, me)
	}
	// The peer check, all pairs: j is a peer of i if both are rated and
	// j's peer_res cell is within peer_ring grid steps of i's.
	parent := func(c uint64) (uint64, bool) {
		if c == 0 || !in.Geo.IsValid(c) || in.Geo.Resolution(c) < int(p.PeerRes) {
			return 0, false
		}
		x, err := in.Geo.Parent(c, int(p.PeerRes))
		return x, err == nil
	}
	var out []int
	for i, a := range all {
		pa, ok := parent(a.cell)
		if !a.earning || !a.rated || !ok {
			continue
		}
		var downs, ups []uint64
		for j, b := range all {
			pb, ok := parent(b.cell)
			if j == i || !b.rated || !ok {
				continue
			}
			if dist, err := in.Geo.GridDistance(pa, pb); err == nil && dist <= int64(p.PeerRing) {
				downs, ups = append(downs, b.down), append(ups, b.up)
			}
		}
		if uint64(len(downs)) < p.MinPeers {
			continue
		}
		sort.Slice(downs, func(x, y int) bool { return downs[x] < downs[y] })
		sort.Slice(ups, func(x, y int) bool { return ups[x] < ups[y] })
		md, mu := downs[(len(downs)-1)/2], ups[(len(ups)-1)/2]
		if a.down*10_000 > md*p.PeerFactorBps || a.up*10_000 > mu*p.PeerFactorBps {
			out = append(out, i)
		}
	}
	for _, i := range out {
		delete(units, in.Devices[i].ID)
		for _, id := range all[i].ids {
			reasons[id] = PeerOutlier.String()
		}
	}
	return units, reasons, encodeState(next)
}

func TestReferenceCompare(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(rt, "radios")
		bad := map[int]behaviour{}
		for i := range n {
			bad[i] = behaviour(rapid.IntRange(0, int(drifty)).Draw(rt, fmt.Sprintf("b%d", i)))
		}
		f := newFleet(t, n, rapid.IntRange(1, 30).Draw(rt, "hbs"), rapid.IntRange(0, 5).Draw(rt, "tests"), bad)
		f.p.MinHeartbeats = uint64(rapid.IntRange(1, 24).Draw(rt, "min_hb"))
		f.p.SpeedtestWindow = uint64(rapid.IntRange(2, 8).Draw(rt, "window"))
		f.p.PeerRes = uint64(rapid.IntRange(5, 8).Draw(rt, "peer_res"))
		f.p.MinPeers = uint64(rapid.IntRange(1, 3).Draw(rt, "min_peers"))
		f.p.PeerFactorBps = uint64(rapid.IntRange(10_000, 15_000).Draw(rt, "peer_factor"))
		var state []byte
		for epoch := uint64(1); epoch <= 2; epoch++ {
			in := f.input(epoch, state)
			for i := range in.Reports {
				switch rapid.IntRange(0, 20).Draw(rt, fmt.Sprintf("m%d.%d", epoch, i)) {
				case 0:
					in.Reports[i].Received = in.End
				case 1:
					in.Reports[i].Timestamp -= int64(f.p.MaxClockDriftNs) + 1
				case 2:
					in.Reports[i].Device[3] ^= 1
				case 3:
					in.Reports[i].Body = EncodeHeartbeat(HeartbeatBody{})
					in.Reports[i].Type = TypeHeartbeat
				}
			}
			if rapid.Bool().Draw(rt, "deny") {
				in.Devices[0].Denied = true
			}
			out, err := Score(in)
			if err != nil {
				rt.Fatal(err)
			}
			wantU, wantR, wantS := referenceScore(in)
			gotU := unitsOf(out)
			if len(gotU) != len(wantU) {
				rt.Fatalf("units: got %v, want %v", gotU, wantU)
			}
			for a, u := range wantU {
				if gotU[a] != u {
					rt.Fatalf("units of %x: got %d, want %d", a[:4], gotU[a], u)
				}
			}
			if len(out.Reasons) != len(wantR) {
				rt.Fatalf("reasons: got %d, want %d", len(out.Reasons), len(wantR))
			}
			for _, r := range out.Reasons {
				if wantR[r.ID] != r.Reason {
					rt.Fatalf("report %x (%s): got %s, want %s", r.ID[:4], r.Role, r.Reason, wantR[r.ID])
				}
			}
			if !bytes.Equal(out.State, wantS) {
				rt.Fatalf("state differs")
			}
			state = out.State
		}
	})
}
