package ledgertest

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// TB is the part of testing.TB (and of rapid.T) the functions use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Genesis writes the params genesis of specs (authority, overrides) and a
// bank genesis of upin with balances into st, and returns the params
// registry (whose messages the caller registers on its router).
func Genesis(t TB, st ledger.Store, authority ledger.Address, overrides map[string]uint64, balances []bank.GenesisBalance,
	specs ...[]params.Spec) *params.Registry {
	t.Helper()
	reg := params.NewRegistry(specs...)
	if err := reg.InitGenesis(st, authority, overrides); err != nil {
		t.Fatalf("params genesis: %v", err)
	}
	if err := bank.InitGenesis(st, "upin", 6, balances); err != nil {
		t.Fatalf("bank genesis: %v", err)
	}
	return reg
}

// Balances funds the addresses of labels with amount each.
func Balances(addr func(label string) ledger.Address, amount uint64, labels ...string) []bank.GenesisBalance {
	out := make([]bank.GenesisBalance, len(labels))
	for i, l := range labels {
		out[i] = bank.GenesisBalance{Address: addr(l), Amount: amount}
	}
	return out
}

// Deliver runs one message of type typ in the block and with the signer
// of ctx: on an overlay of ctx.Store, flushed only if the handler
// succeeds. It returns the events the message emitted.
func Deliver(t TB, rt *ledger.Router, ctx ledger.Context, typ string, raw []byte) ([]ledger.Event, *ledger.Error) {
	t.Helper()
	h, ok := rt.Handler(typ)
	if !ok {
		t.Fatalf("no handler for %s", typ)
	}
	ov := ledger.NewOverlay(ctx.Store)
	ctx.Store = ov
	if err := h(&ctx, raw); err != nil {
		return nil, err
	}
	ov.Flush()
	return ctx.Events(), nil
}

// EndBlock runs hooks in order on an overlay of ctx.Store and flushes it;
// a hook's failure fails the test. It returns the events the hooks
// emitted.
func EndBlock(t TB, ctx ledger.Context, hooks ...func(*ledger.Context) *ledger.Error) []ledger.Event {
	t.Helper()
	ov := ledger.NewOverlay(ctx.Store)
	ctx.Store = ov
	for _, h := range hooks {
		if err := h(&ctx); err != nil {
			t.Fatalf("end block %d: %v", ctx.Height, err)
		}
	}
	ov.Flush()
	return ctx.Events()
}
