package chain_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// storageFixture is a chain with one storage lease (alice's, with prov) and
// the shard its deal will hold.
type storageFixture struct {
	*marketNode
	m      *content.Manifest
	shard  []byte
	tree   *merkle.Tree
	leaseN uint64
	// lastWindow is the last window toWindow stopped in.
	lastWindow uint64
}

var storageParams = map[string]uint64{"storage.proof_period_blocks": 10, "storage.proof_window_blocks": 5,
	"storage.ack_timeout_blocks": 5}

func newStorageFixture(t *testing.T) *storageFixture {
	t.Helper()
	return newStorageFixtureOn(t, newMarketNode(t, storageParams))
}

func newStorageFixtureOn(t *testing.T, n *marketNode) *storageFixture {
	t.Helper()
	data := bytes.Repeat([]byte("depin storage "), 3000)
	bufs := []*bytes.Buffer{new(bytes.Buffer), new(bytes.Buffer)}
	m, err := content.Encode(bytes.NewReader(data), uint64(len(data)), content.Options{K: 1, N: 2, SegmentSize: 8192, LeafSize: 256},
		[]io.Writer{bufs[0], bufs[1]})
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := content.ShardLeaves(m, 0, bytes.NewReader(bufs[0].Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	f := &storageFixture{marketNode: n, m: m, shard: bufs[0].Bytes(), tree: merkle.NewTree(leaves)}
	prov := addrFor("prov")
	n.block(n.tx("prov", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:1"})}),
		n.tx("alice", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 1_000, Deposit: 1_000_000})}))
	n.block(n.tx("prov", msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: 1, Price: 10, Collateral: 500_000})}))
	n.block(n.tx("alice", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: 1, Provider: prov[:]})}))
	f.leaseN = 1
	return f
}

func (f *storageFixture) createDeal() *storagev1.MsgCreateDeal {
	cid := f.m.CID()
	return &storagev1.MsgCreateDeal{Lease: f.leaseN, Cid: cid[:], Shard: 0, Root: f.m.Roots[0][:], ShardSize: f.m.ShardSize(), LeafSize: f.m.LeafSize}
}

// expect runs one transaction in its own block and checks its code.
func (f *storageFixture) expect(signer string, code ledger.Code, typ string, m []byte) *app.BlockResult {
	f.t.Helper()
	res := finalize(f.t, f.a, [][]byte{f.tx(signer, msg{typ, m})})
	if got := res.Txs[0].Code; got != code {
		f.t.Fatalf("%s by %s: code %s (%s), want %s", typ, signer, got, res.Txs[0].Log, code)
	}
	return res
}

// proof answers the open window's challenge for the deal, honestly.
func (f *storageFixture) proof() *storagev1.Proof {
	f.t.Helper()
	var w storage.WindowView
	queryJSON(f.t, f.a, "/storage/challenges/"+addrFor("prov").String(), &w)
	if !w.Open || len(w.Challenges) != 1 {
		f.t.Fatalf("no open challenge at height %d: %+v", f.height(), w)
	}
	c := w.Challenges[0]
	p, err := content.Prove(f.tree, bytes.NewReader(f.shard), f.m.LeafSize, c.Index)
	if err != nil {
		f.t.Fatal(err)
	}
	out := &storagev1.Proof{Deal: c.Deal, Window: c.Window, Index: c.Index, Leaf: p.Leaf}
	for _, h := range p.Path {
		out.Path = append(out.Path, append([]byte(nil), h[:]...))
	}
	return out
}

// toWindow advances to the first height that takes proofs in a window.
func (f *storageFixture) toWindow() {
	first := uint64(0)
	if d, ok := storage.GetDeal(f.a.Committed(), f.leaseN); ok {
		first = d.FirstWindow
	}
	for {
		if w, ok := storage.WindowAt(f.a.Committed(), f.height()+1); ok && w.Number >= first && w.Number > f.lastWindow {
			f.lastWindow = w.Number
			return
		}
		f.block()
	}
}

func (f *storageFixture) deal() *storagev1.Deal {
	d, ok := storage.GetDeal(f.a.Committed(), f.leaseN)
	if !ok {
		f.t.Fatalf("no deal %d", f.leaseN)
	}
	return d
}

func prove(ps ...*storagev1.Proof) []byte { return mustMarshal(&storagev1.MsgProve{Proofs: ps}) }

