package tokensim

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// BlocksPerDay is the length of a simulated day: one reward epoch of the
// shortest length the chain allows (epoch.blocks ≥ 10).
const BlocksPerDay = 10

// blockNs is the block interval that makes BlocksPerDay blocks a day, so
// the chain's durations in seconds (unbonding, voting) are real days.
const blockNs = int64(86_400_000_000_000 / BlocksPerDay)

// upinPerPIN is 10^decimals of the simulated chain's token.
const upinPerPIN = 1_000_000

const chainID = "depin-tokensim"

// actor is a key the simulation signs with.
type actor struct {
	name string
	key  sig.PrivateKey
	addr ledger.Address
}

func newActor(name string) actor {
	seed := make([]byte, 32)
	copy(seed, "depin/tokensim/"+name)
	k := sig.KeyFromSeed(seed)
	return actor{name: name, key: k, addr: ledger.AddressOf(sig.PublicOf(k))}
}

// actors are the simulation's accounts: aggregates of many real people,
// since what the chain's rules do to money depends on totals.
type actors struct {
	maker, consumers, holders, team, oracle actor
	// devices[c] is the device of provider class c (serving, idle) and
	// owners[c] its owner; the serving owner is also the market provider.
	devices, owners [classes]actor
	validators      []actor // operators
	consensus       []actor // their consensus keys
}

func newActors(validators int) actors {
	a := actors{maker: newActor("maker"), consumers: newActor("consumers"), holders: newActor("holders"),
		team: newActor("team"), oracle: newActor("oracle"),
		devices: [classes]actor{newActor("fleet"), newActor("fleet-idle")},
		owners:  [classes]actor{newActor("providers"), newActor("idle-providers")}}
	for i := 0; i < validators; i++ {
		a.validators = append(a.validators, newActor(fmt.Sprintf("validator-%d", i)))
		a.consensus = append(a.consensus, newActor(fmt.Sprintf("consensus-%d", i)))
	}
	return a
}

// liquid lists the accounts whose balances circulate.
func (a *actors) liquid() []ledger.Address {
	out := []ledger.Address{a.owners[serving].addr, a.owners[idle].addr, a.consumers.addr, a.holders.addr, a.oracle.addr}
	for _, v := range a.validators {
		out = append(out, v.addr)
	}
	return out
}

// node drives the chain's real state machine in memory.
type node struct {
	app  *app.App
	seqs map[ledger.Address]uint64
	// genesisSupply is what genesis allocated; the state shows it once
	// the first block is committed.
	genesisSupply uint64
}

// feeFloat is what each signing account keeps for fees at genesis.
const feeFloat = 100 * upinPerPIN

// genesis builds the chain's genesis from a scenario: balances, the
// scenario's parameters over the chain's defaults, the reward pools, the
// fleet's maker, the oracle, the validators, and governance as the params
// authority (so every later change is a proposal).
func genesis(s *Scenario, a *actors) ([]byte, uint64, error) {
	ps := map[string]uint64{}
	for k, v := range s.Params {
		ps[k] = v
	}
	if v, ok := ps[epoch.Blocks.Name]; ok && v != BlocksPerDay {
		return nil, 0, fmt.Errorf("%s is the simulation's day (%d blocks) and cannot be set", epoch.Blocks.Name, BlocksPerDay)
	}
	ps[epoch.Blocks.Name] = BlocksPerDay
	if _, ok := ps[reward.SegmentGraceBlocks.Name]; !ok {
		ps[reward.SegmentGraceBlocks.Name] = 0
	}
	var total uint64
	g := app.Genesis{Denom: "upin", Decimals: 6, Authority: a.holders.addr.String(), Params: ps}
	add := func(x ledger.Address, pin uint64, extra uint64) error {
		amt, ok := ledger.MulDiv(pin, upinPerPIN, 1)
		if !ok {
			return fmt.Errorf("genesis allocation of %d PIN overflows", pin)
		}
		if amt, ok = ledger.Add(amt, extra); !ok {
			return fmt.Errorf("genesis allocation of %d PIN overflows", pin)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: x.String(), Amount: amt})
		if total, ok = ledger.Add(total, amt); !ok {
			return fmt.Errorf("genesis supply overflows")
		}
		return nil
	}
	if err := add(a.holders.addr, s.Genesis.Holders, 0); err != nil {
		return nil, 0, err
	}
	if s.Genesis.Treasury > 0 {
		if err := add(reward.Treasury, s.Genesis.Treasury, 0); err != nil {
			return nil, 0, err
		}
	}
	for _, x := range []ledger.Address{a.owners[serving].addr, a.owners[idle].addr, a.consumers.addr, a.oracle.addr} {
		if err := add(x, 0, feeFloat); err != nil {
			return nil, 0, err
		}
	}
	if s.Genesis.Team > 0 {
		if err := add(a.team.addr, s.Genesis.Team, feeFloat); err != nil {
			return nil, 0, err
		}
	}
	sg := chain.StakeGenesis{}
	for i, v := range a.validators {
		if err := add(v.addr, s.Genesis.SelfBond, feeFloat); err != nil {
			return nil, 0, err
		}
		sg.Validators = append(sg.Validators, chain.GenesisValidator{Operator: v.addr.String(),
			PubKey: hex.EncodeToString(sig.PublicOf(a.consensus[i].key)), SelfBond: s.Genesis.SelfBond * upinPerPIN,
			CommissionBps: s.Genesis.CommissionBps, MaxCommissionBps: 10_000, MaxChangeBps: 10_000,
			Moniker: fmt.Sprintf("validator-%d", i)})
	}
	rg := chain.RewardGenesis{Oracles: []chain.GenesisOracle{{Address: a.oracle.addr.String(), Weight: 1}}}
	for _, p := range s.Pools {
		rg.Pools = append(rg.Pools, chain.GenesisPool{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient, Kind: p.Kind})
	}
	sections := map[string]any{
		"device": chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "fleet-maker",
			PubKey: hex.EncodeToString(sig.PublicOf(a.maker.key)), Kinds: []string{fleetKind}}}},
		"reward": rg,
		"stake":  sg,
		"gov":    chain.GovGenesis{Authority: true},
	}
	g.Modules = map[string]json.RawMessage{}
	for name, sec := range sections {
		b, err := json.Marshal(sec)
		if err != nil {
			return nil, 0, err
		}
		g.Modules[name] = b
	}
	raw, err := json.Marshal(g)
	return raw, total, err
}

