package ports

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
)

// Ports are drawn from [Low, High), below Linux's ephemeral range (32768
// and up, ip_local_port_range): outgoing connections take their local port
// from that range.
const Low, High = 20_000, 32_000

// handedOut holds the ports returned in this process: a port is free again
// the moment its probe closes, and the next probe may be offered it before
// the process it was meant for binds it.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// Free returns a loopback port nothing listens on now and no earlier call
// in this process returned.
func Free() (int, error) { return Take([]int{0}, 1) }

// Take finds a base such that base+o is free on loopback and was never
// handed out, for every o in offsets (each below span), and marks them
// handed out.
func Take(offsets []int, span int) (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 1000 {
		base := Low + rand.IntN(High-Low-span)
		if !free(base, offsets) {
			continue
		}
		for _, o := range offsets {
			handedOut.ports[base+o] = true
		}
		return base, nil
	}
	return 0, fmt.Errorf("ports: no %d free loopback ports in %d-%d after 1000 draws", len(offsets), Low, High-1)
}

// free reports whether base+o is neither handed out before nor bound now,
// for every o in offsets.
func free(base int, offsets []int) bool {
	for _, o := range offsets {
		if handedOut.ports[base+o] {
			return false
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+o))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}
