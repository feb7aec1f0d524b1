package bench

import (
	"fmt"
	"runtime"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// EnergyConfig sizes the energy market benchmark.
type EnergyConfig struct {
	// Orders are the order counts of one zone's auction; the first is the
	// baseline.
	Orders []int
	// Meters are the meters settled in one interval, in zones of
	// ZoneMeters; the first is the baseline.
	Meters     []int
	ZoneMeters int
}

// DefaultEnergyConfig is the configuration of `depin bench energy`: 1k and
// 10k orders in a zone, 10k and 100k meters settling, 100 to a zone.
func DefaultEnergyConfig() EnergyConfig {
	return EnergyConfig{Orders: []int{1_000, 10_000}, Meters: []int{10_000, 100_000}, ZoneMeters: 100}
}

const energyInterval = 900

// energyEnv is a ledger holding energy meters, driven through the market's
// own handlers.
type energyEnv struct {
	st   *ledger.MemStore
	rt   *ledger.Router
	keys []sig.PrivateKey
	devs []ledger.Address
	now  int64
}

func energyOwner(i int) ledger.Address { return fleetAddr("depin/bench/energy/owner", i) }

// newEnergyEnv registers n meters, perZone to a zone, each its own owner;
// every fourth is a consumer, the others renewable.
func newEnergyEnv(n, perZone int) (*energyEnv, error) {
	st := ledger.NewMemStore()
	reg := params.NewRegistry(energy.Specs(), kenergy.Specs(), bank.Specs(), device.Specs())
	if err := reg.InitGenesis(st, fleetAddr("depin/bench/energy/authority", 0),
		map[string]uint64{energy.MaxOrders.Name: 1_000_000, energy.GateSeconds.Name: 60, energy.ReadWindow.Name: 300}); err != nil {
		return nil, err
	}
	var bals []bank.GenesisBalance
	for i := 0; i < n; i++ {
		bals = append(bals, bank.GenesisBalance{Address: energyOwner(i), Amount: 1 << 40})
	}
	if err := bank.InitGenesis(st, "upin", 6, bals); err != nil {
		return nil, err
	}
	maker := sig.KeyFromSeed(make([]byte, 32))
	e := &energyEnv{st: st, rt: ledger.NewRouter(), now: 1_000_000 * energyInterval}
	energy.Register(e.rt)
	var devs []device.GenesisDevice
	for i := 0; i < n; i++ {
		z := i / perZone
		cell, err := geo.CellFromLatLng(int64(480_000_000+(z/40)*500_000), int64(100_000_000+(z%40)*500_000), 9)
		if err != nil {
			return nil, err
		}
		seed := make([]byte, 32)
		copy(seed, fmt.Sprintf("energy-bench-%d", i))
		k := sig.KeyFromSeed(seed)
		a := &kenergyv1.Attributes{RatedPowerW: 10_000, GridCell: cell, FeederId: uint64(z), Renewable: i%4 != 0}
		devs = append(devs, device.GenesisDevice{PubKey: sig.PublicOf(k), Kind: kenergy.Name, Maker: ledger.AddressOf(sig.PublicOf(maker)),
			Serial: fmt.Sprintf("m%d", i), Owner: energyOwner(i), Location: &devicev1.Location{Cell: cell, Attributes: kenergy.EncodeAttributes(a)}})
		e.keys = append(e.keys, k)
		e.devs = append(e.devs, ledger.AddressOf(sig.PublicOf(k)))
	}
	if err := device.InitGenesis(st, kind.NewRegistry(kenergy.Kind{}),
		[]device.GenesisMaker{{Name: "bench", PubKey: sig.PublicOf(maker), Kinds: []string{kenergy.Name}}}, devs); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *energyEnv) deliver(signer ledger.Address, typ string, m proto.Message) error {
	raw, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	h, _ := e.rt.Handler(typ)
	ov := ledger.NewOverlay(e.st)
	ctx := &ledger.Context{Store: ov, ChainID: "depin-bench", Height: e.now, Time: e.now * 1e9, Signer: signer, NoEvents: true}
	if le := h(ctx, raw); le != nil {
		return fmt.Errorf("bench: energy: %s: %s", typ, le)
	}
	ov.Flush()
	return nil
}

func (e *energyEnv) read(i int, r *kenergyv1.Read) error {
	rep, _ := proto.Marshal(&reportv1.Report{PubKey: sig.PublicOf(e.keys[i]), Kind: kenergy.Name, Type: kenergy.TypeRead, Body: kenergy.EncodeRead(r)})
	sr, _ := proto.Marshal(&reportv1.SignedReport{Report: rep, Signature: sig.Sign(e.keys[i], segment.Domain, rep)})
	return e.deliver(energyOwner(i), energy.TypeRead, &energyv1.MsgRead{Report: sr})
}

// order places meter i's order: consumers bid, producers ask, prices
// spread so that about half the volume crosses.
func (e *energyEnv) order(i int, iv uint64) error {
	wh, price := uint64(100+i%500), uint64(100_000+(i*7919)%200_000)
	if i%2 == 0 {
		return e.deliver(energyOwner(i), energy.TypeBid, &energyv1.MsgBid{Device: e.devs[i][:], Interval: iv, Wh: wh, Price: price})
	}
	return e.deliver(energyOwner(i), energy.TypeAsk, &energyv1.MsgAsk{Device: e.devs[i][:], Interval: iv, Wh: wh, Price: price})
}

// endBlock runs one end block at time t on an overlay and keeps its
// writes. It returns the CPU time of the calling thread (on a machine
// shared with other work, wall time measures the others too) and the wall
// time.
func (e *energyEnv) endBlock(t int64) (cpu, wall time.Duration, err error) {
	e.now = t
	ov := ledger.NewOverlay(e.st)
	ctx := &ledger.Context{Store: ov, ChainID: "depin-bench", Height: t, Time: t * 1e9, NoEvents: true}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	runtime.GC()
	c0, w0 := threadCPU(), time.Now()
	if le := energy.EndBlock(ctx); le != nil {
		return 0, 0, fmt.Errorf("bench: energy: end block: %s", le)
	}
	cpu, wall = threadCPU()-c0, time.Since(w0)
	if !cpuMeasured {
		cpu = wall
	}
	ov.Flush()
	return cpu, wall, nil
}

// EnergyRun is one size's outcome.
type EnergyRun struct {
	Orders, Meters int
	Traded         uint64
	// Time is the end block's CPU time (wall time where the platform does
	// not measure a thread's CPU); Wall its wall time.
	Time, Wall time.Duration
}

// runClearing times the end block that clears one zone's n orders.
func runClearing(n int) (EnergyRun, error) {
	run := EnergyRun{Orders: n}
	e, err := newEnergyEnv(n, n)
	if err != nil {
		return run, err
	}
	iv := uint64(e.now/energyInterval) + 2
	for i := 0; i < n; i++ {
		if err := e.order(i, iv); err != nil {
			return run, err
		}
	}
	if run.Time, run.Wall, err = e.endBlock(int64(iv*energyInterval) - 60); err != nil {
		return run, err
	}
	for _, c := range energy.Clearings(e.st, iv, 1) {
		run.Traded = c.TradedWh
	}
	return run, nil
}

// runSettlement times the end block that settles one interval of n meters
// in zones of perZone: every meter read the interval before (a baseline)
// and the interval itself, and placed one order in it.
func runSettlement(n, perZone int) (EnergyRun, error) {
	run := EnergyRun{Meters: n}
	e, err := newEnergyEnv(n, perZone)
	if err != nil {
		return run, err
	}
	iv := uint64(e.now/energyInterval) + 2
	for i := 0; i < n; i++ {
		if err := e.order(i, iv); err != nil {
			return run, err
		}
	}
	if _, _, err := e.endBlock(int64(iv*energyInterval) + 1); err != nil { // clears
		return run, err
	}
	for i := 0; i < n; i++ {
		if err := e.read(i, &kenergyv1.Read{Interval: iv - 1}); err != nil {
			return run, err
		}
	}
	e.now = int64((iv + 1) * energyInterval)
	for i := 0; i < n; i++ {
		prod := uint64(0)
		if i%4 != 0 {
			prod = 1500 + uint64(i%200)
		}
		if err := e.read(i, &kenergyv1.Read{Interval: iv, ImportedWh: 300, ExportedWh: prod / 2, ProducedWh: prod}); err != nil {
			return run, err
		}
	}
	if run.Time, run.Wall, err = e.endBlock(int64((iv+1)*energyInterval) + 300); err != nil {
		return run, err
	}
	for _, c := range energy.Clearings(e.st, iv, 1_000_000) {
		if c.Interval == iv {
			run.Traded += c.TradedWh
			if !c.Settled {
				return run, fmt.Errorf("bench: energy: zone %x not settled", c.Zone)
			}
		}
	}
	return run, nil
}

// RunEnergy times the auction of one zone at each order count and the
// settlement of one interval at each meter count, and reports each against
// the first size with the scaling ratio.
func RunEnergy(cfg EnergyConfig) (*Report, error) {
	if len(cfg.Orders) == 0 || len(cfg.Meters) == 0 || cfg.ZoneMeters <= 0 {
		return nil, fmt.Errorf("bench: energy: orders, meters and zone size must be given")
	}
	rep := &Report{Title: "energy market: one zone's auction, one interval's settlement (end-block CPU time)"}
	var clears, settles []EnergyRun
	for _, n := range cfg.Orders {
		r, err := runClearing(n)
		if err != nil {
			return nil, err
		}
		clears = append(clears, r)
	}
	for _, n := range cfg.Meters {
		r, err := runSettlement(n, cfg.ZoneMeters)
		if err != nil {
			return nil, err
		}
		settles = append(settles, r)
	}
	for _, r := range clears {
		rep.Rows = append(rep.Rows, Row{Name: fmt.Sprintf("clear %d orders in a zone", r.Orders), Figure: ms(r.Time), Unit: "ms",
			Baseline: ms(clears[0].Time), BaselineName: fmt.Sprintf("%d orders", clears[0].Orders),
			Note: fmt.Sprintf("%d Wh traded; %.0f orders/s; wall %s", r.Traded, float64(r.Orders)/r.Time.Seconds(), r.Wall.Round(time.Millisecond))})
	}
	for _, r := range settles {
		rep.Rows = append(rep.Rows, Row{Name: fmt.Sprintf("settle %d meters in one interval", r.Meters), Figure: ms(r.Time), Unit: "ms",
			Baseline: ms(settles[0].Time), BaselineName: fmt.Sprintf("%d meters", settles[0].Meters),
			Note: fmt.Sprintf("%d Wh traded in zones of %d; %.0f meters/s; wall %s", r.Traded, cfg.ZoneMeters, float64(r.Meters)/r.Time.Seconds(), r.Wall.Round(time.Millisecond))})
	}
	scale := func(rs []EnergyRun) (float64, float64) {
		a, b := rs[0], rs[len(rs)-1]
		return ms(b.Time) / ms(a.Time), float64(max(b.Orders, b.Meters)) / float64(max(a.Orders, a.Meters))
	}
	if len(clears) > 1 {
		r, x := scale(clears)
		rep.Rows = append(rep.Rows, Row{Name: "clearing scaling", Figure: r, Unit: "×", Note: fmt.Sprintf("time at %.0f× the orders (target ≤ 1.2 × %.0f, n log n)", x, x)})
	}
	if len(settles) > 1 {
		r, x := scale(settles)
		rep.Rows = append(rep.Rows, Row{Name: "settlement scaling", Figure: r, Unit: "×", Note: fmt.Sprintf("time at %.0f× the meters (target ≤ 1.2 × %.0f, linear)", x, x)})
	}
	return rep, nil
}
