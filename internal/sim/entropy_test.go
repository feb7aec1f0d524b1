package sim

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
)

// TestBeaconPayloadsNotFromSeed is issue 19's test of the simulated
// fleet: two runs with the same seed place the same devices with the same
// keys, but their beacons' payloads differ, because the local entropy mixed
// into a payload comes from crypto/rand (a device once computed future
// beacons from the public seed and witnessed them without hearing them).
func TestBeaconPayloadsNotFromSeed(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Devices = 8
	a, err := Plan(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Plan(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("same seed, %d and %d devices", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i].Key.PubKey(), b[i].Key.PubKey()) || a[i].LatE7 != b[i].LatE7 || a[i].LonE7 != b[i].LonE7 {
			t.Fatalf("device %d: same seed, different key or place", i)
		}
	}
	block := agent.BlockRef{Height: 42, Hash: sha256.Sum256([]byte("block 42"))}
	payloads := func(members []Member) [][]byte {
		var out [][]byte
		for _, m := range members[:4] {
			local, err := beaconLocalEntropy()
			if err != nil {
				t.Fatal(err)
			}
			fr, err := acov.BeaconFrame(m.Key, block, local, cfg.Region)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fr.Payload)
		}
		return out
	}
	pa, pb := payloads(a), payloads(b)
	for i := range pa {
		if bytes.Equal(pa[i], pb[i]) {
			t.Errorf("device %d: two runs with seed %d beacon the same payload %x for the same block", i, cfg.Seed, pa[i])
		}
	}
}
