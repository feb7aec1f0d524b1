package app

import (
	"encoding/json"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

const testChain = "depin-test"

// testKey derives a deterministic key for tests.
func testKey(i int) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, fmt.Sprintf("test-key-%d", i))
	return sig.KeyFromSeed(seed)
}

func testAddr(i int) ledger.Address { return ledger.AddressOf(sig.PublicOf(testKey(i))) }

// testGenesis funds accounts 0..n-1 with amount each; account 0 is the authority.
func testGenesis(n int, amount uint64) []byte {
	g := Genesis{Denom: "upin", Decimals: 6, Authority: testAddr(0).String()}
	for i := 0; i < n; i++ {
		g.Balances = append(g.Balances, GenesisBalance{Address: testAddr(i).String(), Amount: amount})
	}
	bz, _ := json.Marshal(g)
	return bz
}

func newTestApp(t testing.TB, modules ...Module) *App {
	t.Helper()
	a := New(NewMemBackend(), append([]Module{BankModule()}, modules...)...)
	if _, err := a.InitChain(testChain, testGenesis(10, 1_000_000_000)); err != nil {
		t.Fatal(err)
	}
	runBlock(t, a) // commit genesis, as CometBFT does with block 1
	return a
}

func sendTx(t testing.TB, from int, seq uint64, to ledger.Address, amount uint64) []byte {
	t.Helper()
	m, _ := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: amount})
	raw, err := BuildTx(testKey(from), &txv1.TxBody{ChainId: testChain, Sequence: seq, Fee: 1000, Msgs: []*txv1.Msg{{Type: "bank/send", Value: m}}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func runBlock(t testing.TB, a *App, txs ...[]byte) *BlockResult {
	t.Helper()
	h, _ := a.LastCommit()
	res, err := a.FinalizeBlock(Block{Height: h + 1, Time: (h + 1) * 1e9, Txs: txs})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := a.CheckInvariants(a.Committed()); err != nil {
		t.Fatal(err)
	}
	return res
}
