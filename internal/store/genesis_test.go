package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
)

// genesisOp is one step of a synthetic module genesis.
type genesisOp struct {
	Kind  string // set, delete, get, iterate
	Key   []byte
	Value []byte
	End   []byte // iterate only
}

// opsModule returns a module whose genesis runs ops on the store it is
// given, logging every read, and fails with errFail after ops if fail.
func opsModule(ops []genesisOp, log *[]string, fail bool) app.Module {
	return app.Module{Name: "ops", InitGenesis: func(st ledger.Store, _ json.RawMessage) error {
		for _, op := range ops {
			switch op.Kind {
			case "set":
				st.Set(op.Key, op.Value)
			case "delete":
				st.Delete(op.Key)
			case "get":
				*log = append(*log, fmt.Sprintf("get %x=%x nil=%v", op.Key, st.Get(op.Key), st.Get(op.Key) == nil))
			case "iterate":
				st.Iterate(op.Key, op.End, func(k, v []byte) bool {
					*log = append(*log, fmt.Sprintf("it %x=%x", k, v))
					return true
				})
			}
		}
		if fail {
			return errFail
		}
		return nil
	}}
}

var errFail = errors.New("ops: failing on purpose")

// testAppState is a minimal valid app genesis.
func testAppState(t testing.TB) []byte {
	auth := ledger.AddressOf([]byte("depin/store/test/authority"))
	raw, err := json.Marshal(app.Genesis{Denom: "upin", Decimals: 6, Authority: auth.String(),
		Balances: []app.GenesisBalance{{Address: auth.String(), Amount: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// drawOps draws genesis ops over a small key space (so that keys are set,
// deleted, re-set and read back) with values of up to 300 bytes.
func drawOps(rt *rapid.T) []genesisOp {
	key := rapid.Custom(func(rt *rapid.T) []byte {
		return []byte{0x40, byte(rapid.IntRange(0, 40).Draw(rt, "k1")), byte(rapid.IntRange(0, 3).Draw(rt, "k2"))}
	})
	n := rapid.IntRange(0, 400).Draw(rt, "ops")
	ops := make([]genesisOp, n)
	for i := range ops {
		switch rapid.IntRange(0, 9).Draw(rt, "kind") {
		case 0, 1, 2, 3:
			ops[i] = genesisOp{Kind: "set", Key: key.Draw(rt, "key"), Value: rapid.SliceOfN(rapid.Byte(), 0, 300).Draw(rt, "value")}
		case 4, 5:
			ops[i] = genesisOp{Kind: "delete", Key: key.Draw(rt, "key")}
		case 6, 7, 8:
			ops[i] = genesisOp{Kind: "get", Key: key.Draw(rt, "key")}
		default:
			a, b := key.Draw(rt, "start"), key.Draw(rt, "end")
			if bytes.Compare(a, b) > 0 {
				a, b = b, a
			}
			ops[i] = genesisOp{Kind: "iterate", Key: a, End: b}
		}
	}
	return ops
}

// withSmallPieces cuts genesis pieces to a few hundred bytes for a test, so
// that a small genesis spans many Pebble batches.
func withSmallPieces(t testing.TB, n int) {
	old := genesisBatchBytes
	genesisBatchBytes = n
	t.Cleanup(func() { genesisBatchBytes = old })
}

// dump returns every key of a store in order, as text.
func dump(st ledger.Store) []string {
	var out []string
	st.Iterate(nil, nil, func(k, v []byte) bool {
		out = append(out, fmt.Sprintf("%x=%x", k, v))
		return true
	})
	return out
}

// TestWriteGenesisMatchesMemory runs random genesis writes, deletes and
// reads through an app over Pebble (pieces of 512 bytes) and over the
// in-memory backend, and requires the same reads during genesis, the same
// genesis and block-1 app hashes, and the same committed state.
func TestWriteGenesisMatchesMemory(t *testing.T) {
	withSmallPieces(t, 512)
	state := testAppState(t)
	rapid.Check(t, func(rt *rapid.T) {
		ops := drawOps(rt)
		var memLog, dbLog []string
		mem := app.New(app.NewMemBackend(), app.BankModule(), opsModule(ops, &memLog, false))
		db, err := Open(t.TempDir())
		if err != nil {
			rt.Fatal(err)
		}
		defer db.Close()
		onDisk := app.New(db, app.BankModule(), opsModule(ops, &dbLog, false))
		want, err := mem.InitChain("test-chain", state)
		if err != nil {
			rt.Fatalf("memory: init chain: %v", err)
		}
		got, err := onDisk.InitChain("test-chain", state)
		if err != nil {
			rt.Fatalf("pebble: init chain: %v", err)
		}
		if !bytes.Equal(got, want) {
			rt.Fatalf("got genesis app hash %X, want %X", got, want)
		}
		if fmt.Sprint(dbLog) != fmt.Sprint(memLog) {
			rt.Fatalf("got reads during genesis\n%v\nwant\n%v", dbLog, memLog)
		}
		if !db.PendingGenesis() {
			rt.Fatalf("got no pending genesis before the first commit, want one")
		}
		for _, a := range []*app.App{mem, onDisk} {
			if _, err := a.FinalizeBlock(app.Block{Height: 1, Time: 1}); err != nil {
				rt.Fatal(err)
			}
			if err := a.Commit(); err != nil {
				rt.Fatal(err)
			}
		}
		_, wantHash := mem.LastCommit()
		if h, gotHash := onDisk.LastCommit(); h != 1 || !bytes.Equal(gotHash, wantHash) {
			rt.Fatalf("got height %d hash %X after block 1, want 1 and %X", h, gotHash, wantHash)
		}
		if db.PendingGenesis() {
			rt.Fatalf("got a pending genesis after the first commit, want none")
		}
		if got, want := dump(onDisk.Committed()), dump(mem.Committed()); fmt.Sprint(got[:len(got)-2]) != fmt.Sprint(want) {
			rt.Fatalf("got committed state\n%v\nwant\n%v (plus height and app hash)", got, want)
		}
	})
}

// TestWriteGenesisFailureLeavesNothing: a genesis that fails after writing
// several pieces returns its error and leaves an empty database.
func TestWriteGenesisFailureLeavesNothing(t *testing.T) {
	withSmallPieces(t, 256)
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ops []genesisOp
	for i := range 100 {
		ops = append(ops, genesisOp{Kind: "set", Key: []byte{0x40, byte(i)}, Value: bytes.Repeat([]byte{1}, 50)})
	}
	var log []string
	a := app.New(db, app.BankModule(), opsModule(ops, &log, true))
	if _, err := a.InitChain("test-chain", testAppState(t)); !errors.Is(err, errFail) {
		t.Fatalf("got error %v, want %v", err, errFail)
	}
	if got := dump(db); len(got) != 0 {
		t.Fatalf("got %d keys after a failed genesis, want none: %v", len(got), got)
	}
	if db.PendingGenesis() {
		t.Fatalf("got a pending genesis after a failed one, want none")
	}
}

// TestWriteGenesisRedoneAfterCrash stops a genesis half-way (a panic in a
// module, no cleanup, the database closed as a killed process leaves it),
// reopens the database, and checks that the partial genesis is reported,
// that a new InitChain replaces it whole (no key of the first attempt
// survives) with the same app hash as in memory, and that the first commit
// clears the report, also after another reopen.
func TestWriteGenesisRedoneAfterCrash(t *testing.T) {
	withSmallPieces(t, 256)
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var crashOps []genesisOp
	for i := range 200 {
		crashOps = append(crashOps, genesisOp{Kind: "set", Key: []byte{0x41, byte(i)}, Value: bytes.Repeat([]byte{2}, 40)})
	}
	crash := app.Module{Name: "ops", InitGenesis: func(st ledger.Store, raw json.RawMessage) error {
		var log []string
		_ = opsModule(crashOps, &log, false).InitGenesis(st, raw)
		panic("killed")
	}}
	func() {
		defer func() {
			if r := recover(); r != "killed" {
				t.Fatalf("got %v from the crashing genesis, want the panic", r)
			}
		}()
		_, _ = app.New(db, app.BankModule(), crash).InitChain("test-chain", testAppState(t))
	}()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.LastCommit(); h != 0 || !db.PendingGenesis() {
		t.Fatalf("after the crash: got height %d, pending %v; want 0 and true", h, db.PendingGenesis())
	}
	if v := db.Get([]byte{0x41, 0}); v == nil {
		t.Fatalf("after the crash: got no key of the first piece, want the partial genesis on disk")
	}

	ops := []genesisOp{{Kind: "set", Key: []byte{0x41, 7}, Value: []byte("kept")}}
	var memLog, dbLog []string
	mem := app.New(app.NewMemBackend(), app.BankModule(), opsModule(ops, &memLog, false))
	want, err := mem.InitChain("test-chain", testAppState(t))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, app.BankModule(), opsModule(ops, &dbLog, false))
	got, err := a.InitChain("test-chain", testAppState(t))
	if err != nil {
		t.Fatalf("init chain after the crash: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got genesis app hash %X after the crash, want %X", got, want)
	}
	if _, err := a.FinalizeBlock(app.Block{Height: 1, Time: 1}); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if h, _ := db.LastCommit(); h != 1 || db.PendingGenesis() {
		t.Fatalf("after block 1 and a reopen: got height %d, pending %v; want 1 and false", h, db.PendingGenesis())
	}
	if v := db.Get([]byte{0x41, 0}); v != nil {
		t.Fatalf("got %x left from the crashed genesis, want nil", v)
	}
	if v := db.Get([]byte{0x41, 7}); string(v) != "kept" {
		t.Fatalf("got %q, want kept", v)
	}
}
