package chain_test

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/kind/kindtest"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/storage"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// planned is a generated transaction and the code it must get.
type planned struct {
	raw   []byte
	want  ledger.Code
	label string // what the generator meant: "bank/send", "bad:wrong_chain" ...
}

// gen generates blocks of valid and invalid transactions against committed
// state, predicting each one's result code. Its randomness comes from pick
// (a seeded PRNG or rapid's draws): tests only, never the state machine.
//
// Predictions are exact because each account signs at most one tx per
// block and every tx that another tx of the block could affect is avoided:
// see block.
type gen struct {
	pick    func(n int) int
	chainID string
	funded  []string                  // regular funded accounts: never the authority
	admins  []string                  // funded accounts the authority rotates among
	keys    map[ledger.Address]string // every generated key by address
	cells   []uint64
	counter int
	// staking makes genValidators genesis validators and plans staking
	// and governance txs (gen_stake_test.go).
	staking bool

	// manifests are the oracle's submitted manifests by root, for claims.
	manifests map[string]*reward.Manifest

	// per block
	st   ledger.Store
	used map[ledger.Address]bool
}

const (
	genFee       = 2000 // every valid tx pays this; bank.min_fee stays in [500, 2000]
	genFunds     = 1_000_000_000_000
	genChainID   = "depin-determinism"
	genAuthority = "admin-0"
)

func newGen(pick func(n int) int, nFunded int) *gen {
	g := &gen{pick: pick, chainID: genChainID, keys: make(map[ledger.Address]string)}
	for i := 0; i < nFunded; i++ {
		g.funded = append(g.funded, g.name(fmt.Sprintf("acct-%d", i)))
	}
	for i := 0; i < 3; i++ {
		g.admins = append(g.admins, g.name(fmt.Sprintf("admin-%d", i)))
	}
	g.name("acme")
	g.name("initech")
	for _, a := range extraActors {
		g.name(a)
	}
	disk, err := geo.GridDisk(cellLisbon12, 2)
	if err != nil {
		panic(err)
	}
	g.cells = append(disk, cellPorto12)
	return g
}

// genKinds are the network kinds of the generator's chains: the test
// registry with the real sensor kind, whose stations data access grants
// need.
func genKinds() *kind.Registry {
	return kind.NewRegistry(coverage.Kind{}, kindtest.Plain("archive"), sensor.Kind{}, kenergy.Kind{}, kindtest.Plain("compute"))
}

// genesis is the app state every instance starts from.
func (g *gen) genesis() []byte {
	spec := genesisSpec{authority: addrFor(genAuthority).String(), makers: []chain.GenesisMaker{
		genesisMaker("acme", []string{"coverage", "sensor"}, 500_000),
		genesisMaker("initech", []string{"archive", "compute", "energy"}, 0),
	}}
	for _, n := range slices.Concat(g.funded, g.admins, extraActors) {
		spec.balances = append(spec.balances, app.GenesisBalance{Address: addrFor(n).String(), Amount: genFunds})
	}
	spec.params = energyGenParams()
	if g.staking {
		genStakeGenesis(&spec)
	}
	if spec.params == nil {
		spec.params = map[string]uint64{}
	}
	// Short proof windows, so deals are proven and missed within a run,
	// and deals that live through their misses.
	spec.params[storage.ProofPeriod.Name], spec.params[storage.ProofWindow.Name] = 6, 5
	spec.params[storage.MaxMissedInRow.Name] = 1_000
	// Epochs that end and settle within a run, by the generator's oracle.
	spec.params[epoch.Blocks.Name], spec.params[reward.SegmentGraceBlocks.Name] = genEpochBlocks, genGrace
	spec.oracles = []chain.GenesisOracle{{Address: addrFor(genOracle).String(), Weight: genOracleWeight}}
	return spec.json()
}

// name registers a key name and returns it.
func (g *gen) name(n string) string {
	g.keys[addrFor(n)] = n
	return n
}

func (g *gen) fresh(prefix string) string {
	g.counter++
	return g.name(fmt.Sprintf("%s-%d", prefix, g.counter))
}

func (g *gen) chance(percent int) bool { return g.pick(100) < percent }

func (g *gen) oneOf(names []string) string { return names[g.pick(len(names))] }

// block plans up to n transactions against committed state st.
func (g *gen) block(st ledger.Store, n int) []planned {
	g.st = st
	g.used = make(map[ledger.Address]bool)
	signers := append(append([]string(nil), g.funded...), g.admins...)
	// Verifiers answer their due verifications before anything else: the
	// random phase would often take their one tx of the block.
	out := g.verifications()
	// The authority signs in most blocks, so that authority-only messages
	// are frequent; every other signer is a random funded account or admin.
	if g.chance(60) {
		auth := params.Authority(st)
		if name, ok := g.keys[auth]; ok {
			g.used[auth] = true
			out = append(out, g.txFor(name))
		}
	}
	for len(out) < n && len(signers) > 0 {
		i := g.pick(len(signers))
		name := signers[i]
		signers = append(signers[:i], signers[i+1:]...)
		a := addrFor(name)
		if g.used[a] {
			continue
		}
		g.used[a] = true
		out = append(out, g.txFor(name))
	}
	out = append(out, g.storageTxs(st)...)
	return append(out, g.extraTxs()...)
}

