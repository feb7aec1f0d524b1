package client_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

const (
	testChain = "depin-client-test"
	funds     = 1_000_000_000
)

func newNode(t *testing.T) (*clienttest.Chain, *client.Client) {
	t.Helper()
	chain, err := clienttest.NewChain(testChain, clienttest.Genesis("authority", funds, "alice", "bob"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(chain)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = 10 * time.Millisecond
	return chain, c
}

func sendMsg(to ledger.Address, amount uint64) *txv1.Msg {
	v, _ := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: amount})
	return &txv1.Msg{Type: bank.TypeSend, Value: v}
}

func TestNew(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "http://127.0.0.1:26657"},
		{"tcp://127.0.0.1:36657", "http://127.0.0.1:36657"},
		{"127.0.0.1:1234", "http://127.0.0.1:1234"},
		{"https://rpc.example.org/", "https://rpc.example.org"},
	}
	for _, tt := range tests {
		c, err := client.New(tt.in)
		if err != nil || c.URL() != tt.want {
			t.Errorf("New(%q): got %v %v, want %s", tt.in, c, err, tt.want)
		}
	}
	for _, bad := range []string{"ftp://host", "http://", "unix:///tmp/sock"} {
		if _, err := client.New(bad); err == nil {
			t.Errorf("New(%q): got nil error, want one", bad)
		}
	}
}

func TestStatusAndQuery(t *testing.T) {
	chain, c := newNode(t)
	ctx := context.Background()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := chain.App().LastCommit()
	if st.ChainID != testChain || st.Height != h {
		t.Errorf("status: got %+v, want chain %s height %d", st, testChain, h)
	}
	acc, err := c.Account(ctx, clienttest.Addr("alice"))
	if err != nil || acc.Balance != funds || acc.Sequence != 0 {
		t.Errorf("account: got %+v %v, want balance %d sequence 0", acc, err, funds)
	}
	var sup query.Supply
	if err := c.Query(ctx, "/supply", &sup); err != nil || sup.Total != 3*funds {
		t.Errorf("supply: got %+v %v, want total %d", sup, err, 3*funds)
	}
	_, err = c.ABCIQuery(ctx, "/devices/"+clienttest.Addr("alice").String())
	var qe *client.QueryError
	if !errors.As(err, &qe) || qe.Code != query.CodeNotFound || !strings.Contains(err.Error(), "not_found (2): no device") {
		t.Errorf("missing device: got %v, want a not_found QueryError", err)
	}
	// The explorer tells a 404 from a node failure by this method.
	var coded interface{ QueryCode() query.Code }
	if !errors.As(err, &coded) || coded.QueryCode() != query.CodeNotFound {
		t.Errorf("missing device: %v has no not_found QueryCode", err)
	}
	// Query strings survive the quoting of abci_query's path argument.
	var dl query.DeviceList
	if err := c.Query(ctx, `/devices?kind=coverage&limit=3&owner=`+clienttest.Addr("bob").String(), &dl); err != nil || len(dl.Devices) != 0 {
		t.Errorf("device list: got %+v %v, want an empty list", dl, err)
	}
	if err := c.Query(ctx, `/devices?kind="x"`, &dl); err == nil || !strings.Contains(err.Error(), `kind "\"x\""`) {
		t.Errorf("quoted kind: got %v, want bad_request naming the kind", err)
	}
}

