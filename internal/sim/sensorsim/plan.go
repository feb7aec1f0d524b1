package sensorsim

import (
	"fmt"
	"math"

	amobile "github.com/depin-network/depin/agent/mobile"
	asensor "github.com/depin-network/depin/agent/sensor"
	"github.com/depin-network/depin/internal/geo"
)

// Class is a device's behaviour.
type Class string

// Classes.
const (
	Honest   Class = "honest"
	Heater   Class = "heater"   // station indoors next to a heater
	Replayer Class = "replayer" // station looping a recording of its first readings
	Copier   Class = "copier"   // station re-sending station s0's readings a tick later
	Cluster  Class = "cluster"  // honest station in one building with two others
	Spoofer  Class = "spoofer"  // vehicle whose GNSS fix jumps 50 km two readings in three
	Faker    Class = "faker"    // radio sending the same impossible speedtest
)

// Member is one simulated device.
type Member struct {
	Name         string
	Kind         string // "sensor" or "mobile"
	Class        Class
	Vehicle      bool
	LatE7, LngE7 int64
	Cell         uint64 // res 12
	Attrs        []byte
	offset       int64 // station's local temperature offset, 0.01 degC
}

// Plan lays out the fleet around (latE7, lngE7): stations honest in a
// ~2 km square plus the station adversaries, vehicles, radios.
func Plan(stations, vehicles, radios int, latE7, lngE7 int64, seed uint64) ([]*Member, error) {
	r := rng(seed)
	var out []*Member
	add := func(m *Member) error {
		c, err := geo.CellFromLatLng(m.LatE7, m.LngE7, 12)
		if err != nil {
			return err
		}
		m.Cell = c
		out = append(out, m)
		return nil
	}
	stationAttrs, err := asensor.StationAttributes("WS2000", []string{"humidity", "pressure", "rain", "temperature", "wind_direction", "wind_speed"})
	if err != nil {
		return nil, err
	}
	classes := []Class{Heater, Replayer, Copier, Cluster, Cluster, Cluster}
	for i := range stations + len(classes) {
		m := &Member{Name: fmt.Sprintf("s%d", i), Kind: asensor.Kind, Class: Honest, Attrs: stationAttrs,
			LatE7: latE7 + r.intn(180_000) - 90_000, LngE7: lngE7 + r.intn(300_000) - 150_000, offset: r.intn(120) - 60}
		if i >= stations {
			m.Class = classes[i-stations]
		}
		if m.Class == Cluster && i > stations+3 {
			m.LatE7, m.LngE7 = out[stations+3].LatE7+50, out[stations+3].LngE7+50
		}
		if err := add(m); err != nil {
			return nil, err
		}
	}
	for i := range vehicles + 1 {
		a, err := asensor.VehicleAttributes("OBD-II", []string{"charge", "odometer", "speed"}, fmt.Sprintf("DEVNETVIN%08d", i))
		if err != nil {
			return nil, err
		}
		m := &Member{Name: fmt.Sprintf("v%d", i), Kind: asensor.Kind, Class: Honest, Vehicle: true, Attrs: a,
			LatE7: latE7 + r.intn(200_000) - 100_000, LngE7: lngE7 + r.intn(300_000) - 150_000}
		if i == vehicles {
			m.Class = Spoofer
		}
		if err := add(m); err != nil {
			return nil, err
		}
	}
	for i := range radios + 1 {
		typ := amobile.RadioIndoor
		if i%3 == 2 {
			typ = amobile.RadioOutdoor
		}
		a, err := amobile.Attributes("WiFi6-AP", typ, 500)
		if err != nil {
			return nil, err
		}
		m := &Member{Name: fmt.Sprintf("r%d", i), Kind: amobile.Kind, Class: Honest, Attrs: a,
			LatE7: latE7 + r.intn(200_000) - 100_000, LngE7: lngE7 + r.intn(300_000) - 150_000}
		if i == radios {
			m.Class = Faker
		}
		if err := add(m); err != nil {
			return nil, err
		}
	}
	// Radios report from their cell's centre, as their location validation would.
	for _, m := range out {
		if m.Kind == amobile.Kind {
			p, err := geo.Center(m.Cell)
			if err != nil {
				return nil, err
			}
			m.LatE7, m.LngE7 = p.LatE7, p.LngE7
		}
	}
	return out, nil
}

type rngState struct{ s uint64 }

func rng(seed uint64) *rngState { return &rngState{s: seed*0x9e3779b97f4a7c15 + 1} }

func (r *rngState) next() uint64 {
	r.s = r.s*6364136223846793005 + 1442695040888963407
	return r.s >> 11
}

func (r *rngState) intn(n int64) int64 { return int64(r.next() % uint64(n)) }

// noise is a deterministic value in [-amp, amp].
func (r *rngState) noise(amp int64) int64 { return r.intn(2*amp+1) - amp }

// diurnal returns the city's temperature (0.01 degC) at a fraction of the
// simulated day: 12 degC mean, 6 degC swing, warmest at 15:00.
func diurnal(dayFrac float64) int64 {
	return 1200 + int64(600*math.Sin(2*math.Pi*(dayFrac-0.375)))
}