// txFor plans one tx signed by name: valid two times in three.
func (g *gen) txFor(name string) planned {
	if g.staking && g.chance(13) {
		if p, ok := g.stakeTx(name); ok {
			return p
		}
	}
	if g.chance(65) {
		return g.valid(name)
	}
	return g.invalid(name)
}

func (g *gen) seqOf(name string) uint64 { return app.Sequence(g.st, addrFor(name)) }

// tx signs msgs as name with the current sequence and the standard fee.
func (g *gen) tx(name string, msgs ...msg) []byte {
	o := txOpts{chainID: g.chainID, seq: g.seqOf(name), fee: genFee}
	if g.chance(20) {
		o.memo = fmt.Sprintf("memo %d", g.pick(1_000_000))
	}
	return buildTx(keyFor(name), o, msgs...)
}

func (g *gen) isAuthority(name string) bool { return params.Authority(g.st) == addrFor(name) }

// otherAccount picks a funded account or admin other than name.
func (g *gen) otherAccount(name string) string {
	all := append(append([]string(nil), g.funded...), g.admins...)
	for {
		if o := g.oneOf(all); o != name {
			return o
		}
	}
}

func (g *gen) makers() []*devicev1.Maker {
	ms, _ := device.ListMakers(g.st, device.Page{Limit: device.MaxLimit})
	return ms
}

// devices lists the devices name owns, split into active and decommissioned.
func (g *gen) devices(name string) (active, retired []*devicev1.Device) {
	a := addrFor(name)
	ds, _ := device.ListDevices(g.st, device.Filter{Owner: &a}, device.Page{Limit: device.MaxLimit})
	for _, d := range ds {
		if device.IsActive(d) {
			active = append(active, d)
		} else {
			retired = append(retired, d)
		}
	}
	return active, retired
}

func (g *gen) keyName(id []byte) string {
	a, err := ledger.AddressFromBytes(id)
	if err != nil {
		panic(err)
	}
	n, ok := g.keys[a]
	if !ok {
		panic("gen: no key for " + a.String())
	}
	return n
}

// onboardMsg builds a complete onboarding of device dev by maker mk.
func (g *gen) onboardMsg(makerName, devName string, kind string, serial, owner string) msg {
	typ, v := device.Onboard(keyFor(makerName), keyFor(devName), kind, serial, g.chainID, addrFor(owner))
	return msg{typ, v}
}

// location picks an assertion for d that differs from its current one.
func (g *gen) location(d *devicev1.Device) (cell uint64, gain, elevation int32) {
	cell = g.cells[g.pick(len(g.cells))]
	if d.Kind == "energy" || d.Kind == sensor.Name {
		// A new cell, so the assertion changes the location whatever the
		// attributes.
		if l := d.Location; l != nil && l.Cell == cell {
			for _, c := range g.cells {
				if c != cell {
					return c, 0, 0
				}
			}
		}
		return cell, 0, 0
	}
	if d.Kind == "coverage" {
		gain, elevation = int32(g.pick(151)), int32(g.pick(1001))
	}
	if l := d.Location; l != nil && l.Cell == cell && bytes.Equal(l.Attributes, coverage.EncodeAttributes(gain, elevation, coverage.RegionUnknown)) {
		for _, c := range g.cells {
			if c != cell {
				return c, gain, elevation
			}
		}
	}
	return cell, gain, elevation
}

func assertMsg(id []byte, cell uint64, gain, elevation int32) msg {
	return assertAttrsMsg(id, cell, coverage.EncodeAttributes(gain, elevation, coverage.RegionUnknown))
}

// assertDeviceMsg asserts a location with the attributes d's kind needs.
func (g *gen) assertDeviceMsg(d *devicev1.Device) msg {
	cell, gain, elev := g.location(d)
	switch d.Kind {
	case "energy":
		return assertAttrsMsg(d.Id, cell, energyAttrs(cell, g.pick(2) == 0))
	case sensor.Name:
		return assertAttrsMsg(d.Id, cell, sensorAttrs())
	}
	return assertMsg(d.Id, cell, gain, elev)
}

func assertAttrsMsg(id []byte, cell uint64, attrs []byte) msg {
	return msg{device.TypeAssertLocation, mustMarshal(&devicev1.MsgAssertLocation{Device: id, Cell: cell, Attributes: attrs})}
}

func transferMsg(id []byte, to ledger.Address) msg {
	return msg{device.TypeTransfer, mustMarshal(&devicev1.MsgTransfer{Device: id, NewOwner: to[:]})}
}

func decommissionMsg(id []byte) msg {
	return msg{device.TypeDecommission, mustMarshal(&devicev1.MsgDecommission{Device: id})}
}

// safeParams are the parameters the generator changes, with value ranges
// that cannot change the outcome of another tx it plans in the same block.
var safeParams = []struct {
	spec   params.Spec
	lo, hi uint64
}{
	{bank.MinFee, 500, genFee},
	{device.AssertFee, 0, 2_000_000},
	{device.MaxHistory, 1, 5},
	{app.MaxMemo, 16, 256},
	{bank.MaxOutputs, 4, 100},
}

var allKinds = []string{"coverage", "archive", "sensor", "energy", "compute"}

func (g *gen) randomKinds() []string {
	var ks []string
	for _, k := range allKinds {
		if g.chance(40) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		ks = append(ks, allKinds[g.pick(len(allKinds))])
	}
	return ks
}
