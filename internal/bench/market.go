package bench

import (
	"fmt"
	"os"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/store"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// MarketConfig sizes the market benchmark: the end-block sweep with Sizes
// open leases of which Due are due in every block.
type MarketConfig struct {
	// Sizes are the numbers of open leases; the first is the baseline.
	Sizes []int
	// Due is the number of leases due in each measured block.
	Due int
	// Blocks is the number of measured blocks per size.
	Blocks int
	// Dir holds the temporary Pebble databases ("" : the system's).
	Dir string
}

// DefaultMarketConfig is the configuration of `depin bench market`.
func DefaultMarketConfig() MarketConfig {
	return MarketConfig{Sizes: []int{10_000, 100_000}, Due: 100, Blocks: 200}
}

// MarketRun is one size's outcome.
type MarketRun struct {
	Leases, Due, Blocks int
	// Settled counts the settlements the measured blocks made (Due ×
	// Blocks when every due lease was settled).
	Settled int
	// Sweep is the median time of market.EndBlock per block; Commit the
	// median time of writing the block's writes to Pebble.
	Sweep, Commit time.Duration
	// Build is the time to open the leases through the message handlers.
	Build time.Duration
}

// RunMarket builds each size's leases in a Pebble database through the
// market's own handlers, spread so that exactly cfg.Due leases are due per
// block (market.settle_period_blocks = size / Due), then runs cfg.Blocks
// end blocks and times the sweep. The sweep visits only the due queue, so
// its time per block should not grow with the open leases: the report's
// ratio is the largest size's sweep against the smallest's.
func RunMarket(cfg MarketConfig) (*Report, []MarketRun, error) {
	if len(cfg.Sizes) == 0 || cfg.Due <= 0 || cfg.Blocks <= 0 {
		return nil, nil, fmt.Errorf("bench: market: sizes, due and blocks must be positive")
	}
	var runs []MarketRun
	for _, n := range cfg.Sizes {
		if n%cfg.Due != 0 {
			return nil, nil, fmt.Errorf("bench: market: %d leases is not a multiple of %d due per block", n, cfg.Due)
		}
		r, err := runMarketSize(cfg, n)
		if err != nil {
			return nil, nil, err
		}
		runs = append(runs, r)
	}
	base := runs[0]
	rep := &Report{Title: fmt.Sprintf("market end-block sweep: %d leases due per block, %d blocks", cfg.Due, cfg.Blocks)}
	for _, r := range runs {
		rep.Rows = append(rep.Rows, Row{
			Name: fmt.Sprintf("sweep, %d open leases", r.Leases), Figure: ms(r.Sweep), Unit: "ms/block",
			Baseline: ms(base.Sweep), BaselineName: fmt.Sprintf("%d open leases", base.Leases),
			Note: fmt.Sprintf("%.0f leases settled/s; commit %.2f ms/block; %d settlements; built in %s",
				float64(r.Due)/r.Sweep.Seconds(), ms(r.Commit), r.Settled, r.Build.Round(time.Millisecond)),
		})
	}
	last := runs[len(runs)-1]
	rep.Rows = append(rep.Rows, Row{
		Name: "sweep ratio (target ≤ 1.5)", Figure: ms(last.Sweep) / ms(base.Sweep), Unit: "×",
		Note: fmt.Sprintf("%d vs %d open leases", last.Leases, base.Leases),
	})
	return rep, runs, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

var (
	benchConsumer  = fleetAddr("depin/bench/market/consumer", 0)
	benchAuthority = fleetAddr("depin/bench/market/authority", 0)
)

const benchProviders = 16

func runMarketSize(cfg MarketConfig, n int) (MarketRun, error) {
	run := MarketRun{Leases: n, Due: cfg.Due, Blocks: cfg.Blocks}
	dir, err := os.MkdirTemp(cfg.Dir, "depin-bench-market-")
	if err != nil {
		return run, fmt.Errorf("bench: market: %w", err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(dir)
	if err != nil {
		return run, err
	}
	defer db.Close()

	period := n / cfg.Due
	rt := ledger.NewRouter()
	market.Register(rt)
	deliver := func(st ledger.Store, h int64, signer ledger.Address, typ string, m proto.Message) error {
		raw, err := proto.Marshal(m)
		if err != nil {
			return err
		}
		handler, _ := rt.Handler(typ)
		ctx := &ledger.Context{Store: st, ChainID: "depin-bench", Height: h, Signer: signer, NoEvents: true}
		if e := handler(ctx, raw); e != nil {
			return fmt.Errorf("bench: market: %s at height %d: %s", typ, h, e)
		}
		return nil
	}

	start := time.Now()
	gen := ledger.NewOverlay(db)
	reg := params.NewRegistry(market.Specs(), credit.Specs(), bank.Specs(), reward.Specs())
	if err := reg.InitGenesis(gen, benchAuthority, map[string]uint64{market.SettlePeriod.Name: uint64(period)}); err != nil {
		return run, err
	}
	bals := []bank.GenesisBalance{{Address: benchConsumer, Amount: 1 << 60}}
	for p := range benchProviders {
		bals = append(bals, bank.GenesisBalance{Address: fleetAddr("depin/bench/market/provider", p), Amount: 1 << 50})
	}
	if err := bank.InitGenesis(gen, "upin", 6, bals); err != nil {
		return run, err
	}
	for p := range benchProviders {
		if err := deliver(gen, 1, fleetAddr("depin/bench/market/provider", p), market.TypeCreateProvider,
			&marketv1.MsgCreateProvider{HostUri: "https://provider.example"}); err != nil {
			return run, err
		}
	}
	if err := db.Commit(1, nil, gen.Writes()); err != nil {
		return run, err
	}
	// Leases accepted at height h are due at h + period: cfg.Due per height.
	order := uint64(0)
	for h := int64(2); h < int64(2+period); h++ {
		blk := ledger.NewOverlay(db)
		for range cfg.Due {
			order++
			prov := fleetAddr("depin/bench/market/provider", int(order)%benchProviders)
			if err := deliver(blk, h, benchConsumer, market.TypeCreateOrder, &marketv1.MsgCreateOrder{
				Kind: "compute", Quantity: 1, MaxPrice: 1, Duration: 100_000_000, Deposit: market.MinDeposit.Default}); err != nil {
				return run, err
			}
			if err := deliver(blk, h, prov, market.TypeBid, &marketv1.MsgBid{Order: order, Price: 1, Collateral: market.MinCollateral.Default}); err != nil {
				return run, err
			}
			if err := deliver(blk, h, benchConsumer, market.TypeAccept, &marketv1.MsgAccept{Order: order, Provider: prov[:]}); err != nil {
				return run, err
			}
		}
		if err := db.Commit(h, nil, blk.Writes()); err != nil {
			return run, err
		}
	}
	run.Build = time.Since(start)

	sweeps := make([]time.Duration, 0, cfg.Blocks)
	commits := make([]time.Duration, 0, cfg.Blocks)
	first := int64(2 + period)
	for h := first; h < first+int64(cfg.Blocks); h++ {
		blk := ledger.NewOverlay(db)
		ctx := &ledger.Context{Store: blk, ChainID: "depin-bench", Height: h}
		due := len(market.DueAt(db, h))
		t0 := time.Now()
		if e := market.EndBlock(ctx); e != nil {
			return run, fmt.Errorf("bench: market: end block %d: %s", h, e)
		}
		t1 := time.Now()
		if err := db.Commit(h, nil, blk.Writes()); err != nil {
			return run, err
		}
		sweeps = append(sweeps, t1.Sub(t0))
		commits = append(commits, time.Since(t1))
		run.Settled += due
	}
	if want := cfg.Due * cfg.Blocks; run.Settled != want {
		return run, fmt.Errorf("bench: market: %d leases were due in the measured blocks, want %d", run.Settled, want)
	}
	if err := market.Invariants(db); err != nil {
		return run, fmt.Errorf("bench: market: after the sweep: %w", err)
	}
	run.Sweep, run.Commit = median(sweeps), median(commits)
	return run, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
