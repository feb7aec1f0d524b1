package mobile

import (
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/agent"
	kmobile "github.com/depin-network/depin/internal/kind/mobile"
)

func TestReports(t *testing.T) {
	k, _ := agent.KeyFromSeed([]byte("agent mobile test key 0000000000"))
	ns, err := agent.OpenNonceStore(filepath.Join(t.TempDir(), "nonce"), 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := agent.NewBuilder(k, ns, nil)
	ent := agent.Entropy{Block: agent.BlockRef{Height: 9}}
	hb, err := Heartbeat(b, ent, 525200000, 134050000, true)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := agent.VerifyReport(hb)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := kmobile.DecodeHeartbeat(rep.GetBody()); err != nil || !h.Operational || h.LatE7 != 525200000 {
		t.Fatalf("heartbeat %+v %v", h, err)
	}
	if _, err := Heartbeat(b, ent, 91e7, 0, true); err == nil {
		t.Error("latitude 91 accepted")
	}
	st, err := Speedtest(b, ent, 150e6, 15e6, 25)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ = agent.VerifyReport(st)
	if s, err := kmobile.DecodeSpeedtest(rep.GetBody()); err != nil || s.DownloadBps != 150e6 {
		t.Fatalf("speedtest %+v %v", s, err)
	}
	if _, err := Attributes("W6", "cbrs", 100); err == nil {
		t.Error("cbrs radio accepted")
	}
	if _, err := Attributes("W6", RadioIndoor, 500); err != nil {
		t.Fatal(err)
	}
}
