package indexertest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"

	"google.golang.org/protobuf/proto"
)

// ChainID is the test chain's id.
const ChainID = "depin-indexertest"

// Fee is what every test transaction pays.
const Fee = 1000

// Balance is each account's genesis balance.
const Balance = 1_000_000_000_000

// BlockInterval is the block time step: 200 ms, the devnet's.
const BlockInterval = 200_000_000

// Chain is a running test chain.
type Chain struct {
	App    *app.App
	Source *indexer.MemSource
	keys   []sig.PrivateKey
	seq    []uint64
	maker  sig.PrivateKey
	height int64
	time   int64
	// Burned sums the fees burned by onboarding and location assertions.
	Burned uint64
	// queryMu serializes Query.
	queryMu sync.Mutex
}

func key(tag string, i int) sig.PrivateKey {
	s := sha256.Sum256([]byte(fmt.Sprintf("indexertest/%s/%d", tag, i)))
	return sig.KeyFromSeed(s[:])
}

// New starts a chain with accounts funded accounts and reward epochs of
// epochBlocks blocks (at least 10).
func New(accounts int, epochBlocks uint64) (*Chain, error) {
	c := &Chain{Source: &indexer.MemSource{}, maker: key("maker", 0), time: 1_700_000_000_000_000_000}
	g := app.Genesis{Denom: "upin", Decimals: 6, Params: map[string]uint64{"epoch.blocks": epochBlocks}}
	var supply uint64
	for i := range accounts {
		c.keys = append(c.keys, key("account", i))
		c.seq = append(c.seq, 0)
		g.Balances = append(g.Balances, app.GenesisBalance{Address: c.Account(i).String(), Amount: Balance})
		supply += Balance
	}
	g.Authority = g.Balances[0].Address
	dg, err := json.Marshal(chain.DeviceGenesis{Makers: []chain.GenesisMaker{{
		Name: "testmaker", PubKey: hex.EncodeToString(sig.PublicOf(c.maker)), Kinds: []string{"coverage", "energy"}, OnboardFee: 1_000_000,
	}}})
	if err != nil {
		return nil, err
	}
	g.Modules = map[string]json.RawMessage{"device": dg}
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	c.App = chain.New(app.NewMemBackend())
	if _, err := c.App.InitChain(ChainID, raw); err != nil {
		return nil, fmt.Errorf("indexertest: init chain: %w", err)
	}
	c.Source.SetGenesis(indexer.Genesis{ChainID: ChainID, Denom: "upin", Decimals: 6, Supply: supply})
	return c, nil
}

// Account is the address of account i.
func (c *Chain) Account(i int) ledger.Address { return ledger.AddressOf(sig.PublicOf(c.keys[i])) }

// Height is the last committed height.
func (c *Chain) Height() int64 { return c.height }

// sign builds account i's next transaction with one message.
func (c *Chain) sign(i int, typ string, value []byte) []byte {
	body := &txv1.TxBody{ChainId: ChainID, Sequence: c.seq[i], Fee: Fee, Msgs: []*txv1.Msg{{Type: typ, Value: value}}}
	c.seq[i]++
	raw, err := app.BuildTx(c.keys[i], body)
	if err != nil {
		panic(err) // marshalling a valid message cannot fail
	}
	return raw
}

// Msg is a transaction of account i carrying one message of type typ.
func (c *Chain) Msg(i int, typ string, m proto.Message) []byte {
	v, err := proto.Marshal(m)
	if err != nil {
		panic(err) // marshalling a valid message cannot fail
	}
	return c.sign(i, typ, v)
}

// Transfer is a bank/send of amount from account from to account to.
func (c *Chain) Transfer(from, to int, amount uint64) []byte {
	v, _ := proto.Marshal(&bankv1.MsgSend{To: func() []byte { a := c.Account(to); return a[:] }(), Amount: amount})
	return c.sign(from, bank.TypeSend, v)
}

// DeviceKey is the key of test device n.
func DeviceKey(n int) sig.PrivateKey { return key("device", n) }

// Device is the address of test device n.
func Device(n int) ledger.Address { return ledger.AddressOf(sig.PublicOf(DeviceKey(n))) }

// Onboard has account owner onboard device n (a coverage hotspot).
func (c *Chain) Onboard(owner, n int) []byte { return c.OnboardKind(owner, n, "coverage") }

// OnboardKind has account owner onboard device n of a kind the test maker
// makes: "coverage" or "energy".
func (c *Chain) OnboardKind(owner, n int, kind string) []byte {
	typ, v := device.Onboard(c.maker, DeviceKey(n), kind, fmt.Sprintf("SN-%06d", n), ChainID, c.Account(owner))
	return c.sign(owner, typ, v)
}

// Locate has account owner assert device n at cell.
func (c *Chain) Locate(owner, n int, cell uint64) []byte { return c.LocateWith(owner, n, cell, nil) }

// LocateWith has account owner assert device n at cell with its kind's
// attributes (an energy meter's, kind/energy.EncodeAttributes).
func (c *Chain) LocateWith(owner, n int, cell uint64, attrs []byte) []byte {
	typ, v := device.AssertLocationMsg(Device(n), cell, attrs)
	return c.sign(owner, typ, v)
}

// Time is the last committed block's time in Unix nanoseconds.
func (c *Chain) Time() int64 { return c.time }

// CityCell returns a resolution-12 cell near Berlin for device n, spread
// over about 20 km.
func CityCell(n int) uint64 {
	lat := int64(524_000_000) + int64(n*7919%2000)*1_000
	lng := int64(132_000_000) + int64(n*104729%3000)*1_000
	cell, err := geo.CellFromLatLng(lat, lng, 12)
	if err != nil {
		panic(err)
	}
	return cell
}

// Commit executes txs as the next block, commits it and appends it to the
// source; it fails if any transaction fails, unless allowFail.
func (c *Chain) Commit(allowFail bool, txs ...[]byte) (*indexer.Block, error) {
	c.height++
	c.time += BlockInterval
	res, err := c.App.FinalizeBlock(app.Block{Height: c.height, Time: c.time, Txs: txs})
	if err != nil {
		return nil, err
	}
	if err := c.App.Commit(); err != nil {
		return nil, err
	}
	h := sha256.Sum256(append([]byte(fmt.Sprint(c.height)), res.AppHash...))
	b := &indexer.Block{Height: c.height, Time: c.time, Hash: strings.ToUpper(hex.EncodeToString(h[:])),
		Proposer: "0000000000000000000000000000000000000001", Events: res.Events, Txs: make([]indexer.Tx, len(txs))}
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK && !allowFail {
			return nil, fmt.Errorf("indexertest: block %d tx %d: code %d: %s", c.height, i, r.Code, r.Log)
		}
		b.Txs[i] = indexer.Tx{Raw: txs[i], Code: uint32(r.Code), Log: r.Log, Events: r.Events}
		for _, e := range r.Events {
			for _, a := range e.Attrs {
				if a.Key == "burned" {
					var v uint64
					fmt.Sscan(a.Value, &v)
					c.Burned += v
				}
			}
		}
	}
	return b, c.Source.Append(b)
}