func TestStorageDealLifecycle(t *testing.T) {
	f := newStorageFixture(t)
	prov, alice := addrFor("prov"), addrFor("alice")
	// Bad input first: each changes nothing.
	big := f.createDeal()
	big.ShardSize = 2 * storage.MiB
	f.expect("alice", storage.CodeShardTooLarge, storage.TypeCreateDeal, mustMarshal(big))
	bad := f.createDeal()
	bad.LeafSize = 100
	f.expect("alice", storage.CodeBadLayout, storage.TypeCreateDeal, mustMarshal(bad))
	f.expect("bob", ledger.CodeUnauthorized, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("alice", storage.CodeUnknownDeal, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))

	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("alice", storage.CodeDealExists, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("alice", storage.CodeNotProvider, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	before := bank.Balance(f.a.Committed(), prov)
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	st := f.a.Committed()
	d := f.deal()
	if d.State != storagev1.DealState_DEAL_STATE_ACTIVE || d.Collateral != 100_000 || before-bank.Balance(st, prov) != 100_000+1_000 {
		t.Fatalf("after ack: %+v, provider paid %d", d, before-bank.Balance(st, prov))
	}
	if l, _ := market.GetLease(st, 1); l.StartHeight != f.height() {
		t.Fatalf("the lease starts at %d, the ack was at %d", l.StartHeight, f.height())
	}

	// Three honest windows.
	for range 3 {
		f.toWindow()
		p := f.proof()
		wrong := proto.Clone(p).(*storagev1.Proof)
		wrong.Index = (p.Index + 1) % f.m.Leaves()
		f.expect("prov", storage.CodeWrongLeaf, storage.TypeProve, prove(wrong))
		f.expect("alice", storage.CodeNotProvider, storage.TypeProve, prove(p))
		f.expect("prov", ledger.CodeOK, storage.TypeProve, prove(p))
		f.expect("prov", storage.CodeAlreadyProven, storage.TypeProve, prove(p))
	}
	if d := f.deal(); d.ProofsPassed != 3 || d.ProofsMissed != 0 || d.CollateralLeft != 100_000 {
		t.Fatalf("after 3 proofs: %+v", d)
	}
	// A proof after its window closed.
	f.toWindow()
	late := f.proof()
	for {
		if _, ok := storage.WindowAt(f.a.Committed(), f.height()+1); !ok {
			break
		}
		f.block()
	}
	f.expect("prov", storage.CodeWindowNotOpen, storage.TypeProve, prove(late))
	d = f.deal()
	if d.ProofsMissed != 1 || d.CollateralLeft != 90_000 || d.SlashedToOwner != 5_000 || d.Burned != 5_000 {
		t.Fatalf("after a missed window: %+v", d)
	}
	// A wrong proof: the right index, a corrupted leaf.
	f.toWindow()
	p := f.proof()
	p.Leaf[0] ^= 1
	aliceBefore := bank.Balance(f.a.Committed(), alice)
	res := f.expect("prov", ledger.CodeOK, storage.TypeProve, prove(p))
	if d := f.deal(); d.ProofsWrong != 1 || d.CollateralLeft != 65_000 || d.MissedInRow != 2 {
		t.Fatalf("after a wrong proof: %+v", d)
	}
	if got := bank.Balance(f.a.Committed(), alice) - aliceBefore; got != 12_500 {
		t.Fatalf("owner got %d of the wrong-proof slash, want 12,500", got)
	}
	if !hasEvent(res, "storage.reputation", "reason", "wrong_proof") {
		t.Fatalf("no reputation event for the wrong proof: %+v", res.Events)
	}
	// The third failure in a row closes the deal; the lease refunds alice.
	for f.deal().State == storagev1.DealState_DEAL_STATE_ACTIVE {
		f.block()
	}
	d = f.deal()
	l, _ := market.GetLease(f.a.Committed(), 1)
	if d.CloseReason != storage.CloseFaulty || d.ProofsMissed != 2 || l.State != marketv1.LeaseState_LEASE_STATE_CLOSED ||
		l.CloseReason != market.ReasonStorageFault || l.Refunded == 0 {
		t.Fatalf("after three failures: deal %+v, lease %+v", d, l)
	}
	var rv storage.ReputationView
	queryJSON(t, f.a, "/storage/providers/"+prov.String(), &rv)
	if rv.Outcomes != 6 || rv.ScorePPM >= storage.ScaleOne || rv.Status != "vetting" {
		t.Fatalf("reputation %+v", rv)
	}
	var dv []storage.DealView
	queryJSON(t, f.a, "/storage/cids/"+f.m.CID().String(), &dv)
	if len(dv) != 1 || dv[0].CloseReason != "faulty" {
		t.Fatalf("deals of the cid: %+v", dv)
	}
	other := content.CID{1}
	if _, code, _ := query.Handle(f.a.Committed(), f.a, "/storage/cids/"+other.String()); code != uint32(ledger.QueryNotFound) {
		t.Fatalf("unknown cid: code %d", code)
	}
}

func TestStorageAckTimeoutRefunds(t *testing.T) {
	f := newStorageFixture(t)
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	for range 6 {
		f.block()
	}
	f.expect("prov", storage.CodeDealNotPending, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	l, _ := market.GetLease(f.a.Committed(), 1)
	if d := f.deal(); d.CloseReason != storage.CloseNotAcknowledged || l.CloseReason != market.ReasonNotAcknowledged {
		t.Fatalf("deal %+v lease %+v", d, l)
	}
}

func TestStorageProviderEndsLeaseEarly(t *testing.T) {
	f := newStorageFixture(t)
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	f.expect("prov", ledger.CodeOK, market.TypeCloseLease, mustMarshal(&marketv1.MsgCloseLease{Lease: 1}))
	for f.deal().State == storagev1.DealState_DEAL_STATE_ACTIVE {
		f.block()
	}
	if d := f.deal(); d.CloseReason != storage.CloseProviderEnded || d.CollateralLeft != 50_000 {
		t.Fatalf("deal %+v", d)
	}
}

func hasEvent(res *app.BlockResult, typ, k, v string) bool {
	for _, tx := range res.Txs {
		for _, e := range tx.Events {
			if e.Type != typ {
				continue
			}
			for _, a := range e.Attrs {
				if a.Key == k && a.Value == v {
					return true
				}
			}
		}
	}
	return false
}

// TestStoragePoolPaysProvenBytes: an epoch's storage availability pool is
// forwarded to the storage module when the epoch settles and paid to the
// provider for the bytes it proved, with its reason.
func TestStoragePoolPaysProvenBytes(t *testing.T) {
	ps := map[string]uint64{"epoch.blocks": 40, "reward.segment_grace_blocks": 0}
	for k, v := range storageParams {
		ps[k] = v
	}
	a := chain.New(app.NewMemBackend())
	var bals []app.GenesisBalance
	for _, n := range []string{"authority", "alice", "bob", "prov", "oracle"} {
		bals = append(bals, app.GenesisBalance{Address: addrFor(n).String(), Amount: 1_000_000_000_000})
	}
	rg, _ := json.Marshal(chain.RewardGenesis{
		Oracles: []chain.GenesisOracle{{Address: addrFor("oracle").String(), Weight: 1}},
		Pools: []chain.GenesisPool{
			{Name: "coverage", Bps: 7_000, Recipient: "devices", Kind: "coverage"},
			{Name: "storage", Bps: 1_000, Recipient: "storage"},
			{Name: "oracles", Bps: 700, Recipient: "oracles"},
			{Name: "treasury", Bps: 1_300, Recipient: "treasury"},
		},
	})
	gen, _ := json.Marshal(app.Genesis{Denom: "upin", Decimals: 6, Authority: addrFor("authority").String(), Balances: bals,
		Params: ps, Modules: map[string]json.RawMessage{"reward": rg}})
	if _, err := a.InitChain(marketChain, gen); err != nil {
		t.Fatal(err)
	}
	f := newStorageFixtureOn(t, &marketNode{t: t, a: a, seqs: map[string]uint64{}})
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	for f.height() < 35 {
		f.toWindow()
		if f.height() >= 35 {
			break
		}
		f.expect("prov", ledger.CodeOK, storage.TypeProve, prove(f.proof()))
	}
	for f.height() < 41 {
		f.block()
	}
	st := f.a.Committed()
	shares, unpaid := storage.PoolShares(st, 0, 1_000_000)
	if len(shares) != 1 || shares[0].Provider != addrFor("prov") || shares[0].Bytes == 0 || shares[0].Reason != "proven" ||
		shares[0].Paid+unpaid != 1_000_000 {
		t.Fatalf("pool shares %+v, unpaid %d", shares, unpaid)
	}
	before := bank.Balance(st, addrFor("prov"))
	zero := make([]byte, 32)
	res := f.block(f.tx("oracle", msg{reward.TypeSubmitRoot, mustMarshal(&rewardv1.MsgSubmitRoot{Epoch: 0, Root: zero, InputsHash: zero, StateHash: zero,
		Pools: []*rewardv1.PoolPaid{{Name: "coverage", Paid: 0}}})}))
	if !hasEvent(res, "storage.pool_share", "reason", "proven") {
		t.Fatalf("no storage.pool_share event: %+v", res.Txs[0].Events)
	}
	ep, _ := reward.GetEpoch(f.a.Committed(), 0)
	slice := ep.Emission / 10
	if got := bank.Balance(f.a.Committed(), addrFor("prov")) - before; got == 0 || got > slice {
		t.Fatalf("provider earned %d of the storage pool's %d", got, slice)
	}
}
