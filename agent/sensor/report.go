package sensor

import (
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/depin-network/depin/agent"
	ksensor "github.com/depin-network/depin/internal/kind/sensor"
	sensorv1 "github.com/depin-network/depin/proto/depin/kind/sensor/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Kind and report types.
const (
	Kind          = ksensor.Name
	TypeReading   = ksensor.TypeReading
	TypeHeartbeat = ksensor.TypeHeartbeat
)

// Channel describes a channel: name, unit, physical range.
type Channel struct {
	Name     string
	Unit     string
	Class    string
	Min, Max int64
}

// Channels lists every channel the network knows.
func Channels() []Channel {
	out := make([]Channel, len(ksensor.Channels))
	for i, c := range ksensor.Channels {
		out[i] = Channel{Name: c.Name, Unit: c.Unit, Class: c.Class.String(), Min: c.Min, Max: c.Max}
	}
	return out
}

// Fix is a GNSS fix in degrees x 1e7.
type Fix struct {
	LatE7, LngE7 int64
	Satellites   uint32
}

// ReadingBody builds a reading body from channel values, checked as the
// network checks it.
func ReadingBody(values map[string]int64, fix *Fix) (*sensorv1.Reading, error) {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	m := &sensorv1.Reading{}
	for _, n := range names {
		m.Values = append(m.Values, &sensorv1.Value{Channel: n, Value: values[n]})
	}
	if fix != nil {
		m.Fix = &sensorv1.Fix{LatE7: fix.LatE7, LngE7: fix.LngE7, Satellites: fix.Satellites}
	}
	b, _ := marshal(m)
	if err := (ksensor.Kind{}).CheckReport(TypeReading, b, nil); err != nil {
		return nil, fmt.Errorf("agent: sensor reading: %w", err)
	}
	return m, nil
}

// Reading signs a reading of values (and a fix, or nil) answering ent.
func Reading(b *agent.Builder, ent agent.Entropy, values map[string]int64, fix *Fix) (*reportv1.SignedReport, error) {
	m, err := ReadingBody(values, fix)
	if err != nil {
		return nil, err
	}
	return b.Build(ent, Kind, TypeReading, m)
}

// Heartbeat signs a heartbeat.
func Heartbeat(b *agent.Builder, ent agent.Entropy, uptimeSeconds uint64, firmware string) (*reportv1.SignedReport, error) {
	if len(firmware) > ksensor.MaxFirmwareLen {
		return nil, fmt.Errorf("agent: sensor heartbeat: firmware longer than %d bytes", ksensor.MaxFirmwareLen)
	}
	return b.Build(ent, Kind, TypeHeartbeat, &sensorv1.Heartbeat{Uptime: uptimeSeconds, Firmware: firmware})
}

// StationAttributes encodes a weather station's attributes.
func StationAttributes(model string, channels []string) ([]byte, error) {
	a := ksensor.EncodeAttributes(model, ksensor.ClassStation, channels, nil)
	if _, err := ksensor.DecodeAttributes(a); err != nil {
		return nil, fmt.Errorf("agent: station attributes: %w", err)
	}
	return a, nil
}

// VehicleAttributes encodes a vehicle's attributes; its identity is the
// SHA-256 of its VIN, so two devices of one vehicle are found out.
func VehicleAttributes(model string, channels []string, vin string) ([]byte, error) {
	id := sha256.Sum256([]byte(vin))
	a := ksensor.EncodeAttributes(model, ksensor.ClassVehicle, channels, id[:])
	if _, err := ksensor.DecodeAttributes(a); err != nil {
		return nil, fmt.Errorf("agent: vehicle attributes: %w", err)
	}
	return a, nil
}
