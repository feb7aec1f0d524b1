package app

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Every module's BeginBlock sees what consensus said about the block, in
// module order, before the block's transactions.
func TestBeginBlockInput(t *testing.T) {
	var seen []string
	var got ledger.BlockInfo
	first := Module{Name: "first", BeginBlock: func(ctx *ledger.Context, info ledger.BlockInfo) *ledger.Error {
		seen = append(seen, "first")
		got = info
		ctx.Emit("first.begin")
		return nil
	}}
	second := Module{Name: "second", BeginBlock: func(*ledger.Context, ledger.BlockInfo) *ledger.Error {
		seen = append(seen, "second")
		return nil
	}, EndBlock: func(ctx *ledger.Context) *ledger.Error { ctx.Emit("second.end"); return nil }}
	a := newTestApp(t, first, second)
	seen = nil
	h, _ := a.LastCommit()
	b := Block{Height: h + 1, Time: 77, Proposer: testAddr(3),
		Votes:    []ledger.Vote{{Validator: testAddr(3), Power: 10, Signed: true}, {Validator: testAddr(4), Power: 5}},
		Evidence: []ledger.Misbehavior{{Kind: ledger.MisbehaviorDuplicateVote, Validator: testAddr(4), Power: 5, Height: h, Time: 66, TotalPower: 15}}}
	res, err := a.FinalizeBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"first", "second"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("begin block order %v, want %v", seen, want)
	}
	if want := b.Info(); !reflect.DeepEqual(got, want) {
		t.Errorf("begin block input %+v, want %+v", got, want)
	}
	if len(res.Events) != 2 || res.Events[0].Type != "first.begin" || res.Events[1].Type != "second.end" {
		t.Errorf("block events %v, want first.begin then second.end", res.Events)
	}
}

func TestValidatorUpdates(t *testing.T) {
	key := sig.PublicOf(testKey(5))
	var ups []ledger.ValidatorUpdate
	stake := Module{Name: "stake", ValidatorUpdates: func(*ledger.Context) ([]ledger.ValidatorUpdate, *ledger.Error) { return ups, nil }}
	a := newTestApp(t, stake)
	ups = []ledger.ValidatorUpdate{{PubKey: key, Power: 7}}
	res := runBlock(t, a)
	if len(res.ValidatorUpdates) != 1 || !bytes.Equal(res.ValidatorUpdates[0].PubKey, key) || res.ValidatorUpdates[0].Power != 7 {
		t.Fatalf("validator updates %v, want one with power 7", res.ValidatorUpdates)
	}
	for name, bad := range map[string][]ledger.ValidatorUpdate{
		"short key":      {{PubKey: key[:31], Power: 1}},
		"negative power": {{PubKey: key, Power: -1}},
		"key twice":      {{PubKey: key, Power: 1}, {PubKey: key, Power: 0}},
	} {
		ups = bad
		h, _ := a.LastCommit()
		if _, err := a.FinalizeBlock(Block{Height: h + 1}); err == nil {
			t.Errorf("%s: block finalized, want an error", name)
		}
	}
}

