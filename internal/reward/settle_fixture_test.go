package reward

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// The chain fixture drives the on-chain reward module the way the app does:
// each message runs on an overlay that is flushed only when it succeeds, and
// EndBlock closes every block. Devices are registered through the real
// device module's genesis.

const (
	fixtureEpochBlocks = 10
	fixtureGrace       = 2
)

func fixtureKey(name string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "reward-fixture/"+name)
	return sig.KeyFromSeed(seed)
}

func fixtureAddr(name string) ledger.Address {
	return ledger.AddressOf(sig.PublicOf(fixtureKey(name)))
}

var (
	authority = fixtureAddr("authority")
	stranger  = fixtureAddr("stranger")
)

func oracleAddr(i int) ledger.Address { return fixtureAddr(fmt.Sprintf("oracle-%d", i)) }
func ownerAddr(i int) ledger.Address  { return fixtureAddr(fmt.Sprintf("owner-%d", i)) }

// deviceAddr is the id of fixture device i.
func deviceAddr(i int) ledger.Address {
	return ledger.AddressOf(sig.PublicOf(fixtureKey(fmt.Sprintf("device-%d", i))))
}

// tb is what the fixture needs of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

type fixture struct {
	t      tb
	st     *ledger.MemStore
	height int64 // last executed height
	events []ledger.Event
	payers Payers // the forwarded pools' payers (nil: none)
}

// newFixture builds state with the params authority, the bank, a maker and
// devices 0..devices-1 (device i owned by owner i), and the given oracle
// weights (oracle i has weights[i]). Epochs are fixtureEpochBlocks long.
func newFixture(t tb, devices int, weights ...uint64) *fixture {
	t.Helper()
	st := ledger.NewMemStore()
	reg := params.NewRegistry(Specs(), device.Specs(), bank.Specs(), epoch.Specs())
	if err := reg.InitGenesis(st, authority, map[string]uint64{
		epoch.Blocks.Name:       fixtureEpochBlocks,
		SegmentGraceBlocks.Name: fixtureGrace,
		EmissionInitial.Name:    1_000_003,
		HalvingEpochs.Name:      3,
	}); err != nil {
		t.Fatal(err)
	}
	if err := bank.InitGenesis(st, "upin", 6, nil); err != nil {
		t.Fatal(err)
	}
	makerPub := sig.PublicOf(fixtureKey("maker"))
	gm := []device.GenesisMaker{{Name: "maker", PubKey: makerPub, Kinds: []string{"coverage"}}}
	gd := make([]device.GenesisDevice, devices)
	for i := range gd {
		gd[i] = device.GenesisDevice{
			PubKey: sig.PublicOf(fixtureKey(fmt.Sprintf("device-%d", i))), Kind: "coverage",
			Maker: ledger.AddressOf(makerPub), Serial: fmt.Sprintf("SN%04d", i), Owner: ownerAddr(i),
		}
	}
	if err := device.InitGenesis(st, kind.NewRegistry(coverage.Kind{}), gm, gd); err != nil {
		t.Fatal(err)
	}
	epoch.InitGenesis(st)
	oracles := make([]GenesisOracle, len(weights))
	for i, w := range weights {
		oracles[i] = GenesisOracle{Address: oracleAddr(i), Weight: w}
	}
	if err := InitGenesis(st, oracles, nil); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st}
}

// block executes one block: the messages (all at the same height) and
// EndBlock. It returns each message's result.
func (f *fixture) block(msgs ...fixtureMsg) []*ledger.Error {
	f.t.Helper()
	f.height++
	out := make([]*ledger.Error, len(msgs))
	for i, m := range msgs {
		out[i] = f.exec(m.signer, m.typ, m.msg)
	}
	ctx := &ledger.Context{Store: f.st, Height: f.height, Time: f.height * 200_000_000}
	if e := epoch.EndBlock(ctx); e != nil {
		f.t.Fatalf("end block %d: %v", f.height, e)
	}
	if e := EndBlock(ctx); e != nil {
		f.t.Fatalf("end block %d: %v", f.height, e)
	}
	f.events = append(f.events, ctx.Events()...)
	if err := Invariants(f.st); err != nil {
		f.t.Fatalf("after block %d: %v", f.height, err)
	}
	return out
}

// advanceTo executes empty blocks until height h has executed.
func (f *fixture) advanceTo(h int64) {
	for f.height < h {
		f.block()
	}
}

