package gov

import (
	"crypto/sha256"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/stake"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// kit is a chain state with three genesis validators (accounts 0-2, 10,000
// PIN each), governance as the params authority, a funded treasury and a
// router, advanced block by block, one second each.
type kit struct {
	t   tb
	st  *ledger.MemStore
	rt  *ledger.Router
	reg *params.Registry
	gov *Gov
	h   int64
	now int64
}

const pin = 1_000_000

func acct(i int) ledger.Address { return ledger.ModuleAddress("gov-test-" + string(rune('a'+i))) }

func newKit(t tb) *kit {
	st := ledger.NewMemStore()
	bals := []bank.GenesisBalance{{Address: Treasury, Amount: 50_000 * pin}}
	for i := 0; i < 8; i++ {
		bals = append(bals, bank.GenesisBalance{Address: acct(i), Amount: 1_000_000 * pin})
	}
	if err := bank.InitGenesis(st, "upin", 6, bals); err != nil {
		t.Fatal(err)
	}
	k := &kit{t: t, st: st, rt: ledger.NewRouter(), gov: New(), h: 1, now: 1_000_000_000_000}
	k.reg = params.NewRegistry(bank.Specs(), stake.Specs(), Specs())
	k.reg.Register(k.rt)
	bank.Register(k.rt)
	stake.Register(k.rt)
	k.gov.Register(k.rt)
	if err := k.reg.InitGenesis(st, acct(7), map[string]uint64{VotingSeconds.Name: 60, DepositSeconds.Name: 60}); err != nil {
		t.Fatal(err)
	}
	var gv []stake.GenesisValidator
	for i := 0; i < 3; i++ {
		s := sha256.Sum256([]byte{byte(i)})
		gv = append(gv, stake.GenesisValidator{Operator: acct(i), PubKey: s[:], SelfBond: 10_000 * pin, MaxCommissionBps: 1000})
	}
	if err := stake.InitGenesis(st, gv); err != nil {
		t.Fatal(err)
	}
	if err := InitGenesis(st, true); err != nil {
		t.Fatal(err)
	}
	return k
}

// tx runs one message as signer, all or nothing.
func (k *kit) tx(signer ledger.Address, typ string, m proto.Message) *ledger.Error {
	raw, err := proto.Marshal(m)
	if err != nil {
		k.t.Fatal(err)
	}
	return k.txRaw(signer, typ, raw)
}

// txRaw runs one encoded message as signer, all or nothing.
func (k *kit) txRaw(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	h, ok := k.rt.Handler(typ)
	if !ok {
		k.t.Fatalf("no handler %s", typ)
	}
	o := ledger.NewOverlay(k.st)
	if e := h(&ledger.Context{Store: o, ChainID: "test", Height: k.h, Time: k.now, Signer: signer}, raw); e != nil {
		return e
	}
	o.Flush()
	return nil
}

func (k *kit) blocks(n int) []ledger.Event {
	k.t.Helper()
	var evs []ledger.Event
	for i := 0; i < n; i++ {
		ctx := &ledger.Context{Store: k.st, ChainID: "test", Height: k.h, Time: k.now}
		if e := stake.EndBlock(ctx); e != nil {
			k.t.Fatal(e)
		}
		if e := k.gov.EndBlock(ctx); e != nil {
			k.t.Fatal(e)
		}
		if _, e := stake.ValidatorUpdates(ctx); e != nil {
			k.t.Fatal(e)
		}
		evs = append(evs, ctx.Events()...)
		if err := Invariants(k.st); err != nil {
			k.t.Fatal(err)
		}
		if err := stake.Invariants(k.st); err != nil {
			k.t.Fatal(err)
		}
		k.h++
		k.now += 1_000_000_000
	}
	return evs
}

func action(t tb, typ string, m proto.Message) *govv1.Action {
	raw, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return &govv1.Action{Type: typ, Value: raw}
}

func setParam(t tb, name string, v uint64) *govv1.Action {
	return action(t, params.TypeSet, &paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: name, Value: v}}})
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

func (k *kit) proposal(id uint64) *govv1.Proposal {
	p, ok := GetProposal(k.st, id)
	if !ok {
		k.t.Fatalf("no proposal %d", id)
	}
	return p
}

func vote(o govv1.VoteOption) *govv1.MsgVote { return &govv1.MsgVote{Proposal: 1, Option: o} }
