package coverage

import "fmt"

// Region is a LoRaWAN regional plan.
type Region uint8

// Regions. Append only.
const (
	RegionUnknown Region = 0
	RegionEU868   Region = 1
	RegionUS915   Region = 2
	RegionAU915   Region = 3
)

// ChannelPlan is the part of a region's parameters the scorer needs: the
// uplink channels beacons are sent on, in Hz, and the highest transmit power
// a beacon may claim, in dBm.
type ChannelPlan struct {
	Name          string
	ChannelsHz    []uint64
	MaxTxPowerDBm int32
}

// Channel plans. Frequencies follow the Helium region parameters
// (helium/proto region params as used by gateway-rs beacons; EU868 in the
// order of iot_verifier/src/poc.rs EU868_PARAMS; US915 sub-band 2, the
// FREQS of blockchain-core blockchain_txn_poc_receipts_v1.erl; AU915 sub-band
// 2). Powers follow LoRaWAN Regional Parameters RP002-1.0.4: EU863-870 max
// EIRP +16 dBm, US902-928 and AU915-928 max conducted power +30 dBm.
var plans = map[Region]ChannelPlan{
	RegionEU868: {
		Name:          "EU868",
		ChannelsHz:    []uint64{868_100_000, 868_300_000, 868_500_000, 867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000},
		MaxTxPowerDBm: 16,
	},
	RegionUS915: {
		Name:          "US915",
		ChannelsHz:    []uint64{903_900_000, 904_100_000, 904_300_000, 904_500_000, 904_700_000, 904_900_000, 905_100_000, 905_300_000},
		MaxTxPowerDBm: 30,
	},
	RegionAU915: {
		Name:          "AU915",
		ChannelsHz:    []uint64{916_800_000, 917_000_000, 917_200_000, 917_400_000, 917_600_000, 917_800_000, 918_000_000, 918_200_000},
		MaxTxPowerDBm: 30,
	},
}

// Plan returns the channel plan of r.
func (r Region) Plan() (ChannelPlan, bool) {
	p, ok := plans[r]
	return p, ok
}

// String returns the region's name ("EU868"), or "unknown".
func (r Region) String() string {
	if p, ok := plans[r]; ok {
		return p.Name
	}
	if r == RegionUnknown {
		return "unknown"
	}
	return fmt.Sprintf("region_%d", uint8(r))
}

// ParseRegion returns the region with the given name.
func ParseRegion(name string) (Region, error) {
	for _, r := range []Region{RegionEU868, RegionUS915, RegionAU915} {
		if plans[r].Name == name {
			return r, nil
		}
	}
	return RegionUnknown, fmt.Errorf("coverage: parse region: unknown region %q", name)
}

// MarshalText renders the region's name.
func (r Region) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a region name.
func (r *Region) UnmarshalText(b []byte) error {
	if string(b) == "unknown" {
		*r = RegionUnknown
		return nil
	}
	v, err := ParseRegion(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
