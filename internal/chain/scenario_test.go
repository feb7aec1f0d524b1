package chain_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/kind/kindtest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// A scenario file is a list of commands, each followed by "----", its
// expected output and a blank line, run by cockroachdb/datadriven; lines
// starting with # are comments. With -rewrite the outputs are rewritten
// from what the state machine does, to be reviewed as a diff:
//
//	go test ./internal/chain -run TestScenarios -rewrite
//	go test ./internal/chain -run TestScenarios/energy -rewrite   (one file)
//
// Commands:
//
//	genesis authority=<key> balances=<key>:<n>,.. [makers=<key>:<kind>+<kind>:<fee>,..] [params=<name>:<v>,..] [chain=<id>] [sensor=real]
//	tx <signer> <type> [message args] [seq=<n>] [fee=<n>] [chain=<id>] [memo=<s>] [repeat=<n>] [raw=<hex>] [sig=bad] [truncate=<n>] [force=yes]
//	tx-raw hex=<hex>
//	block
//	blocks n=<n>          (n empty blocks: their end-block events and the last app hash)
//	check
//	dump balances|sequences|devices|makers|params|locations device=<key>|providers|orders|bids|leases|credits
//	     |energy|channels|grants device=<key>
//
// Module commands are documented next to their builders: compute in
// scenario_compute_test.go, energy in scenario_energy_test.go, relay in
// scenario_relay_test.go, data access in scenario_data_test.go.
//
// Values may use Go string escapes (\x20). Keys are names; each name derives a fixed ed25519 key (keyFor). In
// outputs every known address is printed as its name.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files in testdata/scenarios")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			runScenarioFile(t, path)
		})
	}
}

// runScenarioFile runs one scenario file with cockroachdb/datadriven: each
// command's output is compared with the expected one, or rewritten with
// -rewrite. The command line reaches s.run as written (datadriven's
// arguments print back as they were parsed: "key=value" or a bare word).
func runScenarioFile(t *testing.T, path string) {
	s := newScenario(t)
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		words := []string{d.Cmd}
		for _, a := range d.CmdArgs {
			words = append(words, a.String())
		}
		return s.run(strings.Join(words, " "))
	})
}

// scenario is the state of one scenario run: the app, the block being
// built and the names of the keys seen so far.
type scenario struct {
	t       *testing.T
	app     *app.App
	shadow  *app.App // runs each block without its rejected txs
	db      *app.MemBackend
	chainID string
	names   map[string]string // address (bech32) -> name
	pending [][]byte
	queued  map[ledger.Address]uint64 // txs queued per signer in the pending block
	signer  string                    // the signer of the tx being built
	// manifests are the reward manifests submit-root computed, by epoch.
	manifests map[uint64]reward.Manifest
}

func newScenario(t *testing.T) *scenario {
	s := &scenario{t: t, names: make(map[string]string), queued: make(map[ledger.Address]uint64)}
	s.names[bank.FeeCollector.String()] = "fee_collector"
	nameMarketAccounts(s.names)
	nameStorageAccounts(s.names)
	nameComputeAccounts(s.names)
	s.names[energy.Escrow.String()] = "energy_escrow"
	s.names[energy.Balancing.String()] = "energy_balancing"
	s.names[reward.RewardPool.String()] = "reward_pool"
	return s
}

// addr returns the address of a named key and remembers the name.
func (s *scenario) addr(name string) ledger.Address {
	a := addrFor(name)
	s.names[a.String()] = name
	return a
}

