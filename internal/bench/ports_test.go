package bench

import (
	"testing"

	"github.com/depin-network/depin/internal/ports"
)

// TestPortsNeverHandedOutTwice: freePort and freeBase probe a port by
// listening and closing, after which it is free again; they must still
// never return one port twice in a process (two nodes of one run would
// race for it), and must stay below the kernel's ephemeral range. Without
// the record of handed-out ports, 200 draws from 12000 ports repeat one
// with probability about 0.8.
func TestPortsNeverHandedOutTwice(t *testing.T) {
	seen := map[int]bool{}
	take := func(p int) {
		t.Helper()
		if p < ports.Low || p >= ports.High {
			t.Fatalf("got port %d, want one in [%d, %d)", p, ports.Low, ports.High)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
	for range 200 {
		p, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		take(p)
	}
	for range 20 {
		base, err := freeBase(4)
		if err != nil {
			t.Fatal(err)
		}
		for k := range 4 {
			for d := range 3 {
				take(base + 10*k + d)
			}
		}
	}
}
