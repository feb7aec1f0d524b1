package energy_test

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sim/energysim"
)

// TestFleetScore scores a simulated day of one zone as the oracle would
// (every read received just after its interval): the honest households
// earn flexible-capacity and export units, the three adversaries' false
// reads earn nothing, and each gets the reason that caught it.
func TestFleetScore(t *testing.T) {
	cell, err := geo.CellFromLatLng(525_200_000, 134_050_000, 9)
	if err != nil {
		t.Fatal(err)
	}
	houses := energysim.Plan(8, cell, 11)
	const first = 2_000_000
	clock := energysim.Clock{Seconds: 900, Origin: first, MinutesPerInterval: 15, DayOfYear: 172, LatDeg: 52.52}
	sky := energysim.NewSky(5)
	addr := func(i int) ledger.Address { return ledger.AddressOf(binary.BigEndian.AppendUint64(nil, uint64(i))) }
	in := kind.Input{Epoch: 1, Start: first * 900 * 1e9, End: (first + 200) * 900 * 1e9, Params: kind.Defaults(kenergy.Specs()), Geo: geo.H3{}}
	for i, h := range houses {
		in.Devices = append(in.Devices, kind.Device{ID: addr(i), Cell: cell, Attributes: h.Attrs.Encode()})
	}
	// Devices must be sorted by id.
	for i := 1; i < len(in.Devices); i++ {
		for j := i; j > 0 && string(in.Devices[j].ID[:]) < string(in.Devices[j-1].ID[:]); j-- {
			in.Devices[j], in.Devices[j-1] = in.Devices[j-1], in.Devices[j]
		}
	}
	n := 0
	for k := uint64(0); k < 96; k++ {
		iv := first + k
		c := sky.Next()
		for i, h := range houses {
			e := h.Step(clock, iv, c)
			r, _ := h.Report(iv, e)
			n++
			in.Reports = append(in.Reports, kind.Report{ID: sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(n))), Device: addr(i),
				Received: int64((iv+1)*900+5) * 1e9, Type: kenergy.TypeRead, Body: kenergy.EncodeRead(r)})
		}
	}
	out, err := kenergy.Score(in)
	if err != nil {
		t.Fatal(err)
	}
	units := map[ledger.Address]map[string]uint64{}
	for _, s := range out.Shares {
		if units[s.Device] == nil {
			units[s.Device] = map[string]uint64{}
		}
		units[s.Device][s.Pool] += s.Units
	}
	reasons := map[ledger.Address]map[string]int{}
	for _, r := range out.Reasons {
		if reasons[r.Device] == nil {
			reasons[r.Device] = map[string]int{}
		}
		reasons[r.Device][r.Reason]++
	}
	for i, h := range houses {
		u, why := units[addr(i)], reasons[addr(i)]
		switch h.Profile {
		case energysim.OverReporter:
			if why[kenergy.ReasonAbovePeers]+why[kenergy.ReasonExportAboveRated] == 0 {
				t.Errorf("over-reporter not caught: reasons %v", why)
			}
			if why[kenergy.ReasonValid] == 0 && u[kenergy.Pool] > 0 {
				t.Errorf("over-reporter earned %d units with no valid read", u[kenergy.Pool])
			}
		case energysim.Backwards:
			if why[kenergy.ReasonCounterBackwards] == 0 {
				t.Errorf("backwards meter: reasons %v", why)
			}
		case energysim.EarlySeller:
			if why[kenergy.ReasonEarly] != 96 || len(u) != 0 {
				t.Errorf("early seller: units %v, reasons %v", u, why)
			}
		default:
			if why[kenergy.ReasonValid] < 90 {
				t.Errorf("%s: reasons %v", h.Name, why)
			}
			if h.Attrs.BatteryWh > 0 && u[kenergy.Pool] == 0 {
				t.Errorf("%s has a battery but no flexible capacity units", h.Name)
			}
		}
	}
	t.Logf("counts %v", out.Counts)
}
