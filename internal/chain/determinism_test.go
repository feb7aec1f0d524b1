package chain_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"sort"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/store"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

const defaultDeterminismSeed = 20261117

var determinismSeed = flag.Uint64("determinism.seed", defaultDeterminismSeed, "seed of the determinism test's block generator")

// instance is one independently built state machine.
type instance struct {
	name string
	app  *app.App
	db   app.Backend
	// warm says how the instance sees txs before FinalizeBlock, as a real
	// node might: not at all, through ProcessProposal, or through CheckTx.
	// Signature caches and mempool state must never change results.
	warm string
}

// TestDeterminism feeds the same random blocks of valid and invalid txs of
// every kind to three in-memory instances and one over Pebble, each built
// on its own through chain.New, and requires the same app hash, the same
// results and the same state at every height, and the generator's
// predicted code for every tx; a fifth instance fed only the accepted txs
// must reach the same hashes. Then it restarts the Pebble instance from
// disk and goes on. The standard run (the default seed) must have
// accepted and refused every message type registered on the router
// (tally.checkTypes), so a new message cannot be left out of the
// generator.
func TestDeterminism(t *testing.T) {
	blocks := 220
	if testing.Short() {
		blocks = 200
	}
	seed := *determinismSeed
	t.Logf("seed %d (rerun with -determinism.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := newGen(func(n int) int { return rng.IntN(n) }, 24)
	g.staking = true
	genesis := g.genesis()

	dir := t.TempDir()
	pdb, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pdb.Close() })
	insts := []*instance{
		{name: "mem-a", db: app.NewMemBackend()},
		{name: "mem-b", db: app.NewMemBackend(), warm: "proposal"},
		{name: "mem-c", db: app.NewMemBackend(), warm: "checktx"},
		{name: "pebble", db: pdb, warm: "proposal"},
	}
	filtered := chain.NewWithKinds(app.NewMemBackend(), genKinds())
	if _, err := filtered.InitChain(g.chainID, genesis); err != nil {
		t.Fatalf("filtered: init chain: %v", err)
	}
	var genesisHash []byte
	for i, in := range insts {
		in.app = chain.NewWithKinds(in.db, genKinds())
		h, err := in.app.InitChain(g.chainID, genesis)
		if err != nil {
			t.Fatalf("%s: init chain: %v", in.name, err)
		}
		if i == 0 {
			genesisHash = h
		} else if !bytes.Equal(h, genesisHash) {
			t.Fatalf("%s: genesis app hash %X, want %X", in.name, h, genesisHash)
		}
	}

	tally := newTally()
	for h := int64(1); h <= int64(blocks); h++ {
		var plan []planned
		if h > 1 {
			plan = g.block(insts[0].app.Committed(), 2+rng.IntN(14))
		}
		runAgreed(t, insts, filtered, h, plan, tally)
	}

	// Restart the Pebble instance from disk: it resumes at the same height
	// and hash and keeps agreeing.
	height, hash := insts[3].app.LastCommit()
	if err := pdb.Close(); err != nil {
		t.Fatal(err)
	}
	if pdb, err = store.Open(dir); err != nil {
		t.Fatal(err)
	}
	insts[3].db, insts[3].app = pdb, chain.NewWithKinds(pdb, genKinds())
	if gotH, gotHash := insts[3].app.LastCommit(); gotH != height || !bytes.Equal(gotHash, hash) {
		t.Fatalf("reopened pebble at height %d hash %X, want %d %X", gotH, gotHash, height, hash)
	}
	for h := height + 1; h <= height+10; h++ {
		runAgreed(t, insts, filtered, h, g.block(insts[0].app.Committed(), 2+rng.IntN(14)), tally)
	}
	// Coverage (every kind of tx, every message type) is required of the
	// standard run (the default seed); another seed's run only reports it.
	// Every seed's txs must get their predicted codes (runAgreed).
	report := t.Errorf
	if seed != defaultDeterminismSeed {
		report = t.Logf
	}
	tally.check(t, report)
	tally.checkTypes(t, insts[0].app.Router().Types(), report)
}

