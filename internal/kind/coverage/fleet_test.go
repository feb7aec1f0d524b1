package coverage

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
)

// Test fleets use the real H3 adapter (internal/geo), never a stand-in.

const (
	t0    = int64(1_760_000_000) * int64(time.Second) // entropy block time
	epoch = int64(24 * time.Hour)
)

func devAddr(n int) ledger.Address {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(n))
	return ledger.AddressOf(b[:])
}

func idOf(parts ...any) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		var b [8]byte
		switch v := p.(type) {
		case int:
			binary.BigEndian.PutUint64(b[:], uint64(v))
			h.Write(b[:])
		case int64:
			binary.BigEndian.PutUint64(b[:], uint64(v))
			h.Write(b[:])
		case string:
			h.Write([]byte(v))
		case ledger.Address:
			h.Write(v[:])
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// fleet is a scenario under construction.
type fleet struct {
	t   tb
	in  Input
	ent Entropy
	// addr, if set, replaces devAddr for placed devices.
	addr func(n int) ledger.Address
}

func newFleet(t tb) *fleet {
	f := &fleet{t: t}
	f.ent = Entropy{Height: 100, Hash: idOf("entropy", 100), Time: t0}
	f.in = Input{
		Epoch:   7,
		Start:   t0 - epoch/2,
		End:     t0 + epoch/2,
		Params:  DefaultParams(),
		Entropy: []Entropy{f.ent},
		// Capacity up front: tests hold pointers to reports while adding more.
		Beacons:   make([]Beacon, 0, 256),
		Witnesses: make([]Witness, 0, 1024),
	}
	return f
}

// place registers device n at a point given as offsets in 1e-7 degrees from
// a base near Berlin, asserted at resolution 12, EU868, gain 1.2 dBi, with
// activity that passes HIP-106 and HIP-17.
func (f *fleet) place(n int, dLatE7, dLngE7 int64) ledger.Address {
	cell, err := geo.CellFromLatLng(525200000+dLatE7, 134050000+dLngE7, 12)
	if err != nil {
		f.t.Fatal(err)
	}
	a := devAddr(n)
	if f.addr != nil {
		a = f.addr(n)
	}
	f.in.Hotspots = append(f.in.Hotspots, Hotspot{
		Device: a, Owner: devAddr(1_000_000 + n), Cell: cell, GainDdBi: 12, ElevationM: 5, Region: RegionEU868,
	})
	f.in.Activity = append(f.in.Activity, Activity{Device: a, LastWitness: t0 - int64(time.Hour), LastBeaconRecip: t0 - int64(7*time.Hour)})
	return a
}

func (f *fleet) hotspot(a ledger.Address) *Hotspot {
	for i := range f.in.Hotspots {
		if f.in.Hotspots[i].Device == a {
			return &f.in.Hotspots[i]
		}
	}
	f.t.Fatalf("no hotspot %s", a)
	return nil
}

func (f *fleet) activity(a ledger.Address) *Activity {
	for i := range f.in.Activity {
		if f.in.Activity[i].Device == a {
			return &f.in.Activity[i]
		}
	}
	f.t.Fatalf("no activity %s", a)
	return nil
}

// beacon adds a well-formed beacon by dev received at t0+offset.
func (f *fleet) beacon(dev ledger.Address, seq int, offset time.Duration) *Beacon {
	local := []byte{byte(seq), byte(seq >> 8), 0xbe, 0xac}
	payload, err := BeaconPayload(f.ent.Hash, local, dev)
	if err != nil {
		f.t.Fatal(err)
	}
	freq, err := BeaconFrequency(RegionEU868, payload)
	if err != nil {
		f.t.Fatal(err)
	}
	f.in.Beacons = append(f.in.Beacons, Beacon{
		ID: idOf("beacon", dev, seq), Device: dev, Received: t0 + int64(offset), Timestamp: t0 + int64(offset),
		EntropyHeight: f.ent.Height, EntropyHash: f.ent.Hash, LocalEntropy: local, Payload: payload,
		FrequencyHz: freq, TxPowerDBm: 16, Region: RegionEU868,
	})
	return &f.in.Beacons[len(f.in.Beacons)-1]
}

// witness adds a plausible witness by dev of beacon b, delay after it.
func (f *fleet) witness(dev ledger.Address, b *Beacon, delay time.Duration) *Witness {
	f.in.Witnesses = append(f.in.Witnesses, Witness{
		ID: idOf("witness", dev, b.ID[:4], int64(delay)), Device: dev, Beaconer: b.Device,
		Received: b.Received + int64(delay), Timestamp: b.Received + int64(delay),
		Payload: b.Payload, FrequencyHz: b.FrequencyHz, SignalDdBm: -1200, SNRcB: 55,
	})
	return &f.in.Witnesses[len(f.in.Witnesses)-1]
}

func (f *fleet) score() Result {
	f.t.Helper()
	res, err := Score(f.in, geo.H3{})
	if err != nil {
		f.t.Fatalf("Score: %v", err)
	}
	return res
}

func findReport(t tb, res Result, role Role, id [32]byte) ReportResult {
	t.Helper()
	for _, r := range res.Reports.All() {
		if r.Role == role && r.ID == id {
			return r
		}
	}
	t.Fatalf("no %s report %x", role, id[:4])
	return ReportResult{}
}

var geoH3 geo.H3

// tb is what the fixtures need from testing.TB and rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}