// openFor advances until oracles may submit for epoch n.
func (f *fixture) openFor(n uint64) {
	f.t.Helper()
	end := int64(n+1) * fixtureEpochBlocks
	f.advanceTo(end + fixtureGrace)
}

type fixtureMsg struct {
	signer ledger.Address
	typ    string
	msg    proto.Message
}

// exec runs one message at the next height's context on an overlay and
// flushes it only on success. A failing handler must leave its overlay
// empty: it checks before it writes.
func (f *fixture) exec(signer ledger.Address, typ string, msg proto.Message) *ledger.Error {
	f.t.Helper()
	raw, err := proto.Marshal(msg)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.execRaw(signer, typ, raw)
}

func (f *fixture) execRaw(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	f.t.Helper()
	rt := ledger.NewRouter()
	Handlers(f.payers)(rt)
	h, ok := rt.Handler(typ)
	if !ok {
		f.t.Fatalf("no handler for %s", typ)
	}
	ov := ledger.NewOverlay(f.st)
	ctx := &ledger.Context{Store: ov, Height: f.height + 1, Time: (f.height + 1) * 200_000_000, Signer: signer}
	if e := h(ctx, raw); e != nil {
		if ov.Len() != 0 {
			f.t.Fatalf("%s failed with %v but wrote %d keys", typ, e, ov.Len())
		}
		if len(ctx.Events()) != 0 {
			f.t.Fatalf("%s failed with %v but emitted events", typ, e)
		}
		return e
	}
	ov.Flush()
	f.events = append(f.events, ctx.Events()...)
	return nil
}

// dump is the whole state, to compare before and after a rejection.
func (f *fixture) dump() string {
	var b bytes.Buffer
	f.st.Iterate(nil, nil, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return true
	})
	return b.String()
}

// epochResult computes an epoch with the real engine: shares[i] is device
// i's units in the coverage pool (0: no share), on top of prior.
func (f *fixture) epochResult(n uint64, prior []Entry, shares []uint64) Output {
	f.t.Helper()
	ep, ok := GetEpoch(f.st, n)
	if !ok || !ep.Ended {
		f.t.Fatalf("epoch %d has not ended", n)
	}
	in := Input{Epoch: n, ScorerVersion: 1, Emission: ep.Emission, Pools: PoolsFromProto(ep.Pools), Prior: prior}
	for i, u := range shares {
		if u > 0 {
			in.Shares = append(in.Shares, Share{Device: deviceAddr(i), Pool: "coverage", Units: u})
		}
	}
	out, err := Compute(in)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// submitMsg turns an engine output into the oracle's message.
func submitMsg(out Output) *rewardv1.MsgSubmitRoot {
	m := &rewardv1.MsgSubmitRoot{Epoch: out.Epoch, Root: bytes.Clone(out.Root[:]), ScorerVersion: out.ScorerVersion, InputsHash: testInputsHash[:], StateHash: testInputsHash[:]}
	for _, p := range out.Pools {
		if p.Recipient == RecipientDevices {
			m.Pools = append(m.Pools, &rewardv1.PoolPaid{Name: p.Name, Paid: p.Paid})
			m.DeviceTotal += p.Paid
		}
	}
	return m
}

// claimMsg builds a claim of device i from a manifest.
func claimMsg(t tb, man Manifest, dev ledger.Address) *rewardv1.MsgClaim {
	t.Helper()
	i, ok := man.Find(dev)
	if !ok {
		t.Fatalf("device %s not in manifest", dev)
	}
	p, err := man.Proof(dev)
	if err != nil {
		t.Fatal(err)
	}
	m := &rewardv1.MsgClaim{Device: bytes.Clone(dev[:]), Cumulative: man.Entries[i].Cumulative, Index: p.Index, Size: p.Size}
	for _, h := range p.Path {
		m.Path = append(m.Path, bytes.Clone(h[:]))
	}
	return m
}

// wantCode fails unless e carries code.
func wantCode(t tb, what string, e *ledger.Error, code ledger.Code) {
	t.Helper()
	var got ledger.Code
	if e != nil {
		got = e.Code
	}
	if got != code {
		t.Fatalf("%s: got code %v (%v), want %v", what, got, e, code)
	}
}

func isLedgerError(err error) bool {
	var le *ledger.Error
	return errors.As(err, &le)
}

func sortedAddrs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		a, _ := ledger.AddressFromBytes(b)
		out[i] = a.String()
	}
	sort.Strings(out)
	return out
}

// testInputsHash stands in for the hash of an epoch's inputs bundle.
var testInputsHash = sha256.Sum256([]byte("test inputs bundle"))
