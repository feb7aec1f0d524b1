package energy

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/agent"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Kind is the network kind energy devices register with.
const Kind = kenergy.Name

// The energy market's message types (internal/energy).
const (
	TypeAsk    = "energy/ask"
	TypeBid    = "energy/bid"
	TypeRead   = "energy/read"
	TypeRetire = "energy/retire"
)

// Attributes are what a meter asserts with its location.
type Attributes struct {
	// RatedPowerW is the connection's rated power.
	RatedPowerW uint64
	// BatteryWh and MaxChargeW describe the battery (both 0 without one).
	BatteryWh  uint64
	MaxChargeW uint64
	// GridCell is the grid connection point as an H3 cell; FeederID the
	// distribution feeder it is on.
	GridCell uint64
	FeederID uint64
	// Renewable says the production is renewable (solar, wind).
	Renewable bool
}

// Encode returns the attributes' canonical bytes for device/assert-location.
func (a Attributes) Encode() []byte {
	return kenergy.EncodeAttributes(&kenergyv1.Attributes{RatedPowerW: a.RatedPowerW, BatteryWh: a.BatteryWh,
		MaxChargeW: a.MaxChargeW, GridCell: a.GridCell, FeederId: a.FeederID, Renewable: a.Renewable})
}

// Meter holds a meter's cumulative counters in Wh and its battery's state
// of charge. Counters only grow.
type Meter struct {
	ImportedWh uint64
	ExportedWh uint64
	ProducedWh uint64
	SocWh      uint64
}

// Add accumulates one interval's energy.
func (m *Meter) Add(importedWh, exportedWh, producedWh uint64) {
	m.ImportedWh += importedWh
	m.ExportedWh += exportedWh
	m.ProducedWh += producedWh
}

// Body returns the read of interval iv with the meter's counters.
func (m Meter) Body(iv uint64) *kenergyv1.Read {
	return &kenergyv1.Read{Interval: iv, ImportedWh: m.ImportedWh, ExportedWh: m.ExportedWh, ProducedWh: m.ProducedWh, SocWh: m.SocWh}
}

// Read builds and signs the read closing interval iv.
func Read(b *agent.Builder, ent agent.Entropy, iv uint64, m Meter) (*reportv1.SignedReport, error) {
	return ReadBody(b, ent, m.Body(iv))
}

// ReadBody signs a read body as it is (the simulated adversaries' way to
// send reads a honest meter would not).
func ReadBody(b *agent.Builder, ent agent.Entropy, r *kenergyv1.Read) (*reportv1.SignedReport, error) {
	sr, err := b.Build(ent, Kind, kenergy.TypeRead, r)
	if err != nil {
		return nil, fmt.Errorf("agent: energy: read %d: %w", r.Interval, err)
	}
	return sr, nil
}

// ReadMsg is the energy/read message committing a signed read on chain.
func ReadMsg(sr *reportv1.SignedReport) (string, []byte, error) {
	raw, err := proto.Marshal(sr)
	if err != nil {
		return "", nil, fmt.Errorf("agent: energy: read message: %w", err)
	}
	return marshal(TypeRead, &energyv1.MsgRead{Report: raw})
}

// AskMsg sells wh of device's export in interval iv at no less than price
// upin per kWh.
func AskMsg(device ledger.Address, iv, wh, price uint64) (string, []byte, error) {
	return marshal(TypeAsk, &energyv1.MsgAsk{Device: device[:], Interval: iv, Wh: wh, Price: price})
}

// BidMsg buys wh for device's import in interval iv at no more than price
// upin per kWh.
func BidMsg(device ledger.Address, iv, wh, price uint64) (string, []byte, error) {
	return marshal(TypeBid, &energyv1.MsgBid{Device: device[:], Interval: iv, Wh: wh, Price: price})
}

// RetireMsg retires a certificate the signer holds.
func RetireMsg(certificate uint64) (string, []byte, error) {
	return marshal(TypeRetire, &energyv1.MsgRetire{Certificate: certificate})
}

func marshal(typ string, m proto.Message) (string, []byte, error) {
	b, err := proto.Marshal(m)
	if err != nil {
		return "", nil, fmt.Errorf("agent: energy: %s: %w", typ, err)
	}
	return typ, b, nil
}

// Interval returns the interval t falls in, for intervals of seconds.
func Interval(t time.Time, seconds uint64) uint64 { return kenergy.IntervalOf(t.Unix(), seconds) }

// IntervalStart returns when interval iv starts.
func IntervalStart(iv, seconds uint64) time.Time { return time.Unix(int64(iv*seconds), 0) }

// IntervalEnd returns when interval iv ends.
func IntervalEnd(iv, seconds uint64) time.Time { return time.Unix(int64((iv+1)*seconds), 0) }
