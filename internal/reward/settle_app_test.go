package reward_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

const chainID = "depin-reward-e2e"

func key(name string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "reward-e2e/"+name)
	return sig.KeyFromSeed(seed)
}

func addrOf(k sig.PrivateKey) ledger.Address { return ledger.AddressOf(sig.PublicOf(k)) }

// node drives the real chain (every module, signed transactions, the
// invariants after every block) in memory.
type node struct {
	t    *testing.T
	a    *app.App
	seqs map[ledger.Address]uint64
}

func (n *node) block(txs ...[]byte) *app.BlockResult {
	n.t.Helper()
	h, _ := n.a.LastCommit()
	res, err := n.a.FinalizeBlock(app.Block{Height: h + 1, Time: (h + 1) * 200_000_000, Txs: txs})
	if err != nil {
		n.t.Fatal(err)
	}
	if err := n.a.Commit(); err != nil {
		n.t.Fatal(err)
	}
	if err := n.a.CheckInvariants(n.a.Committed()); err != nil {
		n.t.Fatalf("height %d: %v", h+1, err)
	}
	return res
}

func (n *node) tx(k sig.PrivateKey, typ string, msg []byte) []byte {
	n.t.Helper()
	a := addrOf(k)
	raw, err := app.BuildTx(k, &txv1.TxBody{ChainId: chainID, Sequence: n.seqs[a], Fee: 1000, Msgs: []*txv1.Msg{{Type: typ, Value: msg}}})
	if err != nil {
		n.t.Fatal(err)
	}
	n.seqs[a]++
	return raw
}

// send runs one transaction in its own block and returns its result code.
func (n *node) send(k sig.PrivateKey, typ string, m proto.Message) ledger.Code {
	n.t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		n.t.Fatal(err)
	}
	r := n.block(n.tx(k, typ, b)).Txs[0]
	if !r.Paid {
		n.seqs[addrOf(k)]-- // it failed before paying its fee: its sequence is unused
	}
	return r.Code
}

func (n *node) height() int64 { h, _ := n.a.LastCommit(); return h }

