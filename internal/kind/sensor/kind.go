package sensor

import (
	"fmt"
	"slices"
	"unicode"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
	sensorv1 "github.com/depin-network/depin/proto/depin/kind/sensor/v1"
)

// Name is the kind's name and the prefix of its params.
const Name = "sensor"

// Pool is the reward pool sensor units are paid from.
const Pool = "sensor"

// Report types (proto/depin/kind/sensor/v1).
const (
	TypeHeartbeat = "heartbeat"
	TypeReading   = "reading"
)

// Limits of attributes and bodies.
const (
	MaxModelLen    = 32
	MaxFirmwareLen = 64
	VehicleIDLen   = 32
)

// Kind is the sensor network kind; its zero value is ready to use.
type Kind struct{}

var _ kind.Kind = Kind{}

// Name implements kind.Kind.
func (Kind) Name() string { return Name }

// Specs implements kind.Kind.
func (Kind) Specs() []params.Spec { return Specs() }

// CheckParams implements kind.Kind.
func (Kind) CheckParams(p kind.Params) error {
	sp, err := ParamsFrom(p)
	if err != nil {
		return err
	}
	return sp.Check()
}

// ReportTypes implements kind.Kind.
func (Kind) ReportTypes() []string { return []string{TypeHeartbeat, TypeReading} }

// ScorerVersions implements kind.Kind.
func (Kind) ScorerVersions() []uint32 { return []uint32{ScorerVersion} }

// Scorer implements kind.Kind.
func (Kind) Scorer(v uint32) (kind.Scorer, bool) {
	if v != ScorerVersion {
		return nil, false
	}
	return kind.ScoreFunc(ScoreInput), true
}

func bad(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, kind.ErrInvalid)...)
}

// Attributes are a device's decoded attributes.
type Attributes struct {
	Model     string
	Class     Class
	Channels  uint16 // bit i set: Channels[i] declared
	VehicleID [VehicleIDLen]byte
}

// DecodeAttributes decodes and checks a device's attributes: a printable
// model, a known class, known channels of that class in ascending order
// without repeats, and a 32-byte vehicle id for a vehicle only.
func DecodeAttributes(b []byte) (Attributes, error) {
	var a Attributes
	m := new(sensorv1.Attributes)
	if err := proto.Unmarshal(b, m); err != nil {
		return a, bad("sensor attributes do not decode")
	}
	if n := len(m.GetModel()); n == 0 || n > MaxModelLen || !printable(m.GetModel()) {
		return a, bad("model must be 1 to %d printable characters", MaxModelLen)
	}
	a.Model = m.GetModel()
	c, ok := ParseClass(m.GetClass())
	if !ok {
		return a, bad("class %q is neither station nor vehicle", m.GetClass())
	}
	a.Class = c
	if len(m.GetChannels()) == 0 {
		return a, bad("no channels declared")
	}
	if !slices.IsSorted(m.GetChannels()) {
		return a, bad("channels must be in ascending order")
	}
	for _, name := range m.GetChannels() {
		i, ok := ChannelIndex(name)
		if !ok {
			return a, bad("unknown channel %q", name)
		}
		if Channels[i].Class != c {
			return a, bad("channel %s is for a %s, not a %s", name, Channels[i].Class, c)
		}
		if a.Channels&(1<<i) != 0 {
			return a, bad("channel %s declared twice", name)
		}
		a.Channels |= 1 << i
	}
	switch {
	case c == ClassVehicle && len(m.GetVehicleId()) != VehicleIDLen:
		return a, bad("a vehicle needs a %d-byte vehicle_id, got %d", VehicleIDLen, len(m.GetVehicleId()))
	case c == ClassStation && len(m.GetVehicleId()) != 0:
		return a, bad("a station has no vehicle_id")
	}
	copy(a.VehicleID[:], m.GetVehicleId())
	return a, nil
}

// EncodeAttributes returns the canonical bytes of attributes; channels
// are named in ascending order.
func EncodeAttributes(model string, c Class, channels []string, vehicleID []byte) []byte {
	ch := slices.Clone(channels)
	slices.Sort(ch)
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&sensorv1.Attributes{Model: model, Class: c.String(), Channels: ch, VehicleId: vehicleID})
	return b
}

func printable(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// CheckAttributes implements kind.Kind.
func (Kind) CheckAttributes(_ kind.Params, attrs []byte) error {
	_, err := DecodeAttributes(attrs)
	return err
}

// CheckReport implements kind.Kind.
func (Kind) CheckReport(typ string, body, _ []byte) error {
	switch typ {
	case TypeReading:
		var r Reading
		return DecodeReading(body, &r)
	case TypeHeartbeat:
		h := new(sensorv1.Heartbeat)
		if proto.Unmarshal(body, h) != nil {
			return bad("heartbeat body does not decode")
		}
		if len(h.GetFirmware()) > MaxFirmwareLen {
			return bad("firmware longer than %d bytes", MaxFirmwareLen)
		}
		return nil
	}
	return bad("sensor has no report type %q", typ)
}

// DecodeReading decodes and checks a reading body into r (its ID and
// times untouched): at least one value, known channels, none twice, and a
// fix with valid coordinates.
func DecodeReading(body []byte, r *Reading) error {
	m := new(sensorv1.Reading)
	if proto.Unmarshal(body, m) != nil {
		return bad("reading body does not decode")
	}
	if len(m.GetValues()) == 0 {
		return bad("reading has no values")
	}
	r.Mask, r.Values, r.Fix = 0, [NumChannels]int64{}, Fix{}
	for _, v := range m.GetValues() {
		i, ok := ChannelIndex(v.GetChannel())
		if !ok {
			return bad("unknown channel %q", v.GetChannel())
		}
		if r.Mask&(1<<i) != 0 {
			return bad("channel %s twice in one reading", v.GetChannel())
		}
		r.Mask |= 1 << i
		r.Values[i] = v.GetValue()
	}
	if f := m.GetFix(); f != nil {
		if f.GetLatE7() < -90e7 || f.GetLatE7() > 90e7 || f.GetLngE7() < -180e7 || f.GetLngE7() > 180e7 {
			return bad("fix outside -90..90, -180..180 degrees")
		}
		r.Fix = Fix{Has: true, LatE7: f.GetLatE7(), LngE7: f.GetLngE7(), Satellites: f.GetSatellites()}
	}
	return nil
}

// EncodeReading returns the canonical body of a reading: its channels in
// table order.
func EncodeReading(r *Reading) []byte {
	m := &sensorv1.Reading{}
	for i := range NumChannels {
		if r.Mask&(1<<i) != 0 {
			m.Values = append(m.Values, &sensorv1.Value{Channel: Channels[i].Name, Value: r.Values[i]})
		}
	}
	if r.Fix.Has {
		m.Fix = &sensorv1.Fix{LatE7: r.Fix.LatE7, LngE7: r.Fix.LngE7, Satellites: r.Fix.Satellites}
	}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	return b
}
