package app

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Backend is committed state: reads of the last committed block and an
// atomic commit of the next.
type Backend interface {
	ledger.Store
	LastCommit() (height int64, appHash []byte)
	Commit(height int64, appHash []byte, state []ledger.Write) error
}

// Module is a domain module plugged into the app (DESIGN §3.1). Every field
// but Name is optional. internal/chain lists the chain's modules in
// execution order; a new module is a new Module value there and touches no
// other module.
type Module struct {
	// Name keys the module's section in genesis "modules" and names it in
	// errors.
	Name string
	// Prefix is the module's key prefix in state (ledger.Prefix*); 0 for a
	// module with no state of its own. No two modules share one.
	Prefix byte
	// Specs are the module's parameters.
	Specs []params.Spec
	// CheckParams is the module's cross-field parameter check ("target must
	// not exceed max"); it runs on genesis and on every params/set.
	CheckParams params.Check
	// Register adds the module's messages to the router.
	Register func(*ledger.Router)
	// Queries adds the module's read-only queries to the query router.
	Queries func(*ledger.QueryRouter)
	// InitGenesis reads the module's genesis section (nil if absent).
	InitGenesis func(st ledger.Store, raw json.RawMessage) error
	// ExportGenesis writes the module's genesis section from state, so that
	// InitGenesis of it rebuilds what the section covers (nil section:
	// omitted).
	ExportGenesis func(st ledger.Store) (json.RawMessage, error)
	// BeginBlock runs before a block's transactions, in module order, with
	// what consensus says about the block: proposer, last-commit votes and
	// misbehaviour evidence.
	BeginBlock func(ctx *ledger.Context, info ledger.BlockInfo) *ledger.Error
	// EndBlock runs after a block's transactions, in module order.
	EndBlock func(ctx *ledger.Context) *ledger.Error
	// ValidatorUpdates runs after every module's EndBlock and returns
	// changes to the consensus validator set (the staking module); the
	// app hands them to the engine.
	ValidatorUpdates func(ctx *ledger.Context) ([]ledger.ValidatorUpdate, *ledger.Error)
	// FeeHook runs in the ante step of every transaction, after the
	// signer's fee was checked against the minimum: it collects the fee
	// (the bank module). At most one module sets it.
	FeeHook func(st ledger.Store, payer ledger.Address, fee uint64) *ledger.Error
	// FeeBalance, set with FeeHook, is what an account may spend on fees in
	// committed state: the mempool bounds a sender's queued fees by it.
	FeeBalance func(st ledger.Store, a ledger.Address) uint64
	// Invariant checks the module's state; tests run it after every block.
	Invariant func(st ledger.Store) error
	// Gauges reports the module's levels (supply, active leases, bonded
	// stake) from committed state, for the node's /metrics; never called
	// in a block. It must be cheap: one read per gauge or one key scan.
	Gauges func(st ledger.Store) []ledger.Gauge
}

// App is the state machine. Its consensus methods (InitChain,
// FinalizeBlock, Commit) must be called from one goroutine; CheckTx and the
// read methods may run concurrently with them.
type App struct {
	db      Backend
	router  *ledger.Router
	queries *ledger.QueryRouter
	params  *params.Registry
	fee     func(st ledger.Store, payer ledger.Address, fee uint64) *ledger.Error // the fee hook; nil: no fees
	modules []Module
	sigs    *sigCache
	batcher sigBatcher // CheckTx's signature checks, batched across calls
	// predecoded hands PreVerify's decodings to CheckTx.
	predecoded predecoded

	// Consensus state, touched only by the consensus connection.
	chainID string
	height  int64
	appHash []byte
	staged  *ledger.Overlay // uncommitted writes: genesis and the finalized block
	// stagedWrites is staged.Writes() once FinalizeBlock has run on an
	// empty staged (every block, except the first after a genesis staged
	// in memory by a backend that cannot write it to disk): the block's
	// sorted write set, which it hashes, so that Commit does not collect
	// and sort it again. Nil otherwise.
	stagedWrites []ledger.Write
	finalized    bool
	// proposed holds the transactions of this height's proposals, decoded,
	// by their bytes, so that PrepareProposal, ProcessProposal and
	// FinalizeBlock decode each transaction once per height (decodeProposed;
	// Commit empties it).
	proposed map[string]*decoded

	// Mempool state.
	mu      sync.Mutex
	pending map[ledger.Address]queue // reservations of the txs accepted by CheckTx

	// delivered lists the finalized block's transactions for Commit to
	// release their reservations; touched by the consensus connection only.
	delivered  []deliveredTx
	feeBalance func(st ledger.Store, a ledger.Address) uint64 // what a sender may spend on fees; nil: unbounded
	// blockTime is the time of the last committed block (0 until this
	// process commits one): CheckTx judges time-bound messages (unjail,
	// votes) against it.
	blockTime    atomic.Int64
	finalizeTime int64
}

// New builds an app over committed state with the given modules, in
// execution order. Params and account sequences (auth) belong to the app
// itself; everything else, the bank included, is a module.
func New(db Backend, modules ...Module) *App {
	a := &App{db: db, router: ledger.NewRouter(), queries: ledger.NewQueryRouter(), sigs: newSigCache(1 << 17), pending: make(map[ledger.Address]queue)}
	checkModules(modules)
	groups := [][]params.Spec{Specs()}
	for _, m := range modules {
		groups = append(groups, m.Specs)
	}
	a.params = params.NewRegistry(groups...)
	a.params.Register(a.router)
	for _, m := range modules {
		if m.FeeHook != nil {
			if a.fee != nil {
				panic(fmt.Sprintf("app: module %s sets a second fee hook", m.Name))
			}
			a.fee, a.feeBalance = m.FeeHook, m.FeeBalance
		}
		a.params.AddCheck(m.Name, m.CheckParams)
		if m.Register != nil {
			m.Register(a.router)
		}
		if m.Queries != nil {
			m.Queries(a.queries)
		}
	}
	a.modules = modules
	a.height, a.appHash = db.LastCommit()
	a.staged = ledger.NewOverlay(db)
	a.chainID = string(db.Get(keyChainID))
	return a
}

