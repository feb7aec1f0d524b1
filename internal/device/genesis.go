package device

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// GenesisMaker is a maker registered in genesis (a devnet's dev maker).
type GenesisMaker struct {
	Name       string
	PubKey     []byte
	Kinds      []string
	OnboardFee uint64
}

// GenesisDevice is a device onboarded in genesis. Genesis is agreed by
// every validator, so no signatures are carried and no fee is burned; every
// other rule of onboarding and assertion applies. Location is optional.
type GenesisDevice struct {
	PubKey   []byte
	Kind     string
	Maker    ledger.Address
	Serial   string
	Owner    ledger.Address
	Location *devicev1.Location
}

// InitGenesis registers the genesis makers, then onboards the genesis
// devices, in order, at height 0. Call it after the params genesis: it
// checks names, serials and cells against the current params.
func InitGenesis(st ledger.Store, known Kinds, makers []GenesisMaker, devices []GenesisDevice) error {
	for i, g := range makers {
		mk, e := newMaker(st, known, g.Name, g.PubKey, g.Kinds, g.OnboardFee, 0)
		if e != nil {
			return fmt.Errorf("device: genesis maker %d (%q): %s", i, g.Name, e.Msg)
		}
		writeMaker(st, mk)
	}
	for i, g := range devices {
		if err := genesisDevice(st, known, g); err != nil {
			return fmt.Errorf("device: genesis device %d (%q): %w", i, g.Serial, err)
		}
	}
	return nil
}

func genesisDevice(st ledger.Store, known Kinds, g GenesisDevice) error {
	if g.Owner.IsZero() {
		return fmt.Errorf("owner is the zero address")
	}
	cert := &devicev1.Certificate{Maker: g.Maker[:], DevicePubKey: g.PubKey, Kind: g.Kind, Serial: g.Serial}
	mk, id, e := checkCertificate(st, cert)
	if e != nil {
		return e
	}
	count, ok := ledger.Add(mk.Devices, 1)
	if !ok {
		return fmt.Errorf("maker %q device count overflows", mk.Name)
	}
	mk.Devices = count
	d := &devicev1.Device{
		Id: id[:], PubKey: g.PubKey, Kind: g.Kind, Maker: g.Maker[:], Serial: g.Serial, Owner: g.Owner[:],
	}
	var loc *devicev1.Location
	if g.Location != nil {
		if e := checkLocation(st, known, g.Kind, g.Location.Cell, g.Location.Attributes); e != nil {
			return e
		}
		loc = &devicev1.Location{Cell: g.Location.Cell, Attributes: g.Location.Attributes}
		d.Location = loc
		d.Assertions = 1
	}
	writeOnboard(st, &onboarding{device: d, maker: mk})
	if loc != nil {
		st.Set(locationKey(id, 0), ledger.Encode(loc))
	}
	return nil
}