// A module's cross-field check refuses a params/set that leaves its
// parameters inconsistent, and a genesis that does.
func TestCrossFieldParamCheck(t *testing.T) {
	target := params.Spec{Name: "toy.target", Default: 5, Min: 0, Max: 100}
	max := params.Spec{Name: "toy.max", Default: 10, Min: 0, Max: 100}
	toy := Module{Name: "toy", Specs: []params.Spec{target, max}, CheckParams: func(get params.Lookup) *ledger.Error {
		if get(target) > get(max) {
			return ledger.Errorf(ledger.CodeParamsInconsistent, "target %d above max %d", get(target), get(max))
		}
		return nil
	}}
	a := newTestApp(t, toy)
	set := func(seq uint64, changes ...*paramsv1.Change) Result {
		m, _ := proto.Marshal(&paramsv1.MsgSetParams{Changes: changes})
		raw, err := BuildTx(testKey(0), &txv1.TxBody{ChainId: testChain, Sequence: seq, Fee: 1000, Msgs: []*txv1.Msg{{Type: params.TypeSet, Value: m}}})
		if err != nil {
			t.Fatal(err)
		}
		return runBlock(t, a, raw).Txs[0]
	}
	if r := set(0, &paramsv1.Change{Name: "toy.target", Value: 11}); r.Code != ledger.CodeParamsInconsistent {
		t.Fatalf("target above max: code %v (%s), want params_inconsistent", r.Code, r.Log)
	}
	if got := params.Get(a.Committed(), target); got != 5 {
		t.Fatalf("refused change wrote target %d", got)
	}
	// Raising both at once is consistent: the check sees the pending values.
	// (The refused change paid its fee and used sequence 0.)
	if r := set(1, &paramsv1.Change{Name: "toy.max", Value: 20}, &paramsv1.Change{Name: "toy.target", Value: 15}); r.Code != ledger.CodeOK {
		t.Fatalf("consistent change: code %v (%s)", r.Code, r.Log)
	}
	if r := set(2, &paramsv1.Change{Name: "toy.max", Value: 14}); r.Code != ledger.CodeParamsInconsistent {
		t.Fatalf("max below target: code %v, want params_inconsistent", r.Code)
	}

	b := New(NewMemBackend(), BankModule(), toy)
	var g Genesis
	_ = json.Unmarshal(testGenesis(1, 1), &g)
	g.Params = map[string]uint64{"toy.target": 50}
	raw, _ := json.Marshal(g)
	if _, err := b.InitChain(testChain, raw); err == nil || !strings.Contains(err.Error(), "target 50 above max 10") {
		t.Fatalf("inconsistent genesis: got %v, want the check's refusal", err)
	}
}

func TestModuleListChecks(t *testing.T) {
	for name, mods := range map[string][]Module{
		"no name":       {{}},
		"name twice":    {{Name: "x"}, {Name: "x"}},
		"shared prefix": {{Name: "x", Prefix: 0x40}, {Name: "y", Prefix: 0x40}},
		"app prefix":    {{Name: "x", Prefix: ledger.PrefixParams}},
		"two fee hooks": {BankModule(), {Name: "x", FeeHook: BankModule().FeeHook}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: New accepted the module list", name)
				}
			}()
			New(NewMemBackend(), mods...)
		}()
	}
}

// Without a fee hook no fee is taken; with the bank's, the fee goes to the
// fee collector.
func TestFeeHook(t *testing.T) {
	var calls int
	counting := BankModule()
	hook := counting.FeeHook
	counting.FeeHook = func(st ledger.Store, payer ledger.Address, fee uint64) *ledger.Error {
		calls++
		return hook(st, payer, fee)
	}
	a := New(NewMemBackend(), counting)
	if _, err := a.InitChain(testChain, testGenesis(2, 1_000_000)); err != nil {
		t.Fatal(err)
	}
	runBlock(t, a)
	if r := runBlock(t, a, sendTx(t, 1, 0, testAddr(0), 5)).Txs[0]; r.Code != ledger.CodeOK {
		t.Fatalf("send: %v %s", r.Code, r.Log)
	}
	if calls != 1 {
		t.Errorf("fee hook called %d times, want 1", calls)
	}
}

func TestGenesisBankSectionOnce(t *testing.T) {
	var g Genesis
	_ = json.Unmarshal(testGenesis(1, 1), &g)
	g.Modules = map[string]json.RawMessage{"bank": json.RawMessage(`{"denom":"upin","decimals":6,"balances":[]}`)}
	raw, _ := json.Marshal(g)
	if _, err := New(NewMemBackend(), BankModule()).InitChain(testChain, raw); err == nil {
		t.Errorf("a bank section both at the top level and under modules was accepted")
	}
	if _, err := New(NewMemBackend()).InitChain(testChain, testGenesis(1, 1)); err == nil {
		t.Errorf("balances without a bank module were accepted")
	}
}
