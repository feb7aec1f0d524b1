package energy_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/agent"
	aenergy "github.com/depin-network/depin/agent/energy"
	menergy "github.com/depin-network/depin/internal/energy"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// A signed read verifies as ingest verifies it, passes the kind's body
// check and travels unchanged inside the chain message.
func TestReadRoundTrip(t *testing.T) {
	key, err := agent.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	nonces, err := agent.OpenNonceStore(t.TempDir()+"/nonce", 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := agent.NewBuilder(key, nonces, func() time.Time { return time.Unix(1_000_000, 0) })
	m := aenergy.Meter{SocWh: 500}
	m.Add(100, 900, 1200)
	sr, err := aenergy.Read(b, agent.Entropy{}, 42, m)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := agent.VerifyReport(sr)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != kenergy.Name || rep.Type != kenergy.TypeRead {
		t.Fatalf("got %s %s, want energy read", rep.Kind, rep.Type)
	}
	if err := (kenergy.Kind{}).CheckReport(rep.Type, rep.Body, rep.PubKey); err != nil {
		t.Fatal(err)
	}
	r, _ := kenergy.DecodeRead(rep.Body)
	if r.Interval != 42 || r.ImportedWh != 100 || r.ExportedWh != 900 || r.ProducedWh != 1200 || r.SocWh != 500 {
		t.Fatalf("got %+v", r)
	}
	typ, raw, err := aenergy.ReadMsg(sr)
	if err != nil {
		t.Fatal(err)
	}
	var msg energyv1.MsgRead
	if err := proto.Unmarshal(raw, &msg); err != nil || typ != "energy/read" {
		t.Fatalf("read message %s: %v", typ, err)
	}
	var back reportv1.SignedReport
	if err := proto.Unmarshal(msg.Report, &back); err != nil || !proto.Equal(&back, sr) {
		t.Fatalf("the chain message carries another report")
	}
	if got := aenergy.Interval(aenergy.IntervalStart(42, 900), 900); got != 42 {
		t.Fatalf("Interval(start of 42) = %d", got)
	}
}

func TestMessageTypes(t *testing.T) {
	for _, c := range [][2]string{{aenergy.TypeAsk, menergy.TypeAsk}, {aenergy.TypeBid, menergy.TypeBid},
		{aenergy.TypeRead, menergy.TypeRead}, {aenergy.TypeRetire, menergy.TypeRetire}} {
		if c[0] != c[1] {
			t.Errorf("SDK type %q, module type %q", c[0], c[1])
		}
	}
}