// fleetKind is the network kind of the simulated fleet's device and of its
// usage: the chain's own coverage kind.
const fleetKind = "coverage"

func newNode(s *Scenario, a *actors) (*node, error) {
	raw, total, err := genesis(s, a)
	if err != nil {
		return nil, fmt.Errorf("tokensim: genesis: %w", err)
	}
	n := &node{app: chain.New(newBackend()), seqs: map[ledger.Address]uint64{}, genesisSupply: total}
	if _, err := n.app.InitChain(chainID, raw); err != nil {
		return nil, fmt.Errorf("tokensim: init chain: %w", err)
	}
	return n, nil
}

func (n *node) state() ledger.Store { return n.app.Committed() }

func (n *node) height() int64 { h, _ := n.app.LastCommit(); return h }

// msg is one router message.
type msg struct {
	typ string
	val []byte
}

func encode(typ string, m proto.Message) msg {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("tokensim: encode %s: %v", typ, err))
	}
	return msg{typ: typ, val: b}
}

// tx is a signed transaction and what it is for.
type tx struct {
	what string
	from ledger.Address
	raw  []byte
}

// sign builds a transaction from one actor paying the minimum fee.
func (n *node) sign(what string, from actor, msgs ...msg) tx {
	body := &txv1.TxBody{ChainId: chainID, Sequence: n.seqs[from.addr], Fee: params.Get(n.state(), bank.MinFee)}
	for _, m := range msgs {
		body.Msgs = append(body.Msgs, &txv1.Msg{Type: m.typ, Value: m.val})
	}
	raw, err := app.BuildTx(from.key, body)
	if err != nil {
		panic(fmt.Sprintf("tokensim: build %s: %v", what, err))
	}
	n.seqs[from.addr]++
	return tx{what: what, from: from.addr, raw: raw}
}

// block executes and commits the next block. Every transaction must
// succeed: the simulation sends only what its model checked it can pay,
// so a failure is a disagreement between the model and the chain's rules
// and stops the run with the chain's code and message.
func (n *node) block(txs ...tx) (*app.BlockResult, error) {
	h := n.height() + 1
	raws := make([][]byte, len(txs))
	for i, t := range txs {
		raws[i] = t.raw
	}
	res, err := n.app.FinalizeBlock(app.Block{Height: h, Time: h * blockNs, Txs: raws})
	if err != nil {
		return nil, fmt.Errorf("tokensim: block %d: %w", h, err)
	}
	if err := n.app.Commit(); err != nil {
		return nil, fmt.Errorf("tokensim: commit %d: %w", h, err)
	}
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK {
			return nil, fmt.Errorf("tokensim: block %d: %s: %v: %s", h, txs[i].what, r.Code, r.Log)
		}
	}
	return res, nil
}
