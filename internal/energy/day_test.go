package energy

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sim/energysim"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_day.txt")

// dayResult is what a simulated day of one zone produced, per household.
type dayResult struct {
	e      *env
	houses []*energysim.Household
	codes  map[string]map[string]int // household -> read outcome -> count
	first  uint64                    // first interval of the day
}

// runDay simulates a midsummer day in one Berlin zone: eight honest
// households and the three adversaries read every 15-minute interval and
// trade the next one, on the market module itself.
func runDay(t *testing.T) dayResult {
	houses := energysim.Plan(8, zoneCell, 7)
	var meters []meterSpec
	for _, h := range houses {
		a := h.Attrs
		meters = append(meters, meterSpec{name: h.Name, attrs: &kenergyv1.Attributes{RatedPowerW: a.RatedPowerW, BatteryWh: a.BatteryWh,
			MaxChargeW: a.MaxChargeW, GridCell: a.GridCell, FeederId: a.FeederID, Renewable: a.Renewable}})
	}
	e := newEnv(t, meters)
	first := uint64(e.now/interval) + 1
	clock := energysim.Clock{Seconds: interval, Origin: first, StartMinute: 0, MinutesPerInterval: 15, DayOfYear: 172, LatDeg: 52.52}
	sky := energysim.NewSky(3)
	res := dayResult{e: e, houses: houses, codes: map[string]map[string]int{}, first: first}
	for _, h := range houses {
		res.codes[h.Name] = map[string]int{}
		// The baseline read closing the interval before the day.
		e.now = start(first) + 1
		if err := e.read(h.Name, h.Meter.Body(first-1)); err != nil {
			t.Fatalf("%s baseline: %v", h.Name, err)
		}
	}
	for k := uint64(0); k < 96; k++ {
		iv := first + k
		// Orders for the next interval, placed early in this one.
		e.advance(start(iv) + 2)
		for _, h := range houses {
			if o, ok := h.Order(clock, iv+1); ok {
				side := energyv1.Side_SIDE_BID
				if o.Ask {
					side = energyv1.Side_SIDE_ASK
				}
				if err := e.order(side, h.Name, iv+1, o.Wh, o.Price); err != nil && err.Code != CodeOrderTooSmall {
					t.Fatalf("interval %d: %s order: %v", iv+1, h.Name, err)
				}
			}
		}
		// The interval runs; at its end every meter reads.
		clear := sky.Next()
		e.advance(start(iv+1) + 1)
		for _, h := range houses {
			en := h.Step(clock, iv, clear)
			r, _ := h.Report(iv, en)
			outcome := "accepted"
			if err := e.read(h.Name, r); err != nil {
				outcome = err.Code.String()
			}
			res.codes[h.Name][outcome]++
		}
	}
	// Let the last intervals settle.
	e.advance(start(first+97) + 400)
	e.advance(start(first+98) + 400)
	return res
}

func TestGoldenDay(t *testing.T) {
	d := runDay(t)
	e := d.e
	var b strings.Builder
	fmt.Fprintf(&b, "# A midsummer day of one zone: 15-minute intervals, %d households.\n", len(d.houses))
	fmt.Fprintf(&b, "# interval  price(upin/kWh)  traded_wh  asks  bids  payments  penalties  imbalance\n")
	type totals struct{ sold, delivered, paid, penalties, imbalance, unpaid, refunds uint64 }
	per := map[string]*totals{}
	name := map[ledger.Address]string{}
	for _, h := range d.houses {
		per[h.Name] = &totals{}
		name[testAddr(h.Name)] = h.Name
	}
	for k := uint64(0); k < 97; k++ {
		iv := d.first + k
		c, ok := GetClearing(e.st, iv, e.zone())
		if !ok {
			continue
		}
		if !c.Settled {
			t.Fatalf("interval %d not settled", iv)
		}
		var pay, pen, imb uint64
		for _, l := range LinesOf(e.st, iv, e.zone()) {
			h := name[addrOf(l.Device)]
			switch l.Kind {
			case LinePayment:
				pay += l.Amount
				per[h].paid += l.Amount
				per[h].delivered += l.Wh
			case LinePenalty:
				pen += l.Amount
				per[h].penalties += l.Amount
			case LineImbalance:
				if l.Reason == ReasonImbalanceUnpaid {
					per[h].unpaid += l.Amount
				} else {
					imb += l.Amount
					per[h].imbalance += l.Amount
				}
			}
		}
		for _, t := range tradesOf(e.st, iv, e.zone()) {
			o, _ := GetOrder(e.st, t.Ask)
			per[name[addrOf(o.Device)]].sold += t.Wh
		}
		if c.TradedWh > 0 || c.Asks+c.Bids > 0 {
			m := clockMinute(k)
			fmt.Fprintf(&b, "%02d:%02d  %8d  %6d  %3d  %3d  %8d  %6d  %8d\n", m/60, m%60, c.Price, c.TradedWh, c.Asks, c.Bids, pay, pen, imb)
		}
	}
	fmt.Fprintf(&b, "\n# household      profile         reads                                              sold_wh  delivered_wh  paid  penalties  imbalance  certificates\n")
	for _, h := range d.houses {
		tot := per[h.Name]
		var outcomes []string
		for o, n := range d.codes[h.Name] {
			outcomes = append(outcomes, fmt.Sprintf("%s=%d", o, n))
		}
		sort.Strings(outcomes)
		certs, _, _ := Holdings(e.st, testAddr("owner/"+h.Name))
		fmt.Fprintf(&b, "%-14s %-15s %-50s %6d  %6d  %6d  %6d  %6d  %d\n", h.Name, h.Profile, strings.Join(outcomes, ","),
			tot.sold, tot.delivered, tot.paid, tot.penalties, tot.imbalance, len(certs))
	}
	got := b.String()
	const path = "testdata/golden_day.txt"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("golden day differs (rerun with -update and review the diff):\n%s", got)
	}

	// The adversaries are caught: every false read is refused or measures
	// nothing, so they are paid nothing for energy they did not deliver.
	over, back, early := per["overreporter"], per["backwards"], per["earlyseller"]
	if over.paid != 0 || d.codes["overreporter"]["accepted"] == 0 {
		t.Errorf("over-reporter: paid %d for inflated reads, want 0", over.paid)
	}
	if d.codes["backwards"]["counter_backwards"] == 0 {
		t.Errorf("backwards meter: no read refused as counter_backwards")
	}
	if d.codes["earlyseller"]["read_early"] != 96 || early.paid != 0 || early.penalties == 0 {
		t.Errorf("early seller: %d early reads, paid %d, penalties %d; want 96, 0, >0", d.codes["earlyseller"]["read_early"], early.paid, early.penalties)
	}
	_ = back
	var honestPaid uint64
	for _, h := range d.houses {
		if h.Profile == energysim.Honest {
			honestPaid += per[h.Name].paid
		}
	}
	if honestPaid == 0 {
		t.Error("honest households sold nothing all day")
	}
}

func clockMinute(k uint64) int { return int(k) * 15 }
