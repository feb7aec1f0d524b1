package dataservice_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/dataservice"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/sig"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAccess runs the chain, ingest with its tap into the data service,
// and a grantee: no grant -> refused; grant -> data and a stream; a
// request replayed, signed by another key, or for a channel not granted
// -> refused; revoke -> refused and the stream ends; a new grant expires
// -> refused. Every request is in the access log.
func TestAccess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g := clienttest.Genesis("authority", 1_000_000_000_000, "owner", "alice", "mallory", "operator")
	maker := clienttest.Key("maker")
	g.Modules = map[string]json.RawMessage{
		"device": mustJSON(t, chain.DeviceGenesis{Makers: []chain.GenesisMaker{{Name: "Stations", PubKey: hex.EncodeToString(sig.PublicOf(maker)), Kinds: []string{"sensor"}}}}),
		"proof":  mustJSON(t, chain.ProofGenesis{Operators: []string{clienttest.Addr("operator").String()}}),
	}
	c, err := clienttest.NewChainWithKinds("data-1", g, chain.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	var blockSec atomic.Int64 // block h is at 1.8e9 + 10 h seconds
	c.SetBlockTime(func(h int64) int64 { s := 1_800_000_000 + 10*h; blockSec.Store(s); return s * 1e9 })
	now := func() time.Time { h, _ := c.App().LastCommit(); return time.Unix(1_800_000_000+10*h, 0) }
	srv := httptest.NewServer(c)
	defer srv.Close()
	rpc, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(who string, typ string, m proto.Message) ledger.Code {
		t.Helper()
		b, _ := proto.Marshal(m)
		res, err := c.Exec(who, clienttest.Msg(typ, b))
		if err != nil {
			t.Fatal(err)
		}
		return res.Code
	}

	// A station onboards and asserts its location and channels.
	dk, _ := agent.KeyFromSeed([]byte("data access test station 0000000"))
	devPriv := sig.KeyFromSeed(dk.Seed())
	typ, val := device.Onboard(maker, devPriv, sensor.Name, "WS-1", c.ChainID(), clienttest.Addr("owner"))
	if res, err := c.Exec("owner", clienttest.Msg(typ, val)); err != nil || res.Code != ledger.CodeOK {
		t.Fatalf("onboard: %v %v", res.Log, err)
	}
	devAddr := ledger.AddressOf(dk.PubKey())
	cell, _ := geo.CellFromLatLng(525200000, 134050000, 12)
	attrs := sensor.EncodeAttributes("WS2000", sensor.ClassStation, []string{"humidity", "temperature"}, nil)
	if code := exec("owner", device.TypeAssertLocation, &devicev1.MsgAssertLocation{Device: devAddr[:], Cell: cell, Attributes: attrs}); code != ledger.CodeOK {
		t.Fatalf("assert location: code %d", code)
	}

	// The data service, fed by ingest's tap.
	dcfg := dataservice.DefaultConfig()
	dcfg.Addr, dcfg.Recheck = "127.0.0.1:0", 20*time.Millisecond
	ds, err := dataservice.New(dcfg, dataservice.ChainGrants{Query: rpc.Query}, now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.Listen(); err != nil {
		t.Fatal(err)
	}
	dsDone := make(chan struct{})
	go func() { defer close(dsDone); _ = ds.Run(ctx) }()
	defer func() { cancel(); <-dsDone; _ = ds.Close() }()

	view := node.ChainView{App: c.App()}
	icfg := ingest.DefaultConfig()
	icfg.DataDir, icfg.ListenAddr = t.TempDir(), "127.0.0.1:0"
	isvc, err := ingest.New(icfg, ingest.Deps{Log: ingest.NewMemLog(1 << 24), Oracles: view, Registry: view, Kinds: chain.Kinds(),
		Entropy: view, Epochs: view, Committer: &node.SegmentCommitter{RPC: rpc, Key: clienttest.Key("operator"), App: c.App()},
		Now: now, Tap: ds.Tap}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ingDone := make(chan struct{})
	go func() { defer close(ingDone); _ = isvc.Run(ctx) }()
	defer func() { cancel(); <-ingDone; _ = isvc.Close() }()

	nonce := uint64(0)
	send := func(temp int64) {
		t.Helper()
		nonce++
		h := view.Height()
		hash, _ := view.BlockHash(h)
		r := sensor.Reading{Mask: 1<<sensor.ChTemperature | 1<<sensor.ChHumidity, Values: [sensor.NumChannels]int64{sensor.ChTemperature: temp, sensor.ChHumidity: 5000}}
		rep := &reportv1.Report{PubKey: dk.PubKey(), Nonce: nonce, Timestamp: now().UnixNano(), Entropy: &reportv1.BlockRef{Height: h, Hash: hash},
			Kind: sensor.Name, Type: sensor.TypeReading, Body: sensor.EncodeReading(&r)}
		sr, err := agent.SignReport(dk, rep)
		if err != nil {
			t.Fatal(err)
		}
		res, err := isvc.Submit(ctx, []*reportv1.SignedReport{sr})
		if err != nil || res[0].GetStatus() != ingestv1.Status_STATUS_ACCEPTED {
			t.Fatalf("submit: %v %v", res, err)
		}
	}
	block := func() {
		t.Helper()
		if _, err := c.Block(); err != nil {
			t.Fatal(err)
		}
	}
	block()
	send(1200)
	send(1210)

	alice := &dataservice.Client{URL: "http://" + ds.Addr(), Key: clienttest.Key("alice"), Now: now}
	temp := []string{"temperature"}
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, dataservice.ErrRefused) {
			t.Errorf("%s: got %v, want refused", what, err)
		}
	}
	_, err = alice.Read(ctx, devAddr, temp, 0)
	refused("no grant", err)

	// A grant to alice for temperature.
	start := now().Unix()
	aliceAddr := clienttest.Addr("alice")
	if code := exec("owner", dataaccess.TypeGrant, &datav1.MsgGrant{Device: devAddr[:], Grantee: aliceAddr[:], Channels: temp, NotBefore: start - 100, NotAfter: start + 1000}); code != ledger.CodeOK {
		t.Fatalf("grant: code %d", code)
	}
	// A forged grant: mallory grants herself the station's data.
	mal := clienttest.Addr("mallory")
	if code := exec("mallory", dataaccess.TypeGrant, &datav1.MsgGrant{Device: devAddr[:], Grantee: mal[:], Channels: temp, NotBefore: start, NotAfter: start + 1000}); code != dataaccess.CodeNotOwner {
		t.Fatalf("forged grant: code %d, want not_owner", code)
	}
	rs, err := alice.Read(ctx, devAddr, temp, 0)
	if err != nil || len(rs) != 2 || rs[0].Values["temperature"] != 1200 || len(rs[0].Values) != 1 {
		t.Fatalf("granted read: %v %+v", err, rs)
	}
	_, err = alice.Read(ctx, devAddr, []string{"humidity"}, 0)
	refused("channel not granted", err)
	mallory := &dataservice.Client{URL: alice.URL, Key: clienttest.Key("mallory"), Now: now}
	_, err = mallory.Read(ctx, devAddr, temp, 0)
	refused("another key", err)

	// A replayed request: the same signed bytes twice.
	req, _ := http.NewRequest(http.MethodGet, alice.URL+"/v1/devices/"+devAddr.String()+"/readings?channel=temperature", nil)
	dataservice.SignRequest(req, clienttest.Key("alice"), now(), "fixed-nonce")
	for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
		resp, err := http.DefaultClient.Do(req.Clone(ctx))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("request %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	// A request whose signature does not match (path changed).
	bad, _ := http.NewRequest(http.MethodGet, alice.URL+"/v1/devices/"+devAddr.String()+"/readings?channel=temperature&since=1", nil)
	bad.Header = req.Header.Clone()
	bad.Header.Set(dataservice.HeaderNonce, "other")
	if resp, err := http.DefaultClient.Do(bad); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged signature: %v %v", resp.StatusCode, err)
	}

	// A stream gets new readings, and ends on revocation.
	got := make(chan dataservice.ReadingView, 16)
	streamDone := make(chan error, 1)
	go func() {
		streamDone <- alice.Stream(ctx, devAddr, temp, 0, func(v dataservice.ReadingView) { got <- v })
	}()
	for range 2 {
		<-got
	}
	send(1250)
	if v := <-got; v.Values["temperature"] != 1250 {
		t.Fatalf("streamed %v", v)
	}
	if code := exec("owner", dataaccess.TypeRevoke, &datav1.MsgRevoke{Id: 1}); code != ledger.CodeOK {
		t.Fatalf("revoke: code %d", code)
	}
	select {
	case err := <-streamDone:
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not end on revocation")
	}
	_, err = alice.Read(ctx, devAddr, temp, 0)
	refused("revoked", err)

	// A short grant expires.
	if code := exec("owner", dataaccess.TypeGrant, &datav1.MsgGrant{Device: devAddr[:], Grantee: aliceAddr[:], Channels: temp, NotBefore: start - 100, NotAfter: now().Unix() + 15}); code != ledger.CodeOK {
		t.Fatalf("grant 2: code %d", code)
	}
	if _, err := alice.Read(ctx, devAddr, temp, 0); err != nil {
		t.Fatalf("grant 2 read: %v", err)
	}
	block()
	block() // 20 s later
	_, err = alice.Read(ctx, devAddr, temp, 0)
	refused("expired", err)

	log := ds.AccessLog()
	allowed := 0
	for _, a := range log {
		if a.Allowed {
			allowed++
		}
	}
	if len(log) < 10 || allowed < 4 {
		t.Errorf("access log: %d entries, %d allowed", len(log), allowed)
	}
	_ = fmt.Sprint
}