func TestSignAndSend(t *testing.T) {
	chain, c := newNode(t)
	ctx := context.Background()
	bob := clienttest.Addr("bob")
	res, err := c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{sendMsg(bob, 1234)}, Fee: 1000, Memo: "hi"})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	h, _ := chain.App().LastCommit()
	if res.Code != 0 || res.Status != "ok" || res.Height != h || len(res.Hash) != 64 {
		t.Errorf("send: got %+v, want ok at height %d", res, h)
	}
	if got := bank.Balance(chain.App().Committed(), bob); got != funds+1234 {
		t.Errorf("bob: got %d, want %d", got, funds+1234)
	}
	// A second send uses the next sequence.
	if _, err := c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{sendMsg(bob, 1)}, Fee: 1000}); err != nil {
		t.Fatalf("second send: %v", err)
	}
	if got := app.Sequence(chain.App().Committed(), clienttest.Addr("alice")); got != 2 {
		t.Errorf("alice sequence: got %d, want 2", got)
	}
	// Rejected by CheckTx: one readable line with the code name.
	res, err = c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{sendMsg(bob, 2*funds)}, Fee: 1000})
	var te *client.TxError
	if !errors.As(err, &te) || te.Stage != "rejected" || te.Code != ledger.CodeInsufficientFunds {
		t.Fatalf("overspend: got %v, want a rejected insufficient_funds TxError", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "tx rejected: insufficient_funds (6): ") || strings.Contains(msg, "\n") ||
		!strings.Contains(msg, clienttest.Addr("alice").String()) {
		t.Errorf("overspend: got message %q", msg)
	}
	if res == nil || res.Code != uint32(ledger.CodeInsufficientFunds) {
		t.Errorf("overspend: got result %+v, want its code", res)
	}
	_, err = c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{sendMsg(bob, 1)}, Fee: 1})
	if !errors.As(err, &te) || te.Code != ledger.CodeFeeTooLow {
		t.Errorf("low fee: got %v, want fee_too_low", err)
	}
	if _, err := c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Fee: 1000}); err == nil {
		t.Errorf("no messages: got nil error")
	}
}

// TestFailedInBlock: a second tx for a queued sequence is refused; a tx
// queued behind one that spends the balance passes CheckTx, fails in the
// block (paying its fee), and WaitTx reports its record.
func TestFailedInBlock(t *testing.T) {
	chain, c := newNode(t)
	ctx := context.Background()
	bob := clienttest.Addr("bob")
	bal, err := c.Account(ctx, clienttest.Addr("alice"))
	if err != nil {
		t.Fatal(err)
	}
	build := func(seq, amount uint64) []byte {
		raw, err := app.BuildTx(clienttest.Key("alice"), &txv1.TxBody{ChainId: testChain, Sequence: seq, Fee: 1000, Msgs: []*txv1.Msg{sendMsg(bob, amount)}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	var hashes []string
	for seq, amount := range []uint64{bal.Balance - 2000, 1} {
		chk, err := c.Broadcast(ctx, build(uint64(seq), amount))
		if err != nil || chk.Code != ledger.CodeOK {
			t.Fatalf("broadcast %d: got %+v %v, want ok", seq, chk, err)
		}
		hashes = append(hashes, chk.Hash)
	}
	if chk, err := c.Broadcast(ctx, build(0, 5)); err != nil || chk.Code != ledger.CodeSequenceUsed {
		t.Fatalf("second tx for sequence 0: got %+v %v, want sequence_used", chk, err)
	}
	if chain.Pending() != 2 {
		t.Fatalf("mempool: got %d, want 2", chain.Pending())
	}
	first, err := c.WaitTx(ctx, hashes[0], 5*time.Second)
	if err != nil || first.Code != 0 {
		t.Fatalf("first: got %+v %v, want ok", first, err)
	}
	second, err := c.WaitTx(ctx, hashes[1], 5*time.Second)
	if err != nil || second.Code != uint32(ledger.CodeInsufficientFunds) || second.Status != "insufficient_funds" || second.Height != first.Height {
		t.Errorf("second: got %+v %v, want insufficient_funds in the same block", second, err)
	}
	chk, err := c.Broadcast(ctx, []byte{0xff, 0x00})
	if err != nil || chk.Code != ledger.CodeMalformed {
		t.Errorf("garbage: got %+v %v, want malformed", chk, err)
	}
}

func TestWaitTxTimeout(t *testing.T) {
	_, c := newNode(t)
	hash := strings.Repeat("AB", 32)
	_, err := c.WaitTx(context.Background(), hash, 100*time.Millisecond)
	if !errors.Is(err, client.ErrTimeout) || !strings.Contains(err.Error(), hash) {
		t.Errorf("got %v, want ErrTimeout naming the hash", err)
	}
	_, err = c.WaitTx(context.Background(), "zz", time.Second)
	if !errors.Is(err, client.ErrBadTxHash) {
		t.Errorf("bad hash: got %v, want ErrBadTxHash at once", err)
	}
}

func TestNodeDown(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	c, _ := client.New(url)
	if _, err := c.Status(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "client: status: ") ||
		!strings.Contains(err.Error(), "depin devnet") {
		t.Errorf("got %v, want a client: status: error that says how to start a node", err)
	}
}