// runAgreed executes one block on every instance and fails unless they all
// agree with each other, with the generator's predictions and with the
// filtered instance.
func runAgreed(t *testing.T, insts []*instance, filtered *app.App, h int64, plan []planned, tally *tally) {
	t.Helper()
	txs := make([][]byte, len(plan))
	for i, p := range plan {
		txs[i] = p.raw
	}
	var ref *app.BlockResult
	for i, in := range insts {
		switch in.warm {
		case "proposal":
			in.app.ProcessProposal(txs)
		case "checktx":
			for _, raw := range txs {
				in.app.CheckTx(raw)
			}
		}
		res, err := in.app.FinalizeBlock(app.Block{Height: h, Time: h * 1_000_000_000, Txs: txs})
		if err != nil {
			t.Fatalf("%s: block %d: %v", in.name, h, err)
		}
		if err := in.app.Commit(); err != nil {
			t.Fatalf("%s: commit %d: %v", in.name, h, err)
		}
		if err := in.app.CheckInvariants(in.app.Committed()); err != nil {
			t.Fatalf("%s: after block %d: %v", in.name, h, err)
		}
		if i == 0 {
			ref = res
			continue
		}
		if !bytes.Equal(res.AppHash, ref.AppHash) {
			t.Fatalf("%s: block %d app hash %X, want %X (from %s)", in.name, h, res.AppHash, ref.AppHash, insts[0].name)
		}
		for j := range res.Txs {
			if got, want := res.Txs[j], ref.Txs[j]; got.Code != want.Code || got.Log != want.Log {
				t.Fatalf("%s: block %d tx %d: got %v %q, want %v %q", in.name, h, j, got.Code, got.Log, want.Code, want.Log)
			}
		}
	}
	// The filtered instance gets only the txs the others accepted or that
	// paid their fee while failing (the fee rule) and must reach the same
	// app hash: unpaid txs write nothing.
	var accepted [][]byte
	for j, r := range ref.Txs {
		if r.Paid {
			accepted = append(accepted, txs[j])
		}
	}
	if res := finalize(t, filtered, accepted); !bytes.Equal(res.AppHash, ref.AppHash) {
		t.Fatalf("filtered: block %d app hash %X without its %d unpaid txs, want %X", h, res.AppHash, len(txs)-len(accepted), ref.AppHash)
	}
	for j, p := range plan {
		r := ref.Txs[j]
		tally.add(p, r)
		if r.Code != p.want {
			t.Errorf("block %d tx %d (%s): got %v (%s), want %v", h, j, p.label, r.Code, r.Log, p.want)
		}
	}
	if h%25 == 0 {
		want := stateDigest(insts[0].app.Committed())
		for _, in := range insts[1:] {
			if got := stateDigest(in.app.Committed()); got != want {
				t.Fatalf("%s: state at height %d differs from %s", in.name, h, insts[0].name)
			}
		}
	}
}

// tally counts the generated txs by label, so that the test proves it
// exercised every kind of rejection, and by message type, so that it
// proves every registered message was both accepted and refused by its
// handler (see checkTypes).
type tally struct {
	seen, matched map[string]int
	// accepted and refused count single-message txs by message type:
	// refused ones paid their fee (they passed the ante step) and failed
	// in the handler with the predicted code.
	accepted, refused map[string]int
}

func newTally() *tally {
	return &tally{seen: map[string]int{}, matched: map[string]int{}, accepted: map[string]int{}, refused: map[string]int{}}
}

func (t *tally) add(p planned, r app.Result) {
	matched := r.Code == p.want
	t.seen[p.label]++
	if !matched {
		return
	}
	t.matched[p.label]++
	types := msgTypes(p.raw)
	switch {
	case r.Code == ledger.CodeOK:
		for _, typ := range types {
			t.accepted[typ]++
		}
		// A proposal's actions (gov/treasury-spend runs only so) passed
		// its submission's dry run.
		for _, typ := range proposalActions(p.raw) {
			t.accepted[typ]++
		}
	case r.Paid && len(types) == 1:
		t.refused[types[0]]++
	}
}

// msgTypes lists the message types of a raw tx, nil if it does not decode.
func msgTypes(raw []byte) []string {
	var tx txv1.Tx
	var body txv1.TxBody
	if proto.Unmarshal(raw, &tx) != nil || proto.Unmarshal(tx.Body, &body) != nil {
		return nil
	}
	out := make([]string, len(body.Msgs))
	for i, m := range body.Msgs {
		out[i] = m.Type
	}
	return out
}

