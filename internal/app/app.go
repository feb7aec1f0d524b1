package app

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Backend is committed state: reads of the last committed block and an
// atomic commit of the next.
type Backend interface {
	ledger.Store
	LastCommit() (height int64, appHash []byte)
	Commit(height int64, appHash []byte, state, index []ledger.Write) error
}

// Module is a domain module plugged into the app.
type Module struct {
	// Name keys the module's section in genesis "modules".
	Name string
	// Specs are the module's parameters.
	Specs []params.Spec
	// Register adds the module's messages to the router.
	Register func(*ledger.Router)
	// InitGenesis reads the module's genesis section (nil if absent).
	InitGenesis func(st ledger.Store, raw json.RawMessage) error
	// EndBlock runs after a block's transactions, in module order.
	EndBlock func(ctx *ledger.Context) *ledger.Error
	// Invariant checks the module's state; tests run it after every block.
	Invariant func(st ledger.Store) error
}

// App is the state machine. Its consensus methods (InitChain,
// FinalizeBlock, Commit) must be called from one goroutine; CheckTx and the
// read methods may run concurrently with them.
type App struct {
	db      Backend
	router  *ledger.Router
	params  *params.Registry
	modules []Module
	sigs    *sigCache

	// Consensus state, touched only by the consensus connection.
	chainID   string
	height    int64
	appHash   []byte
	staged    *ledger.Overlay // uncommitted writes: genesis and the finalized block
	index     []ledger.Write  // uncommitted index entries of the finalized block
	finalized bool

	// Mempool state.
	mu      sync.Mutex
	pending map[ledger.Address]uint64 // next sequence after the txs accepted by CheckTx
}

// New builds an app over committed state with the given modules (bank and
// params are always present).
func New(db Backend, modules ...Module) *App {
	a := &App{db: db, router: ledger.NewRouter(), sigs: newSigCache(1 << 17), pending: make(map[ledger.Address]uint64)}
	groups := [][]params.Spec{Specs(), bank.Specs()}
	for _, m := range modules {
		groups = append(groups, m.Specs)
	}
	a.params = params.NewRegistry(groups...)
	a.params.Register(a.router)
	bank.Register(a.router)
	for _, m := range modules {
		if m.Register != nil {
			m.Register(a.router)
		}
	}
	a.modules = modules
	a.height, a.appHash = db.LastCommit()
	a.staged = ledger.NewOverlay(db)
	a.chainID = string(db.Get(keyChainID))
	return a
}

var keyChainID = ledger.Key(ledger.PrefixApp, []byte("chain_id"))

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
	if err := bank.InitGenesis(st, g.Denom, g.Decimals, g.bankBalances()); err != nil {
		return err
	}
	known := make(map[string]bool)
	for _, m := range a.modules {
		known[m.Name] = true
		if m.InitGenesis == nil {
			continue
		}
		if err := m.InitGenesis(st, g.Modules[m.Name]); err != nil {
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
	return nil
}

// CheckInvariants checks the supply invariant and every module's invariants
// over a state view.
func (a *App) CheckInvariants(st ledger.Store) error {
	sum, err := bank.SumBalances(st)
	if err != nil {
		return err
	}
	if s := bank.GetSupply(st); sum != s.Total {
		return fmt.Errorf("invariant: balances sum to %d, supply is %d (minted %d, burned %d)", sum, s.Total, s.Minted, s.Burned)
	}
	for _, m := range a.modules {
		if m.Invariant != nil {
			if err := m.Invariant(st); err != nil {
				return fmt.Errorf("invariant: %s: %w", m.Name, err)
			}
		}
	}
	return nil
}
