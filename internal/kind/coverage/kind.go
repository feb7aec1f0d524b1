package coverage

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
)

// Name is the kind's name: the kind of its devices and reports, and the
// prefix of its params ("coverage.decay_rate_bps").
const Name = "coverage"

// Pool is the reward pool coverage shares are paid from.
const Pool = "coverage"

// Report types of the kind (proto/depin/kind/coverage/v1).
const (
	TypeBeacon    = "beacon"
	TypeHeartbeat = "heartbeat"
	TypeWitness   = "witness"
)

// Field limits of a report body.
const (
	// MaxPayloadLen bounds beacon and witness payloads: a LoRa frame is at
	// most 255 bytes (Helium beacons are 51, BEACON_PAYLOAD_SIZE).
	MaxPayloadLen = 255
	// MaxRegionLen bounds the region name.
	MaxRegionLen = 16
)

// The antenna bounds a coverage device may assert. Helium's IoT config
// allows 10 to 150 dBi×10 (helium-program-library create-subdao setup
// script); we allow from 0 dBi.
var (
	MinGain = params.Spec{Name: Name + ".min_gain", Default: 0, Min: 0, Max: 1000, Unit: "dBi/10",
		Doc: "lowest antenna gain of a coverage device"}
	MaxGain = params.Spec{Name: Name + ".max_gain", Default: 150, Min: 0, Max: 1000, Unit: "dBi/10",
		Doc: "highest antenna gain of a coverage device"}
	MaxElevation = params.Spec{Name: Name + ".max_elevation", Default: 1000, Min: 0, Max: 10_000, Unit: "m",
		Doc: "highest antenna elevation above ground of a coverage device"}
)

// Kind is the coverage network kind (internal/kind.Kind). Its zero value
// is ready to use.
type Kind struct{}

var _ kind.Kind = Kind{}

// Name implements kind.Kind.
func (Kind) Name() string { return Name }

// Specs implements kind.Kind: the scorer's params (Specs) under the kind's
// prefix, then the antenna bounds.
func (Kind) Specs() []params.Spec {
	cs := Specs()
	out := make([]params.Spec, 0, len(cs)+3)
	for _, s := range cs {
		out = append(out, params.Spec{Name: Name + "." + s.Name, Default: s.Default, Min: s.Min, Max: s.Max, Doc: s.Doc})
	}
	return append(out, MinGain, MaxGain, MaxElevation)
}

// ScorerParams returns the scorer's params from the kind's param values.
func ScorerParams(p kind.Params) (Params, error) {
	out := DefaultParams()
	for _, s := range Specs() {
		v, ok := p.Get(Name + "." + s.Name)
		if !ok {
			return out, fmt.Errorf("coverage: params: %s missing: %w", s.Name, kind.ErrInvalid)
		}
		if err := out.Set(s.Name, v); err != nil {
			return out, err
		}
	}
	return out, nil
}

// CheckParams implements kind.Kind: every density target at most its
// maximum, the lowest gain at most the highest.
func (Kind) CheckParams(p kind.Params) error {
	sp, err := ScorerParams(p)
	if err != nil {
		return err
	}
	if err := sp.Validate(); err != nil {
		return fmt.Errorf("%v: %w", err, kind.ErrInvalid)
	}
	if lo, hi := p.Must(MinGain.Name), p.Must(MaxGain.Name); lo > hi {
		return fmt.Errorf("coverage: params: %s %d above %s %d: %w", MinGain.Name, lo, MaxGain.Name, hi, kind.ErrInvalid)
	}
	return nil
}

// DecodeAttributes decodes a device's attributes; empty bytes are a device
// that asserted none (gain and elevation 0, no region).
func DecodeAttributes(b []byte) (*coveragev1.Attributes, error) {
	a := new(coveragev1.Attributes)
	if err := proto.Unmarshal(b, a); err != nil {
		return nil, fmt.Errorf("coverage: attributes do not decode: %w", kind.ErrInvalid)
	}
	return a, nil
}

// EncodeAttributes returns the canonical bytes of a device's attributes.
func EncodeAttributes(gainDdBi, elevationM int32, r Region) []byte {
	a := &coveragev1.Attributes{Gain: gainDdBi, Elevation: elevationM}
	if r != RegionUnknown {
		a.Region = r.String()
	}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	return b
}

// CheckAttributes implements kind.Kind: the antenna within the params'
// bounds and a known region (or none).
func (Kind) CheckAttributes(p kind.Params, attrs []byte) error {
	a, err := DecodeAttributes(attrs)
	if err != nil {
		return err
	}
	if lo, hi := p.Must(MinGain.Name), p.Must(MaxGain.Name); a.Gain < 0 || uint64(a.Gain) < lo || uint64(a.Gain) > hi {
		return fmt.Errorf("antenna gain %d dBi/10 outside %d to %d: %w", a.Gain, lo, hi, kind.ErrInvalid)
	}
	if hi := p.Must(MaxElevation.Name); a.Elevation < 0 || uint64(a.Elevation) > hi {
		return fmt.Errorf("elevation %d m outside 0 to %d: %w", a.Elevation, hi, kind.ErrInvalid)
	}
	if a.Region != "" {
		if _, err := ParseRegion(a.Region); err != nil {
			return fmt.Errorf("region %q is not a known region: %w", a.Region, kind.ErrInvalid)
		}
	}
	return nil
}

// ReportTypes implements kind.Kind.
func (Kind) ReportTypes() []string { return []string{TypeBeacon, TypeHeartbeat, TypeWitness} }

// ScorerVersions implements kind.Kind.
func (Kind) ScorerVersions() []uint32 { return []uint32{ScorerVersion} }

// Scorer implements kind.Kind.
func (Kind) Scorer(v uint32) (kind.Scorer, bool) {
	if v != ScorerVersion {
		return nil, false
	}
	return kind.ScoreFunc(scoreKind), true
}
