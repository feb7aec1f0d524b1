package node

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
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

// handedOut holds the ports freePort returned in this test process, so it
// never hands out one twice: a port is free again the moment freePort
// closes its probe, and the kernel may offer it to the next caller before
// the node that was given it binds it.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePort returns an unused loopback port that no earlier call returned,
// drawn below Linux's ephemeral range (32768 and up), so that outgoing
// connections cannot take it before the node it is meant for binds it.
func freePort(t *testing.T) int {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if handedOut.ports[port] {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		handedOut.ports[port] = true
		return port
	}
	t.Fatalf("free port: no unused loopback port in 20000-31999 after 1000 draws")
	return 0
}
