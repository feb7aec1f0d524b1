package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/kind/kindtest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// The fuzz targets run transactions end to end through a full chain app
// (chain.New: every module, the real router) on a fixed fixture: a funded
// owner, authority and stranger, a maker, and after block 1 three devices
// of the owner (dev1 located, dev2 not, dev3 decommissioned). Each input
// runs on a fresh app at height 2 and must never panic, must keep the
// invariants, and a rejected input must leave the app hash exactly as an
// empty block 2 leaves it.

const fuzzChain = "depin-fuzz"

// Cells from h3-go LatLngToCell (checked in internal/device
// TestFixtureCells): Lisbon and Porto at res 12.
const (
	cellLisbon12 uint64 = 0x8c3933676d081ff
	cellPorto12  uint64 = 0x8c39220f082edff
)

func fuzzKey(name string) sig.PrivateKey {
	seed := sha256.Sum256([]byte("depin/app-fuzz/" + name))
	return sig.KeyFromSeed(seed[:])
}

func fuzzAddr(name string) ledger.Address { return ledger.AddressOf(sig.PublicOf(fuzzKey(name))) }

// Signers a message fuzzer picks from with its signer byte.
var fuzzSigners = []string{"owner", "authority", "stranger"}

// seqAt2 is a signer's sequence in block 2: the owner signed block 1.
func seqAt2(name string) uint64 {
	if name == "owner" {
		return 1
	}
	return 0
}

type fuzzFixture struct {
	genesis   []byte
	setup     [][]byte // block 1
	emptyHash []byte   // app hash after an empty block 2
}

var (
	fixOnce sync.Once
	fix     fuzzFixture
)

func fixture(t testing.TB) *fuzzFixture {
	fixOnce.Do(func() {
		g := app.Genesis{Denom: "upin", Decimals: 6, Authority: fuzzAddr("authority").String()}
		for _, n := range fuzzSigners {
			g.Balances = append(g.Balances, app.GenesisBalance{Address: fuzzAddr(n).String(), Amount: 1_000_000_000_000})
		}
		dev, _ := json.Marshal(chain.DeviceGenesis{Makers: []chain.GenesisMaker{{
			Name: "fuzz-maker", PubKey: hex.EncodeToString(sig.PublicOf(fuzzKey("maker"))),
			Kinds: []string{"coverage", "sensor"}, OnboardFee: 1_000_000,
		}}})
		g.Modules = map[string]json.RawMessage{"device": dev}
		fix.genesis, _ = json.Marshal(g)
		fix.setup = [][]byte{signTx(fuzzKey("owner"), 0, 1000,
			onboardMsg("dev1", "coverage", "S-1", fuzzChain),
			msgOf(device.AssertLocationMsg(fuzzAddr("dev1"), cellLisbon12, coverage.EncodeAttributes(40, 12, coverage.RegionUnknown))),
			onboardMsg("dev2", "sensor", "S-2", fuzzChain),
			onboardMsg("dev3", "sensor", "S-3", fuzzChain),
			msgOf(device.DecommissionMsg(fuzzAddr("dev3"))),
		)}
		a := setupApp(t)
		res, err := a.FinalizeBlock(app.Block{Height: 2, Time: 2e9})
		if err != nil {
			t.Fatal(err)
		}
		fix.emptyHash = res.AppHash
	})
	if fix.emptyHash == nil {
		t.Fatal("fuzz fixture failed to build")
	}
	return &fix
}

// setupApp builds a fresh chain app and commits genesis and block 1.
func setupApp(t testing.TB) *app.App {
	a := chain.NewWithKinds(app.NewMemBackend(), kindtest.Registry())
	if _, err := a.InitChain(fuzzChain, fix.genesis); err != nil {
		t.Fatalf("init chain: %v", err)
	}
	res, err := a.FinalizeBlock(app.Block{Height: 1, Time: 1e9, Txs: fix.setup})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK {
			t.Fatalf("fixture tx %d: %v %s", i, r.Code, r.Log)
		}
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	return a
}

type fmsg struct {
	typ   string
	value []byte
}

func msgOf(typ string, value []byte) fmsg { return fmsg{typ, value} }

func onboardMsg(dev string, kind string, serial, chainID string) fmsg {
	return msgOf(device.Onboard(fuzzKey("maker"), fuzzKey(dev), kind, serial, chainID, fuzzAddr("owner")))
}

func signTx(priv sig.PrivateKey, seq, fee uint64, msgs ...fmsg) []byte {
	body := &txv1.TxBody{ChainId: fuzzChain, Sequence: seq, Fee: fee}
	for _, m := range msgs {
		body.Msgs = append(body.Msgs, &txv1.Msg{Type: m.typ, Value: m.value})
	}
	raw, err := app.BuildTx(priv, body)
	if err != nil {
		panic(err)
	}
	return raw
}

