package mobile

import (
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
)

func TestExceedsPeers(t *testing.T) {
	for _, c := range []struct {
		v, med, f uint64
		want      bool
	}{
		{300, 100, 30_000, false}, // exactly 3×: allowed
		{301, 100, 30_000, true},
		{0, 0, 10_000, false},
		{1, 0, 10_000, true},
		{^uint64(0), ^uint64(0) / 2, 20_000, true}, // no overflow
		{^uint64(0) - 1, ^uint64(0) / 2, 20_000, false},
	} {
		if got := ExceedsPeers(c.v, c.med, c.f); got != c.want {
			t.Errorf("ExceedsPeers(%d, %d, %d) = %v", c.v, c.med, c.f, got)
		}
	}
	if PeerMedian([]uint64{5, 1, 3, 9}) != 3 || PeerMedian(nil) != 0 || PeerMedian([]uint64{7}) != 7 {
		t.Error("median")
	}
}

// TestJudgePeers: one table row per situation; radio 0 is judged against
// the radios around it.
func TestJudgePeers(t *testing.T) {
	const M = 1_000_000
	here, _ := geo.CellFromLatLng(525200000, 134050000, 12)
	far, _ := geo.CellFromLatLng(481370000, 115750000, 12) // Munich
	type radio struct {
		cell     uint64
		down, up uint64
		rated    bool
		units    uint64
	}
	honest := func(down uint64) radio { return radio{here, down * M, 10 * M, true, 1} }
	for _, c := range []struct {
		name   string
		radios []radio
		want   Reason
	}{
		{"3x median download: allowed", []radio{honest(300), honest(90), honest(100), honest(110)}, Valid},
		{"above 3x median download", []radio{honest(301), honest(90), honest(100), honest(110)}, PeerOutlier},
		{"above 3x median upload", []radio{{here, 100 * M, 31 * M, true, 1}, honest(90), honest(100), honest(110)}, PeerOutlier},
		{"too few peers", []radio{honest(900), honest(90), honest(100)}, Valid},
		{"unrated peers do not count", []radio{honest(900), honest(90), honest(100), {here, 1, 1, false, 0}}, Valid},
		{"far peers do not count", []radio{honest(900), honest(90), honest(100), {far, 100 * M, 10 * M, true, 1}}, Valid},
		{"not earning: not judged", []radio{{here, 900 * M, 10 * M, true, 0}, honest(90), honest(100), honest(110)}, Valid},
	} {
		p := DefaultParams()
		in := kind.Input{Geo: geo.H3{}}
		rs := make([]Radio, len(c.radios))
		for i, r := range c.radios {
			in.Devices = append(in.Devices, kind.Device{Cell: r.cell})
			rs[i] = Radio{AvgDown: r.down, AvgUp: r.up, rated: r.rated, Units: r.units}
		}
		judgePeers(&p, in, rs)
		if rs[0].Reason != c.want {
			t.Errorf("%s: got %s, want %s", c.name, rs[0].Reason, c.want)
		}
		for i := 1; i < len(rs); i++ {
			if rs[i].Reason != Valid {
				t.Errorf("%s: honest radio %d refused", c.name, i)
			}
		}
		if c.want == PeerOutlier && rs[0].Units != 0 {
			t.Errorf("%s: a refused radio keeps units", c.name)
		}
	}
}
