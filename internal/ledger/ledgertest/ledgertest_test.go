package ledgertest_test

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/ledger/ledgertest"
)

// TestDeliver: a message that fails leaves the store as it was; one that
// succeeds writes and returns its events; end-block hooks run in order.
func TestDeliver(t *testing.T) {
	st := ledger.NewMemStore()
	a := ledger.AddressOf(make([]byte, 32))
	ledgertest.Genesis(t, st, a, nil, ledgertest.Balances(func(string) ledger.Address { return a }, 7, "a"), bank.Specs())
	if got := bank.Balance(st, a); got != 7 {
		t.Fatalf("genesis balance %d, want 7", got)
	}
	rt := ledger.NewRouter()
	rt.Add("t/write", func(ctx *ledger.Context, raw []byte) *ledger.Error {
		ctx.Store.Set([]byte("k"), raw)
		ctx.Emit("t.write")
		if string(raw) == "fail" {
			return ledger.Errorf(ledger.CodeMalformed, "refused")
		}
		return nil
	})
	ctx := ledger.Context{Store: st, ChainID: "t", Height: 1}
	if _, err := ledgertest.Deliver(t, rt, ctx, "t/write", []byte("fail")); err == nil || st.Get([]byte("k")) != nil {
		t.Fatalf("a failing message: err %v, store %q; want an error and nothing written", err, st.Get([]byte("k")))
	}
	ev, err := ledgertest.Deliver(t, rt, ctx, "t/write", []byte("ok"))
	if err != nil || string(st.Get([]byte("k"))) != "ok" || len(ev) != 1 || ev[0].Type != "t.write" {
		t.Fatalf("a succeeding message: err %v, store %q, events %v", err, st.Get([]byte("k")), ev)
	}
	var order []string
	hook := func(name string) func(*ledger.Context) *ledger.Error {
		return func(c *ledger.Context) *ledger.Error {
			order = append(order, name)
			c.Store.Set([]byte(name), []byte{1})
			return nil
		}
	}
	ledgertest.EndBlock(t, ctx, hook("first"), hook("second"))
	if len(order) != 2 || order[0] != "first" || st.Get([]byte("second")) == nil {
		t.Fatalf("end block ran %v and wrote second=%v", order, st.Get([]byte("second")))
	}
}