// named replaces every known address in text by its name.
func (s *scenario) named(text string) string {
	pairs := make([]string, 0, 2*len(s.names))
	addrs := make([]string, 0, len(s.names))
	for a := range s.names {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		pairs = append(pairs, a, s.names[a])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// run executes one command and returns its output.
func (s *scenario) run(cmd string) string {
	fields := strings.Fields(cmd)
	if len(fields) == 0 {
		s.t.Fatalf("empty command")
	}
	var out string
	switch fields[0] {
	case "genesis":
		out = s.genesis(parseArgs(s.t, fields[1:]))
	case "tx":
		if len(fields) < 3 {
			s.t.Fatalf("%s: want tx <signer> <type> [args]", cmd)
		}
		out = s.tx(fields[1], fields[2], parseArgs(s.t, fields[3:]))
	case "tx-raw":
		out = s.queue(mustHex(s.t, parseArgs(s.t, fields[1:]).take("hex")), false)
	case "block":
		out = s.block()
	case "blocks":
		out = s.blocks(parseArgs(s.t, fields[1:]))
	case "check":
		out = s.check()
	case "dump":
		if len(fields) < 2 {
			s.t.Fatalf("%s: want dump <what>", cmd)
		}
		out = s.dump(fields[1], parseArgs(s.t, fields[2:]))
	default:
		s.t.Fatalf("unknown command %q", fields[0])
	}
	// google.golang.org/protobuf picks a space or a no-break space in its
	// error texts per binary (internal/detrand) so that nobody matches on
	// them; fold it so that the goldens hold across builds.
	return s.named(strings.ReplaceAll(strings.TrimRight(out, "\n"), "\u00a0", " "))
}

func (s *scenario) requireApp() {
	if s.app == nil {
		s.t.Fatalf("command before genesis")
	}
}

func (s *scenario) genesis(args args) string {
	g := genesisSpec{authority: s.addr(args.take("authority")).String(), params: map[string]uint64{}}
	for _, kv := range args.list("balances") {
		name, amount := splitPair(s.t, kv)
		g.balances = append(g.balances, app.GenesisBalance{Address: s.addr(name).String(), Amount: parseU64(s.t, amount)})
	}
	for _, spec := range args.list("makers") {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 {
			s.t.Fatalf("maker %q: want <key>:<kind>+<kind>:<fee>", spec)
		}
		s.addr(parts[0])
		g.makers = append(g.makers, genesisMaker(parts[0], strings.Split(parts[1], "+"), parseU64(s.t, parts[2])))
	}
	for _, kv := range args.list("params") {
		name, v := splitPair(s.t, kv)
		g.params[name] = parseU64(s.t, v)
	}
	for _, kv := range args.list("validators") {
		name, bond := splitPair(s.t, kv)
		g.validators = append(g.validators, chain.GenesisValidator{Operator: s.addr(name).String(), PubKey: hexKey(consKeyFor(name)),
			SelfBond: parseU64(s.t, bond), CommissionBps: 1000, MaxCommissionBps: 2000, MaxChangeBps: 100})
	}
	g.gov = args.opt("gov", "false") == "true"
	s.chainID = args.opt("chain", "depin-scenario")
	kinds := kindtest.Registry()
	if args.opt("sensor", "plain") == "real" {
		kinds = genKinds()
	}
	args.done()
	s.db = app.NewMemBackend()
	s.app, s.shadow = chain.NewWithKinds(s.db, kinds), chain.NewWithKinds(app.NewMemBackend(), kinds)
	h, err := s.app.InitChain(s.chainID, g.json())
	if err != nil {
		// A rejected genesis leaves no chain: the next genesis starts over.
		s.app = nil
		return "genesis error: " + err.Error()
	}
	if _, err := s.shadow.InitChain(s.chainID, g.json()); err != nil {
		s.t.Fatalf("shadow genesis: %v", err)
	}
	res := finalize(s.t, s.app, nil)
	finalize(s.t, s.shadow, nil)
	return fmt.Sprintf("genesis app_hash %X\nheight 1 app_hash %X", h, res.AppHash)
}

// queue checks a transaction with CheckTx and puts it in the pending
// block, as a node's mempool would, except that a transaction CheckTx
// refused also goes in (so the block shows FinalizeBlock's code for it)
// unless it was refused for a failing message: that one would pass the
// ante step and pay its fee in the block (the fee rule), which a mempool
// never lets happen, so it goes in only with force.
func (s *scenario) queue(raw []byte, force bool) string {
	s.requireApp()
	before := stateDigest(s.db)
	r := s.app.CheckTx(raw)
	if stateDigest(s.db) != before {
		s.t.Errorf("CheckTx changed committed state")
	}
	if r.Code == ledger.CodeOK || force || !strings.HasPrefix(r.Log, "message ") {
		s.pending = append(s.pending, raw)
	}
	return "checktx: " + resultLine(r)
}

func resultLine(r app.Result) string {
	if r.Code == ledger.CodeOK {
		return "ok"
	}
	return fmt.Sprintf("%s: %s", r.Code, r.Log)
}

// block finalizes and commits the pending transactions. The shadow app
// runs the same block without its unpaid transactions and must reach the
// same app hash: a transaction that failed before paying its fee writes
// nothing.
func (s *scenario) block() string {
	s.requireApp()
	res := finalize(s.t, s.app, s.pending)
	h, _ := s.app.LastCommit()
	var b strings.Builder
	fmt.Fprintf(&b, "height %d app_hash %X\n", h, res.AppHash)
	var paid [][]byte
	accepted := 0
	for i, r := range res.Txs {
		fmt.Fprintf(&b, "tx %d: %s\n", i, resultLine(r))
		if r.Paid {
			paid = append(paid, s.pending[i])
		}
		if r.Code == ledger.CodeOK {
			accepted++
		}
		for _, e := range r.Events {
			b.WriteString("  " + eventLine(e) + "\n")
		}
	}
	for _, e := range res.Events {
		b.WriteString("end_block " + eventLine(e) + "\n")
	}
	if shadow := finalize(s.t, s.shadow, paid); !bytes.Equal(shadow.AppHash, res.AppHash) {
		s.t.Errorf("block %d: app hash %X, but %X without its %d unpaid txs", h, res.AppHash, shadow.AppHash, len(res.Txs)-len(paid))
	}
	fmt.Fprintf(&b, "accepted %d of %d", accepted, len(res.Txs))
	s.pending = nil
	s.queued = make(map[ledger.Address]uint64)
	return b.String()
}

func eventLine(e ledger.Event) string {
	var b strings.Builder
	b.WriteString(e.Type)
	for _, a := range e.Attrs {
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value)
	}
	return b.String()
}

func (s *scenario) check() string {
	s.requireApp()
	st := s.app.Committed()
	if err := s.app.CheckInvariants(st); err != nil {
		return "invariants broken: " + err.Error()
	}
	sum, err := bank.SumBalances(st)
	if err != nil {
		return "invariants broken: " + err.Error()
	}
	sup := bank.GetSupply(st)
	return fmt.Sprintf("invariants ok\nsupply denom=%s minted=%d burned=%d total=%d balances=%d", sup.Denom, sup.Minted, sup.Burned, sup.Total, sum)
}
