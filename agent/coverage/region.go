package coverage

import (
	"slices"

	kcov "github.com/depin-network/depin/internal/kind/coverage"
)

// Region is a LoRaWAN regional plan.
type Region uint8

// Regions (the values of the network's coverage kind).
const (
	RegionUnknown = Region(kcov.RegionUnknown)
	RegionEU868   = Region(kcov.RegionEU868)
	RegionUS915   = Region(kcov.RegionUS915)
	RegionAU915   = Region(kcov.RegionAU915)
)

// ChannelPlan is a region's uplink channels in Hz and the highest transmit
// power a beacon may claim, in dBm.
type ChannelPlan struct {
	Name          string
	ChannelsHz    []uint64
	MaxTxPowerDBm int32
}

// Plan returns the channel plan of r.
func (r Region) Plan() (ChannelPlan, bool) {
	p, ok := kcov.Region(r).Plan()
	return ChannelPlan{Name: p.Name, ChannelsHz: slices.Clone(p.ChannelsHz), MaxTxPowerDBm: p.MaxTxPowerDBm}, ok
}

// String returns the region's name ("EU868"), or "unknown".
func (r Region) String() string { return kcov.Region(r).String() }

// ParseRegion returns the region with the given name.
func ParseRegion(name string) (Region, error) {
	r, err := kcov.ParseRegion(name)
	return Region(r), err
}

// MarshalText renders the region's name.
func (r Region) MarshalText() ([]byte, error) { return kcov.Region(r).MarshalText() }

// UnmarshalText parses a region name.
func (r *Region) UnmarshalText(b []byte) error {
	var v kcov.Region
	if err := v.UnmarshalText(b); err != nil {
		return err
	}
	*r = Region(v)
	return nil
}

// Attributes returns the bytes a coverage device asserts with its
// location (device/assert-location): its antenna gain in tenths of dBi,
// its elevation in metres and its region.
func Attributes(gainDdBi, elevationM int32, r Region) []byte {
	return kcov.EncodeAttributes(gainDdBi, elevationM, kcov.Region(r))
}
