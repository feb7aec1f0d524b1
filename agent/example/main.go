// Command example is a device maker's program written outside the depin
// module: it uses only the public SDK (agent, agent/coverage) and the
// public schemas to create a device key, build a heartbeat and a beacon,
// and check their signatures. agent's TestExampleBuilds builds it as its
// own module.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/agent/coverage"
)

func main() {
	dir, err := os.MkdirTemp("", "device")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	key, err := agent.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	var addr agent.Address = key.Address()
	nonces, err := agent.OpenNonceStore(filepath.Join(dir, "state.json"), 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	b := agent.NewBuilder(key, nonces, nil)
	ent := agent.Entropy{Block: agent.BlockRef{Height: 1234}, Window: 180}
	hb, err := coverage.Heartbeat(b, ent, 0x8c1f1d4a8c8a9ff, time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	var region coverage.Region = coverage.RegionEU868
	beacon, frame, err := coverage.Beacon(b, ent, region, [coverage.LocalEntropySize]byte{1, 2, 3, 4})
	if err != nil {
		log.Fatal(err)
	}
	for _, sr := range [][]byte{hb.GetReport(), beacon.GetReport()} {
		if len(sr) == 0 {
			log.Fatal("empty report")
		}
	}
	if _, err := agent.VerifyReport(beacon); err != nil {
		log.Fatal(err)
	}
	fmt.Println(addr, frame.FrequencyHz, len(coverage.Attributes(30, 10, region)))
}
