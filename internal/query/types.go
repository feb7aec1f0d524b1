package query

import (
	"encoding/hex"
	"slices"

	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// Account is the answer of /accounts/{address}.
type Account struct {
	Address string `json:"address"`
	Balance uint64 `json:"balance,string"`
	// Sequence is the sequence the account's next transaction must carry.
	Sequence uint64 `json:"sequence,string"`
	Denom    string `json:"denom"`
	Decimals uint32 `json:"decimals"`
}

// Supply is the answer of /supply.
type Supply struct {
	Denom    string `json:"denom"`
	Decimals uint32 `json:"decimals"`
	Minted   uint64 `json:"minted,string"`
	Burned   uint64 `json:"burned,string"`
	Total    uint64 `json:"total,string"`
}

// Location is one location assertion.
type Location struct {
	// Cell is the H3 cell in lower-case hex.
	Cell       string `json:"cell"`
	Resolution int    `json:"resolution"`
	// Attributes are what the device's kind records with the location
	// (for coverage an encoded depin.kind.coverage.v1.Attributes), in hex.
	Attributes string `json:"attributes"`
	// Height is the block height of the assertion (0 for genesis).
	Height int64 `json:"height,string"`
}

// Device is a registered device, the answer of /devices/{id}.
type Device struct {
	ID                   string    `json:"id"`
	PubKey               string    `json:"pub_key"`
	Kind                 string    `json:"kind"`
	Maker                string    `json:"maker"`
	Serial               string    `json:"serial"`
	Owner                string    `json:"owner"`
	Active               bool      `json:"active"`
	Location             *Location `json:"location,omitempty"`
	Assertions           uint32    `json:"assertions"`
	OnboardedHeight      int64     `json:"onboarded_height,string"`
	DecommissionedHeight int64     `json:"decommissioned_height,string"`
}

// DeviceList is the answer of /devices.
type DeviceList struct {
	Devices     []Device `json:"devices"`
	NextPageKey string   `json:"next_page_key,omitempty"`
}

// LocationList is the answer of /devices/{id}/locations: kept assertions,
// oldest first.
type LocationList struct {
	Device      string     `json:"device"`
	Locations   []Location `json:"locations"`
	NextPageKey string     `json:"next_page_key,omitempty"`
}

// Maker is a registered device maker, the answer of /makers/{id}.
type Maker struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	PubKey           string   `json:"pub_key"`
	Kinds            []string `json:"kinds"`
	OnboardFee       uint64   `json:"onboard_fee,string"`
	RegisteredHeight int64    `json:"registered_height,string"`
	Devices          uint64   `json:"devices,string"`
}

// MakerList is the answer of /makers.
type MakerList struct {
	Makers      []Maker `json:"makers"`
	NextPageKey string  `json:"next_page_key,omitempty"`
}

// Param is one parameter with its current value and bounds.
type Param struct {
	Name    string `json:"name"`
	Value   uint64 `json:"value,string"`
	Default uint64 `json:"default,string"`
	Min     uint64 `json:"min,string"`
	Max     uint64 `json:"max,string"`
	Unit    string `json:"unit"`
	Doc     string `json:"doc"`
}

// Params is the answer of /params, sorted by name.
type Params struct {
	Authority string  `json:"authority"`
	Params    []Param `json:"params"`
}

// Value returns the current value of the named parameter.
func (p Params) Value(name string) (uint64, bool) {
	for _, v := range p.Params {
		if v.Name == name {
			return v.Value, true
		}
	}
	return 0, false
}

// Attr is one attribute of an event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is something a transaction did.
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attributes"`
}

// Tx is a committed transaction's result as CometBFT's kv indexer keeps
// it: the answer of the JSON API's /v1/txs/{hash} and of client.Tx.
type Tx struct {
	Hash   string  `json:"hash"`
	Height int64   `json:"height,string"`
	Index  int     `json:"index"`
	Code   uint32  `json:"code"`
	Status string  `json:"status"`
	Log    string  `json:"log,omitempty"`
	Events []Event `json:"events,omitempty"`
}

func addrString(b []byte) string {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		return hex.EncodeToString(b)
	}
	return a.String()
}

func locationOf(l *devicev1.Location) Location {
	return Location{
		Cell: device.CellString(l.Cell), Resolution: device.CellResolution(l.Cell),
		Attributes: hex.EncodeToString(l.Attributes), Height: l.Height,
	}
}

func deviceOf(d *devicev1.Device) Device {
	out := Device{
		ID: addrString(d.Id), PubKey: hex.EncodeToString(d.PubKey), Kind: d.Kind,
		Maker: addrString(d.Maker), Serial: d.Serial, Owner: addrString(d.Owner), Active: device.IsActive(d),
		Assertions: d.Assertions, OnboardedHeight: d.OnboardedHeight, DecommissionedHeight: d.DecommissionedHeight,
	}
	if d.Location != nil {
		l := locationOf(d.Location)
		out.Location = &l
	}
	return out
}

func makerOf(m *devicev1.Maker) Maker {
	out := Maker{
		ID: addrString(m.Id), Name: m.Name, PubKey: hex.EncodeToString(m.PubKey), Kinds: slices.Clone(m.Kinds),
		OnboardFee: m.OnboardFee, RegisteredHeight: m.RegisteredHeight, Devices: m.Devices,
	}
	return out
}
