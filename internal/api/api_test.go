package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

const testChain = "depin-api-test"

// newChain builds a chain with a maker and one device of alice's at a cell.
// source is a node's API source: the app's state and the chain's tx index
// (CometBFT's kv indexer on a node).
type source struct {
	*app.App
	chain *clienttest.Chain
}

func (s source) Tx(ctx context.Context, hash []byte) (query.Tx, bool, error) {
	return s.chain.Tx(ctx, hash)
}

func newChain(t *testing.T) (*clienttest.Chain, ledger.Address) {
	t.Helper()
	c, err := clienttest.NewChain(testChain, clienttest.Genesis("authority", 1_000_000_000, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	dev := clienttest.Key("device-1")
	id := ledger.AddressOf(sig.PublicOf(dev))
	steps := []struct {
		who string
		msg *txv1.Msg
	}{
		{"authority", clienttest.Msg(device.RegisterMakerMsg("Acme", sig.PublicOf(clienttest.Key("maker")), []string{"coverage"}, 0))},
		{"alice", clienttest.Msg(device.Onboard(clienttest.Key("maker"), dev, "coverage", "SN1", testChain, clienttest.Addr("alice")))},
		{"alice", clienttest.Msg(device.AssertLocationMsg(id, 0x8c3933676d081ff, coverage.EncodeAttributes(30, 5, coverage.RegionEU868)))},
	}
	for _, s := range steps {
		r, err := c.Exec(s.who, s.msg)
		if err != nil || r.Code != ledger.CodeOK {
			t.Fatalf("%s: got %v %v (%s), want ok", s.msg.Type, err, r.Code, r.Log)
		}
	}
	return c, id
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: got content type %q, want application/json", url, ct)
	}
	return resp.StatusCode, body
}

func TestRoutes(t *testing.T) {
	c, id := newChain(t)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), source{c.App(), c}, nil))
	defer srv.Close()
	alice := clienttest.Addr("alice").String()
	tests := []struct {
		path     string
		status   int
		contains string
	}{
		{"/v1/accounts/" + alice, 200, `"address":"` + alice + `"`},
		{"/v1/supply", 200, `"denom":"upin"`},
		{"/v1/devices/" + id.String(), 200, `"cell":"8c3933676d081ff"`},
		{"/v1/devices?owner=" + alice, 200, `"id":"` + id.String() + `"`},
		{"/v1/devices?cell=8c3933676d081ff&kind=coverage", 200, `"serial":"SN1"`},
		{"/v1/devices?kind=sensor", 200, `"devices":[]`},
		{"/v1/devices/" + id.String() + "/locations", 200, `"attributes":"081e10051a054555383638"`},
		{"/v1/makers", 200, `"name":"Acme"`},
		{"/v1/makers/" + clienttest.Addr("maker").String(), 200, `"kinds":["coverage"]`},
		{"/v1/params", 200, `"name":"bank.min_fee"`},
		{"/v1/accounts/pin1nope", 400, `"status":"bad_request"`},
		{"/v1/devices?limit=5000", 400, `"code":1`},
		{"/v1/devices/" + alice, 404, `"status":"not_found"`},
		{"/v1/txs/" + strings.Repeat("00", 32), 404, `"error":"no tx`},
		{"/v1/txs/00", 400, `"status":"bad_request"`},
		{"/v1/nothing", 404, `"status":"unknown_path"`},
		{"/elsewhere", 404, `"status":"unknown_path"`},
	}
	for _, tt := range tests {
		status, body := get(t, srv.URL+tt.path)
		if status != tt.status || !strings.Contains(string(body), tt.contains) {
			t.Errorf("%s: got %d %s, want %d containing %s", tt.path, status, body, tt.status, tt.contains)
		}
		if !json.Valid(body) {
			t.Errorf("%s: body is not JSON: %s", tt.path, body)
		}
	}
}

// TestSameAsQuery: the API body of each route is the query router's body.
func TestSameAsQuery(t *testing.T) {
	c, id := newChain(t)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), source{c.App(), c}, nil))
	defer srv.Close()
	for _, p := range []string{"/supply", "/devices/" + id.String(), "/devices?limit=1", "/params", "/makers"} {
		want, code, msg := query.Handle(c.App().Committed(), c.App(), p)
		if code != 0 {
			t.Fatalf("%s: query got %d (%s)", p, code, msg)
		}
		_, got := get(t, srv.URL+"/v1"+p)
		if strings.TrimSpace(string(got)) != string(want) {
			t.Errorf("%s: got %s, want %s", p, got, want)
		}
	}
}

func TestStatusAndTx(t *testing.T) {
	c, _ := newChain(t)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), source{c.App(), c}, nil))
	defer srv.Close()
	r, err := c.Exec("alice", clienttest.Msg(device.TransferMsg(clienttest.Addr("nobody"), clienttest.Addr("bob"))))
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, srv.URL+"/v1/status")
	var st api.Status
	if err := json.Unmarshal(body, &st); err != nil || status != 200 {
		t.Fatalf("status: got %d %s (%v)", status, body, err)
	}
	h, hash := c.App().LastCommit()
	if st.ChainID != testChain || st.Height != h || st.AppHash != fmt.Sprintf("%X", hash) {
		t.Errorf("status: got %+v, want chain %s height %d hash %X", st, testChain, h, hash)
	}
	status, body = get(t, srv.URL+fmt.Sprintf("/v1/txs/%x", r.Hash))
	var tx query.Tx
	if err := json.Unmarshal(body, &tx); err != nil || status != 200 {
		t.Fatalf("tx: got %d %s (%v)", status, body, err)
	}
	if tx.Code != uint32(ledger.CodeUnknownDevice) || tx.Status != "unknown_device" || tx.Height != h {
		t.Errorf("tx: got %+v, want the failed transfer at height %d", tx, h)
	}
}

func TestReadOnly(t *testing.T) {
	c, _ := newChain(t)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), source{c.App(), c}, nil))
	defer srv.Close()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(m, srv.URL+"/v1/supply", strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: got %d (Allow %q), want 405", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

func TestRunAndClose(t *testing.T) {
	c, _ := newChain(t)
	s := api.New(api.Config{Listen: "127.0.0.1:0"}, c.App(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var addr string
	for i := 0; i < 500 && addr == ""; i++ {
		if a := s.Addr(); a != nil {
			addr = a.String()
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if addr == "" {
		t.Fatal("server did not start listening")
	}
	if status, _ := get(t, "http://"+addr+"/v1/status"); status != 200 {
		t.Errorf("status: got %d, want 200", status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: got %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := http.Get("http://" + addr + "/v1/status"); err == nil {
		t.Errorf("after close: got an answer, want connection refused")
	}
	bad := api.New(api.Config{Listen: "256.0.0.1:1"}, c.App(), nil)
	if err := bad.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "api: listen") {
		t.Errorf("bad address: got %v, want a listen error", err)
	}
}
