package energy

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// testCell is a resolution-9 cell in Berlin; cells near it share its zone.
var testCell = mustCell(525_200_000, 134_050_000, 9)

func mustCell(latE7, lngE7 int64, res int) uint64 {
	c, err := geo.CellFromLatLng(latE7, lngE7, res)
	if err != nil {
		panic(err)
	}
	return c
}

func solar() *energyv1.Attributes {
	return &energyv1.Attributes{RatedPowerW: 5000, BatteryWh: 10_000, MaxChargeW: 4000, GridCell: testCell, FeederId: 7, Renewable: true}
}

func devAddr(i int) ledger.Address {
	var a ledger.Address
	binary.BigEndian.PutUint64(a[12:], uint64(i)+1)
	return a
}

func reportID(i int) [32]byte {
	return sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
}

func defaultKindParams() kind.Params { return kind.Defaults(Specs()) }

// at is the Unix second just after interval i ends (900 s intervals).
func at(i uint64) int64 { return int64((i + 1) * 900) }

func cellRes(c uint64) int { return geo.Resolution(c) }

func mustParent(c uint64, res int) uint64 {
	p, err := geo.Parent(c, res)
	if err != nil {
		panic(err)
	}
	return p
}