var keyChainID = ledger.Key(ledger.PrefixApp, []byte("chain_id"))

// checkModules panics on a module list that cannot work: a missing or
// repeated name, a shared key prefix. These are programming errors.
func checkModules(modules []Module) {
	names := make(map[string]bool, len(modules))
	prefixes := map[byte]string{ledger.PrefixApp: "app", ledger.PrefixAuth: "auth", ledger.PrefixParams: "params"}
	for _, m := range modules {
		if m.Name == "" || names[m.Name] {
			panic(fmt.Sprintf("app: module name %q is empty or used twice", m.Name))
		}
		names[m.Name] = true
		if m.Prefix == 0 {
			continue
		}
		if other, ok := prefixes[m.Prefix]; ok {
			panic(fmt.Sprintf("app: module %s uses key prefix %#x of %s", m.Name, m.Prefix, other))
		}
		prefixes[m.Prefix] = m.Name
	}
}

// Modules returns the app's modules in execution order.
func (a *App) Modules() []Module { return a.modules }

// Queries returns the query router every module registered its queries on.
func (a *App) Queries() *ledger.QueryRouter { return a.queries }

// Params returns the parameter registry.
func (a *App) Params() *params.Registry { return a.params }

// Router returns the message router.
func (a *App) Router() *ledger.Router { return a.router }

// Committed returns the committed state for queries.
func (a *App) Committed() ledger.Store { return a.db }

// LastCommit returns the last committed height and app hash.
func (a *App) LastCommit() (int64, []byte) { return a.db.LastCommit() }

// ChainID returns the chain id recorded at genesis.
func (a *App) ChainID() string { return a.chainID }

// genesisBackend is a Backend that takes a genesis of any size with bounded
// memory (store.DB.WriteGenesis): it runs build on a store that spills to
// disk, calls visit with every write of genesis in key order, and leaves the
// state at height 0 until the first Commit, redoing it from scratch if the
// node stops before that.
type genesisBackend interface {
	WriteGenesis(build func(st ledger.Store) error, visit func(w ledger.Write)) error
}

// InitChain writes genesis and returns the genesis app hash. Over a
// genesisBackend genesis goes to disk as it is built, at height 0; over
// any other Backend it is staged in memory. Either way it becomes part of
// committed state with the first Commit, and the hash is the same.
func (a *App) InitChain(chainID string, appState []byte) ([]byte, error) {
	if a.height != 0 {
		return nil, fmt.Errorf("app: init chain at height %d", a.height)
	}
	g, err := ParseGenesis(appState)
	if err != nil {
		return nil, err
	}
	a.staged = ledger.NewOverlay(a.db)
	if gb, ok := a.db.(genesisBackend); ok {
		h := newWriteHasher(nil, 0)
		build := func(st ledger.Store) error { return a.initGenesis(st, chainID, g) }
		if err := gb.WriteGenesis(build, h.add); err != nil {
			return nil, err
		}
		a.appHash = h.sum()
	} else {
		if err := a.initGenesis(a.staged, chainID, g); err != nil {
			return nil, err
		}
		a.appHash = nextAppHash(nil, 0, a.staged.Writes())
	}
	a.chainID = chainID
	return a.appHash, nil
}

// initGenesis writes the chain id, params, balances and every module's
// genesis section into st.
func (a *App) initGenesis(st ledger.Store, chainID string, g *Genesis) error {
	st.Set(keyChainID, []byte(chainID))
	auth, _ := ledger.ParseAddress(g.Authority)
	if err := a.params.InitGenesis(st, auth, g.Params); err != nil {
		return err
	}
	known := make(map[string]bool)
	for _, m := range a.modules {
		known[m.Name] = true
		if m.InitGenesis == nil {
			continue
		}
		section, err := g.section(m.Name)
		if err != nil {
			return err
		}
		if err := m.InitGenesis(st, section); err != nil {
			return fmt.Errorf("genesis: module %s: %w", m.Name, err)
		}
	}
	names := make([]string, 0, len(g.Modules))
	for n := range g.Modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !known[n] {
			return fmt.Errorf("genesis: unknown module section %q", n)
		}
	}
	if !known["bank"] && g.hasBank() {
		return fmt.Errorf("genesis: denom or balances given but the chain has no bank module")
	}
	return nil
}

// CheckInvariants checks every module's invariants (the bank's supply
// invariant among them) over a state view.
func (a *App) CheckInvariants(st ledger.Store) error {
	for _, m := range a.modules {
		if m.Invariant != nil {
			if err := m.Invariant(st); err != nil {
				return fmt.Errorf("invariant: %s: %w", m.Name, err)
			}
		}
	}
	return nil
}

// Gauges returns every module's gauges over st, in module order.
func (a *App) Gauges(st ledger.Store) []ledger.Gauge {
	var out []ledger.Gauge
	for _, m := range a.modules {
		if m.Gauges != nil {
			out = append(out, m.Gauges(st)...)
		}
	}
	return out
}
