package ports

import (
	"fmt"
	"net"
	"testing"
)

// TestTakeNeverRepeats: ports handed out are in range, bindable, and never
// handed out twice, even once their probes have closed.
func TestTakeNeverRepeats(t *testing.T) {
	seen := map[int]bool{}
	for range 200 {
		p, err := Free()
		if err != nil {
			t.Fatal(err)
		}
		if p < Low || p >= High || seen[p] {
			t.Fatalf("port %d: out of [%d, %d) or handed out twice", p, Low, High)
		}
		seen[p] = true
	}
	base, err := Take([]int{0, 1, 2, 10, 11, 12}, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []int{0, 1, 2, 10, 11, 12} {
		if seen[base+o] {
			t.Fatalf("Take handed out %d again", base+o)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+o))
		if err != nil {
			t.Fatalf("port %d handed out but not bindable: %v", base+o, err)
		}
		l.Close()
	}
}
