package coverage_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/agent/coverage"
)

// A device maker's firmware: a key and nonce state on the device's storage,
// a client of the network's ingest service, and reports built and queued as
// the radio works. (coverage.Run does all of this in one call.)
func Example() {
	dir, _ := os.MkdirTemp("", "device")
	defer os.RemoveAll(dir)
	key, err := agent.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	if err := agent.SaveKey(filepath.Join(dir, "key.json"), "sensor-1", key); err != nil {
		log.Fatal(err)
	}
	nonces, err := agent.OpenNonceStore(filepath.Join(dir, "state.json"), 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	b := agent.NewBuilder(key, nonces, nil)

	cfg := agent.DefaultClientConfig()
	cfg.URL = "http://127.0.0.1:9090"
	client, err := agent.NewClient(cfg, agent.ClientOptions{OnResult: func(r agent.Result) {
		if !r.Accepted() {
			log.Printf("report rejected: %v %s", r.Status, r.Message)
		}
	}})
	if err != nil {
		log.Fatal(err)
	}
	_ = client // in firmware: go client.Run(ctx); ent, err := client.GetEntropy(ctx)

	// With the entropy ingest returned, build a beacon and a heartbeat.
	ent := agent.Entropy{Block: agent.BlockRef{Height: 1234}, Window: 180}
	beacon, frame, err := coverage.Beacon(b, ent, coverage.RegionEU868, [4]byte{0xde, 0xad, 0xbe, 0xef})
	if err != nil {
		log.Fatal(err)
	}
	hb, err := coverage.Heartbeat(b, ent, 0x8c1f1d4a8c8a9ff, 3*time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	_, _ = beacon, hb // client.Enqueue(beacon); radio.Transmit(ctx, frame)
	fmt.Println(len(frame.Payload), frame.TxPowerDdBm)
	// Output: 51 160
}
