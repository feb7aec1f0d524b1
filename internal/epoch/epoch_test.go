package epoch

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

func newState(t *testing.T, blocks uint64) *ledger.MemStore {
	t.Helper()
	st := ledger.NewMemStore()
	auth := ledger.AddressOf([]byte("auth"))
	if err := params.NewRegistry(Specs()).InitGenesis(st, auth, map[string]uint64{Blocks.Name: blocks}); err != nil {
		t.Fatal(err)
	}
	InitGenesis(st)
	return st
}

func endBlock(t *testing.T, st ledger.Store, h int64) []ledger.Event {
	t.Helper()
	ctx := &ledger.Context{Store: st, Height: h}
	if e := EndBlock(ctx); e != nil {
		t.Fatal(e)
	}
	if err := Invariant(st); err != nil {
		t.Fatalf("after height %d: %v", h, err)
	}
	return ctx.Events()
}

func TestClock(t *testing.T) {
	st := newState(t, 10)
	for h := int64(1); h <= 35; h++ {
		cur := Current(st)
		want := uint64((h - 1) / 10)
		if cur.Number != want || !cur.Contains(h) {
			t.Fatalf("height %d: epoch %+v, want number %d containing it", h, cur, want)
		}
		evs := endBlock(t, st, h)
		ended, ok := EndedAt(st, h)
		if wantEnd := h%10 == 0; ok != wantEnd || (len(evs) == 1) != wantEnd {
			t.Fatalf("height %d: ended %v (%d events), want %v", h, ok, len(evs), wantEnd)
		}
		if ok && (ended.Number != want || ended.EndHeight != h) {
			t.Fatalf("height %d: ended %+v, want epoch %d ending here", h, ended, want)
		}
	}
}

// A length change applies at the next boundary; the running epoch keeps
// its length and the past is not renumbered.
func TestLengthChangeAtBoundary(t *testing.T) {
	st := newState(t, 10)
	for h := int64(1); h <= 5; h++ {
		endBlock(t, st, h)
	}
	st.Set(ledger.Key(ledger.PrefixParams, []byte("v"), []byte(Blocks.Name)), ledger.U64(20))
	for h := int64(6); h <= 30; h++ {
		endBlock(t, st, h)
	}
	e0, _ := Get(st, 0)
	e1, _ := Get(st, 1)
	if e0.EndHeight != 10 || e1.StartHeight != 11 || e1.EndHeight != 30 || Current(st).Number != 2 {
		t.Fatalf("epochs %+v %+v, current %+v; want [1,10], [11,30], then 2", e0, e1, Current(st))
	}
}

func TestInvariantCatchesGap(t *testing.T) {
	st := newState(t, 10)
	for h := int64(1); h <= 10; h++ {
		endBlock(t, st, h)
	}
	put(st, Epoch{Number: 1, StartHeight: 12, EndHeight: 21})
	if Invariant(st) == nil {
		t.Fatal("a gap between epochs 0 and 1 passed the invariant")
	}
}
