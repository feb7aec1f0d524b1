package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// benchMaker certifies the synthetic fleet.
var benchMakerPub = sha256.Sum256([]byte("depin/bench/maker"))

// fleetGenesis is the "benchfleet" genesis section.
type fleetGenesis struct {
	Devices int `json:"devices"`
}

// fleetModule onboards the synthetic fleet at genesis through
// device.InitGenesis, the same code path (and checks) as genesis devices:
// devices are coverage radios on the grid of NewFleet, asserted at
// resolution 12, owned by 1,000 owners. Genesis carries no signatures, so
// public keys are hashes, never used to sign. Devices are generated and
// onboarded 10,000 at a time, so the module itself holds little.
func fleetModule() app.Module {
	return app.Module{Name: "benchfleet", InitGenesis: func(st ledger.Store, raw json.RawMessage) error {
		var g fleetGenesis
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		maker := ledger.AddressOf(benchMakerPub[:])
		side := 1
		for side*side < g.Devices {
			side++
		}
		rnd := lcg(42)
		const chunk = 10_000
		devs := make([]device.GenesisDevice, 0, chunk)
		for i := range g.Devices {
			cell, err := gridCell(i, side, &rnd)
			if err != nil {
				return err
			}
			pub := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/bench/memdev"), uint64(i)))
			devs = append(devs, device.GenesisDevice{PubKey: pub[:], Kind: coverage.Name, Maker: maker,
				Serial: "sn-" + strconv.Itoa(i), Owner: fleetAddr("depin/bench/owner", i%1000),
				Location: &devicev1.Location{Cell: cell, Attributes: coverage.EncodeAttributes(12, 5, coverage.RegionEU868)}})
			if len(devs) == chunk || i == g.Devices-1 {
				if err := device.InitGenesis(st, chain.Kinds(), nil, devs); err != nil {
					return err
				}
				devs = devs[:0]
			}
		}
		return nil
	}}
}
