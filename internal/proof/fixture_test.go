package proof

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
)

// update rewrites the fuzz seed corpora: go test ./internal/proof -run Corpus -update
var update = flag.Bool("update", false, "rewrite the fuzz seed corpora under testdata/fuzz")

const (
	epochBlocks = 10
	grace       = 2
)

func addr(name string) ledger.Address { return ledger.ModuleAddress("proof-test/" + name) }

var (
	authority = addr("authority")
	operator  = addr("operator")
	oracle    = addr("oracle")
	stranger  = addr("stranger")
)

func segHash(i int) []byte {
	h := sha256.Sum256([]byte(fmt.Sprintf("segment-%d", i)))
	return h[:]
}

type fixture struct {
	t      testing.TB
	st     *ledger.MemStore
	height int64
	router *ledger.Router
}

// newFixture: one operator, one oracle, 10-block epochs with 2 grace
// blocks, and param overrides.
func newFixture(t testing.TB, overrides map[string]uint64) *fixture {
	t.Helper()
	st := ledger.NewMemStore()
	values := map[string]uint64{epoch.Blocks.Name: epochBlocks, reward.SegmentGraceBlocks.Name: grace}
	for k, v := range overrides {
		values[k] = v
	}
	if err := params.NewRegistry(Specs(), reward.Specs(), epoch.Specs()).InitGenesis(st, authority, values); err != nil {
		t.Fatal(err)
	}
	epoch.InitGenesis(st)
	if err := reward.InitGenesis(st, []reward.GenesisOracle{{Address: oracle, Weight: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := InitGenesis(st, []ledger.Address{operator}); err != nil {
		t.Fatal(err)
	}
	rt := ledger.NewRouter()
	Register(rt)
	reward.Register(rt)
	return &fixture{t: t, st: st, router: rt}
}

// block runs the messages at the next height, then both modules' EndBlock.
func (f *fixture) block(msgs ...func() *ledger.Error) []*ledger.Error {
	f.t.Helper()
	out := make([]*ledger.Error, len(msgs))
	for i, m := range msgs {
		out[i] = m()
	}
	f.height++
	ctx := &ledger.Context{Store: f.st, Height: f.height, Time: f.height * 200_000_000}
	if e := epoch.EndBlock(ctx); e != nil {
		f.t.Fatal(e)
	}
	if e := EndBlock(ctx); e != nil {
		f.t.Fatal(e)
	}
	if e := reward.EndBlock(ctx); e != nil {
		f.t.Fatal(e)
	}
	if err := Invariants(f.st); err != nil {
		f.t.Fatalf("after block %d: %v", f.height, err)
	}
	return out
}

func (f *fixture) advanceTo(h int64) {
	for f.height < h {
		f.block()
	}
}

// exec runs one message at the next height on an overlay, flushed only on
// success; a rejection must leave the overlay empty and emit nothing.
func (f *fixture) exec(signer ledger.Address, typ string, m proto.Message) *ledger.Error {
	f.t.Helper()
	raw, err := proto.Marshal(m)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.execRaw(signer, typ, raw)
}

func (f *fixture) execRaw(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	f.t.Helper()
	h, ok := f.router.Handler(typ)
	if !ok {
		f.t.Fatalf("no handler %s", typ)
	}
	ov := ledger.NewOverlay(f.st)
	ctx := &ledger.Context{Store: ov, Height: f.height + 1, Time: (f.height + 1) * 200_000_000, Signer: signer}
	if e := h(ctx, raw); e != nil {
		if ov.Len() != 0 || len(ctx.Events()) != 0 {
			f.t.Fatalf("%s rejected with %v but wrote %d keys and %d events", typ, e, ov.Len(), len(ctx.Events()))
		}
		return e
	}
	ov.Flush()
	return nil
}

func (f *fixture) dump() string {
	var b bytes.Buffer
	f.st.Iterate(nil, nil, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return true
	})
	return b.String()
}

func wantCode(t testing.TB, what string, e *ledger.Error, code ledger.Code) {
	t.Helper()
	var got ledger.Code
	if e != nil {
		got = e.Code
	}
	if got != code {
		t.Fatalf("%s: got code %v (%v), want %v", what, got, e, code)
	}
}