// runTxs executes txs as block 2 on a fresh app and checks what must hold
// for any input: no engine error, invariants kept, a rejected tx either
// paid its fee (one "tx" event, the fee rule) or changed nothing (no
// events), and a block in which no tx was accepted or paid hashes like the
// empty block. It returns the results.
func runTxs(t *testing.T, txs ...[]byte) (*app.App, *app.BlockResult) {
	f := fixture(t)
	a := setupApp(t)
	res, err := a.FinalizeBlock(app.Block{Height: 2, Time: 2e9, Txs: txs})
	if err != nil {
		t.Fatalf("finalize: %v", err)
	}
	if err := a.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if err := a.CheckInvariants(a.Committed()); err != nil {
		t.Fatalf("invariants: %v", err)
	}
	accepted := 0
	for i, r := range res.Txs {
		if r.Code == ledger.CodeOK {
			accepted++
			continue
		}
		if len(r.Events) == 1 && r.Events[0].Type == "tx" {
			accepted++ // it paid its fee
		} else if len(r.Events) != 0 {
			t.Fatalf("tx %d rejected (%v) with %d events, want none or the fee's", i, r.Code, len(r.Events))
		}
		if r.Log == "" {
			t.Fatalf("tx %d rejected (%v) without a message", i, r.Code)
		}
	}
	empty := bytes.Equal(res.AppHash, f.emptyHash)
	if accepted == 0 && !empty {
		t.Fatalf("no tx accepted or paid, yet the app hash %X differs from the empty block's %X", res.AppHash, f.emptyHash)
	}
	if accepted > 0 && empty {
		t.Fatalf("%d txs accepted or paid, yet the app hash is the empty block's", accepted)
	}
	return a, res
}

// FuzzCheckTx feeds arbitrary bytes to CheckTx: it never panics, never
// changes committed state, and gives the code FinalizeBlock gives the same
// tx in the next block.
func FuzzCheckTx(f *testing.F) {
	fixture(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		a := setupApp(t)
		h0, hash0 := a.LastCommit()
		r := a.CheckTx(raw)
		if h, hash := a.LastCommit(); h != h0 || !bytes.Equal(hash, hash0) {
			t.Fatalf("CheckTx moved the chain from %d %X to %d %X", h0, hash0, h, hash)
		}
		res, err := a.FinalizeBlock(app.Block{Height: 2, Time: 2e9, Txs: [][]byte{raw}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Txs[0].Code; got != r.Code {
			t.Fatalf("FinalizeBlock: got %v (%s), want CheckTx's %v (%s)", got, res.Txs[0].Log, r.Code, r.Log)
		}
	})
}

// FuzzFinalizeBlock executes a block of two arbitrary txs.
func FuzzFinalizeBlock(f *testing.F) {
	fixture(f)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		runTxs(t, a, b)
	})
}

// fuzzMessage runs one message of type typ, its bytes fuzzed, in a tx
// correctly signed by one of the fixture's signers.
func fuzzMessage(f *testing.F, typ string) {
	fixture(f)
	f.Fuzz(func(t *testing.T, value []byte, signer uint8) {
		name := fuzzSigners[int(signer)%len(fuzzSigners)]
		seq := seqAt2(name)
		raw := signTx(fuzzKey(name), seq, 1000, fmsg{typ, value})
		a, res := runTxs(t, raw)
		r := res.Txs[0]
		if r.Code == ledger.CodeOK {
			if got := app.Sequence(a.Committed(), fuzzAddr(name)); got != seq+1 {
				t.Fatalf("accepted tx left the sequence at %d, want %d", got, seq+1)
			}
			return
		}
		// A rejected tx that passed the ante step paid its fee and used its
		// sequence (the fee rule); one that did not changed nothing.
		want := seq
		if len(r.Events) == 1 && r.Events[0].Type == "tx" {
			want = seq + 1
		}
		if got := app.Sequence(a.Committed(), fuzzAddr(name)); got != want {
			t.Fatalf("rejected tx (%v) moved the sequence to %d, want %d", r.Code, got, want)
		}
	})
}

func FuzzMsgBankSend(f *testing.F)           { fuzzMessage(f, "bank/send") }
func FuzzMsgBankMultiSend(f *testing.F)      { fuzzMessage(f, "bank/multi-send") }
func FuzzMsgParamsSet(f *testing.F)          { fuzzMessage(f, "params/set") }
func FuzzMsgParamsSetAuthority(f *testing.F) { fuzzMessage(f, "params/set-authority") }
func FuzzMsgRegisterMaker(f *testing.F)      { fuzzMessage(f, device.TypeRegisterMaker) }
func FuzzMsgOnboard(f *testing.F)            { fuzzMessage(f, device.TypeOnboard) }
func FuzzMsgAssertLocation(f *testing.F)     { fuzzMessage(f, device.TypeAssertLocation) }
func FuzzMsgTransfer(f *testing.F)           { fuzzMessage(f, device.TypeTransfer) }
func FuzzMsgDecommission(f *testing.F)       { fuzzMessage(f, device.TypeDecommission) }
