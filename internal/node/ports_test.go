package node

import (
	"strings"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/depin-network/depin/internal/ports"
)

// TestDefaultPortsDistinct: every service a node can run listens on its own
// default port, so turning services on never makes two of them fight over
// one address (the data service once shared the explorer's).
func TestDefaultPortsDistinct(t *testing.T) {
	ac := DefaultAppConfig()
	cc := cmtcfg.DefaultConfig()
	addrs := map[string]string{
		"api":              ac.API.Listen,
		"oracle":           ac.Oracle.Service.ListenAddr,
		"ingest":           ac.Ingest.Service.ListenAddr,
		"explorer":         ac.Explorer.Listen,
		"storage_provider": ac.StorageProvider.Listen,
		"data":             ac.Data.Service.Addr,
		"rpc":              strings.TrimPrefix(cc.RPC.ListenAddress, "tcp://"),
		"p2p":              strings.TrimPrefix(cc.P2P.ListenAddress, "tcp://"),
		"metrics":          cc.Instrumentation.PrometheusListenAddr,
	}
	seen := map[string]string{}
	for name, a := range addrs {
		i := strings.LastIndex(a, ":")
		if i < 0 {
			t.Fatalf("%s: address %q has no port", name, a)
		}
		port := a[i+1:]
		if other, ok := seen[port]; ok {
			t.Errorf("%s and %s both default to port %s", name, other, port)
		}
		seen[port] = name
	}
}

// freePort returns a loopback port no earlier call returned
// (internal/ports).
func freePort(t *testing.T) int {
	t.Helper()
	p, err := ports.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
