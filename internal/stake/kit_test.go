package stake

import (
	"crypto/sha256"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// tb is what kit needs of testing.TB and rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// kit is a staking state with funded accounts and a block clock.
type kit struct {
	t      tb
	st     *ledger.MemStore
	height int64
	time   int64
	ops    []ledger.Address
}

const pin = 1_000_000

func acct(i int) ledger.Address { return ledger.ModuleAddress("test-account-" + string(rune('a'+i))) }

func consKey(i int) []byte {
	s := sha256.Sum256([]byte{byte(i), 'k'})
	return s[:]
}

// newKit funds 8 accounts with 1,000,000 PIN and makes the first nv of them
// genesis validators bonding 10,000 PIN each.
func newKit(t tb, nv int) *kit {
	st := ledger.NewMemStore()
	var bals []bank.GenesisBalance
	for i := 0; i < 8; i++ {
		bals = append(bals, bank.GenesisBalance{Address: acct(i), Amount: 1_000_000 * pin})
	}
	if err := bank.InitGenesis(st, "upin", 6, bals); err != nil {
		t.Fatal(err)
	}
	reg := params.NewRegistry(Specs())
	if err := reg.InitGenesis(st, acct(7), map[string]uint64{UnbondingSeconds.Name: 100, DowntimeJailSeconds.Name: 50, SignedBlocksWindow.Name: 10}); err != nil {
		t.Fatal(err)
	}
	k := &kit{t: t, st: st, height: 1, time: 1_000_000_000_000}
	var gv []GenesisValidator
	for i := 0; i < nv; i++ {
		gv = append(gv, GenesisValidator{Operator: acct(i), PubKey: consKey(i), SelfBond: 10_000 * pin, CommissionBps: 1000, MaxCommissionBps: 2000, MaxChangeBps: 100})
		k.ops = append(k.ops, acct(i))
	}
	if err := InitGenesis(st, gv); err != nil {
		t.Fatal(err)
	}
	k.check()
	return k
}

func (k *kit) ctx(signer ledger.Address) *ledger.Context {
	return &ledger.Context{Store: k.st, ChainID: "test", Height: k.height, Time: k.time, Signer: signer}
}

// tx runs f on an overlay kept only if it succeeds, as the app does.
func (k *kit) tx(signer ledger.Address, f func(ctx *ledger.Context) *ledger.Error) *ledger.Error {
	o := ledger.NewOverlay(k.st)
	ctx := &ledger.Context{Store: o, ChainID: "test", Height: k.height, Time: k.time, Signer: signer}
	if e := f(ctx); e != nil {
		return e
	}
	o.Flush()
	return nil
}

// block ends the block (begin-block input first) and advances the clock by
// one second.
func (k *kit) block(info ledger.BlockInfo) []ledger.ValidatorUpdate {
	k.t.Helper()
	ctx := k.ctx(ledger.Address{})
	if e := BeginBlock(ctx, info); e != nil {
		k.t.Fatal(e)
	}
	if e := EndBlock(ctx); e != nil {
		k.t.Fatal(e)
	}
	ups, e := ValidatorUpdates(ctx)
	if e != nil {
		k.t.Fatal(e)
	}
	k.check()
	k.height++
	k.time += 1_000_000_000
	return ups
}

func (k *kit) check() {
	k.t.Helper()
	if err := Invariants(k.st); err != nil {
		k.t.Fatal(err)
	}
	sum, err := bank.SumBalances(k.st)
	if err != nil {
		k.t.Fatal(err)
	}
	if s := bank.GetSupply(k.st); s.Total != sum {
		k.t.Fatalf("supply %d, balances %d", s.Total, sum)
	}
}

func (k *kit) val(i int) *stakev1.Validator {
	v, ok := GetValidator(k.st, acct(i))
	if !ok {
		k.t.Fatalf("no validator %d", i)
	}
	return v
}

func wantCode(t tb, e *ledger.Error, c ledger.Code) {
	t.Helper()
	switch {
	case e == nil && c != ledger.CodeOK:
		t.Fatalf("got ok, want %s", c)
	case e != nil && e.Code != c:
		t.Fatalf("got %s (%s), want %s", e.Code, e.Msg, c)
	}
}

func allSigned(k *kit) ledger.BlockInfo {
	var info ledger.BlockInfo
	for _, m := range ActiveSet(k.st) {
		op, _ := ledger.AddressFromBytes(m.Operator)
		v, _ := GetValidator(k.st, op)
		info.Votes = append(info.Votes, ledger.Vote{Validator: ConsAddress(v.PubKey), Power: int64(m.Power), Signed: true})
	}
	return info
}