// proposalActions lists the action types of the proposals a raw tx
// submits.
func proposalActions(raw []byte) []string {
	var tx txv1.Tx
	var body txv1.TxBody
	if proto.Unmarshal(raw, &tx) != nil || proto.Unmarshal(tx.Body, &body) != nil {
		return nil
	}
	var out []string
	for _, m := range body.Msgs {
		var p govv1.MsgSubmitProposal
		if m.Type != gov.TypeSubmitProposal || proto.Unmarshal(m.Value, &p) != nil {
			continue
		}
		for _, a := range p.Actions {
			out = append(out, a.Type)
		}
	}
	return out
}

// checkTypes fails unless every message type registered on the router
// was accepted at least minAccepted times and refused by its handler at
// least once: a new message cannot be left out of the generator.
func (t *tally) checkTypes(tb testing.TB, types []string, report func(string, ...any)) {
	for _, typ := range types {
		tb.Logf("%-28s %4d accepted, %4d refused by the handler", typ, t.accepted[typ], t.refused[typ])
	}
	for _, typ := range types {
		if t.accepted[typ]+t.refused[typ] == 0 {
			report("message %s: never generated: add it to the generator (gen_*_test.go)", typ)
			continue
		}
		if t.accepted[typ] < minAccepted {
			report("message %s: accepted %d times, want at least %d: add it to the generator (gen_*_test.go)", typ, t.accepted[typ], minAccepted)
		}
		if t.refused[typ] == 0 {
			report("message %s: never refused by its handler: add an invalid variant to the generator (gen_*_test.go)", typ)
		}
	}
}

// minAccepted is how often a standard run must accept each message type.
const minAccepted = 1

// wantLabels are the tx kinds a determinism run must have produced.
var wantLabels = []string{
	"bank/send", "bank/multi-send", "multi-message", "params/set", "params/set-authority",
	"device/register-maker", "device/onboard", "device/assert-location", "device/transfer", "device/decommission",
	"bad:malformed", "bad:truncated", "bad:bad_signature", "bad:wrong_chain", "bad:replay", "bad:skipped",
	"bad:fee_too_low", "bad:no_funds_for_fee", "bad:insufficient_funds", "bad:overflow", "bad:unknown_message",
	"bad:too_many_msgs", "bad:atomic_second_msg", "bad:unauthorized_params", "bad:unauthorized_maker",
	"bad:unknown_maker", "bad:kind_not_certified", "bad:invalid_cell", "bad:unauthorized_device",
	"bad:location_unchanged", "bad:decommissioned", "bad:unknown_device", "bad:device_exists", "bad:serial_used",
	"market/create-provider", "market/update-provider", "market/create-order", "market/bid", "market/accept", "market/close-order",
	"market/close-lease", "market/deposit", "market/submit-receipts", "credits/buy",
	"bad:order_overflow", "bad:price_above_max", "bad:accept_not_owner", "bad:close_twice", "bad:deposit_closed_lease",
	"bad:forged_receipt",
	"stake/delegate", "stake/undelegate", "stake/redelegate", "stake/withdraw-rewards",
	"gov/submit-proposal", "gov/vote", "gov/deposit",
	"bad:unknown_delegation", "bad:self_bond_too_low", "bad:unknown_proposal", "bad:vote_closed",
	"proof/add-operator", "proof/commit-segment", "reward/set-oracle",
	"bad:not_operator", "bad:unauthorized_operator", "bad:not_oracle",
	"storage/create-deal", "storage/ack", "storage/prove", "bad:unknown_deal", "bad:not_deal_provider",
	"storage/report", "bad:download_not_faulty", "bad:not_deal_owner", "storage/set-repair-fund", "bad:fund_unchanged",
}

func (t *tally) check(tb testing.TB, report func(string, ...any)) {
	labels := make([]string, 0, len(t.seen))
	total := 0
	for l, n := range t.seen {
		labels = append(labels, l)
		total += n
	}
	sort.Strings(labels)
	for _, l := range labels {
		tb.Logf("%-28s %4d txs, %4d as predicted", l, t.seen[l], t.matched[l])
	}
	tb.Logf("%d txs in all", total)
	for _, l := range wantLabels {
		if t.matched[l] == 0 {
			report("no %s tx was generated and got its predicted result", l)
		}
	}
}