func TestChainSettlesAndPaysClaims(t *testing.T) {
	auth, maker, op, owner, stranger := key("authority"), key("maker"), key("operator"), key("owner"), key("stranger")
	oracles := []sig.PrivateKey{key("oracle-0"), key("oracle-1"), key("oracle-2")}
	devs := []sig.PrivateKey{key("device-0"), key("device-1")}
	g := app.Genesis{Denom: "upin", Decimals: 6, Authority: addrOf(auth).String(),
		Params: map[string]uint64{epoch.Blocks.Name: 10, reward.SegmentGraceBlocks.Name: 2}}
	for _, k := range append([]sig.PrivateKey{auth, op, owner, stranger}, oracles...) {
		g.Balances = append(g.Balances, app.GenesisBalance{Address: addrOf(k).String(), Amount: 1_000_000_000})
	}
	rg := chain.RewardGenesis{}
	for _, k := range oracles {
		rg.Oracles = append(rg.Oracles, chain.GenesisOracle{Address: addrOf(k).String(), Weight: 1})
	}
	sections := map[string]any{
		"device": chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "acme", PubKey: hex.EncodeToString(sig.PublicOf(maker)), Kinds: []string{"coverage"}}}},
		"proof":  chain.ProofGenesis{Operators: []string{addrOf(op).String()}},
		"reward": rg,
	}
	g.Modules = map[string]json.RawMessage{}
	for name, s := range sections {
		b, _ := json.Marshal(s)
		g.Modules[name] = b
	}
	raw, _ := json.Marshal(g)
	n := &node{t: t, a: chain.New(app.NewMemBackend()), seqs: map[ledger.Address]uint64{}}
	if _, err := n.a.InitChain(chainID, raw); err != nil {
		t.Fatal(err)
	}
	n.block()
	for i, d := range devs {
		typ, msg := device.Onboard(maker, d, "coverage", fmt.Sprintf("SN%d", i), chainID, addrOf(owner))
		if r := n.block(n.tx(owner, typ, msg)); r.Txs[0].Code != ledger.CodeOK {
			t.Fatalf("onboard %d: %v %s", i, r.Txs[0].Code, r.Txs[0].Log)
		}
	}
	seg := &proofv1.MsgCommitSegment{Epoch: 0, Hash: make([]byte, 32), MerkleRoot: make([]byte, 32), Count: 3}
	seg.Hash[0] = 1
	if c := n.send(op, proof.TypeCommitSegment, seg); c != ledger.CodeOK {
		t.Fatalf("commit segment: %v", c)
	}
	if c := n.send(stranger, proof.TypeCommitSegment, seg); c != proof.CodeNotOperator {
		t.Fatalf("segment from a stranger: got %v, want %v", c, proof.CodeNotOperator)
	}
	for n.height() < 12 {
		n.block()
	}
	if _, ok := proof.Entropy(n.a.Committed(), 12); !ok {
		t.Fatalf("no entropy at height 12")
	}
	st := n.a.Committed()
	ep, _ := reward.GetEpoch(st, 0)
	out, err := reward.Compute(reward.Input{Epoch: 0, ScorerVersion: 1, Emission: ep.Emission, Pools: reward.Pools(st),
		Shares: []reward.Share{{Device: addrOf(devs[0]), Pool: "coverage", Units: 2}, {Device: addrOf(devs[1]), Pool: "coverage", Units: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	submit := &rewardv1.MsgSubmitRoot{Epoch: 0, Root: out.Root[:], ScorerVersion: 1, InputsHash: appInputsHash[:], StateHash: appInputsHash[:]}
	for _, p := range out.Pools {
		if p.Name == "coverage" {
			submit.Pools = append(submit.Pools, &rewardv1.PoolPaid{Name: p.Name, Paid: p.Paid})
			submit.DeviceTotal = p.Paid
		}
	}
	if c := n.send(stranger, reward.TypeSubmitRoot, submit); c != reward.CodeNotOracle {
		t.Fatalf("root from a stranger: got %v, want %v", c, reward.CodeNotOracle)
	}
	supply := bank.GetSupply(n.a.Committed()).Total
	for i := 0; i < 2; i++ {
		if c := n.send(oracles[i], reward.TypeSubmitRoot, submit); c != ledger.CodeOK {
			t.Fatalf("oracle %d: %v", i, c)
		}
	}
	if got := bank.GetSupply(n.a.Committed()).Total - supply; got != ep.Emission {
		t.Fatalf("settlement minted %d, want %d", got, ep.Emission)
	}
	p, _ := out.Manifest.Proof(addrOf(devs[0]))
	i, _ := out.Manifest.Find(addrOf(devs[0]))
	dev0 := addrOf(devs[0])
	claim := &rewardv1.MsgClaim{Device: dev0[:], Cumulative: out.Manifest.Entries[i].Cumulative, Index: p.Index, Size: p.Size}
	for _, h := range p.Path {
		claim.Path = append(claim.Path, h[:])
	}
	before := bank.Balance(n.a.Committed(), addrOf(owner))
	if c := n.send(stranger, reward.TypeClaim, claim); c != ledger.CodeOK {
		t.Fatalf("claim: %v", c)
	}
	if got := bank.Balance(n.a.Committed(), addrOf(owner)) - before; got != claim.Cumulative {
		t.Fatalf("owner received %d, want %d", got, claim.Cumulative)
	}
	if c := n.send(stranger, reward.TypeClaim, claim); c != reward.CodeNothingToClaim {
		t.Fatalf("second claim: got %v, want %v", c, reward.CodeNothingToClaim)
	}
}

// appInputsHash stands in for the hash of an epoch's inputs bundle.
var appInputsHash = sha256.Sum256([]byte("test inputs bundle"))
