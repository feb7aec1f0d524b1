package energy

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
	energyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// Name is the kind's name: the kind of its devices and reports, and the
// prefix of its params.
const Name = "energy"

// Pool is the one reward pool the scorer gives units in: verified flexible
// capacity (Wh a battery could shift). Energy actually traded is paid by
// the energy market module from its settlements (internal/energy PayPool,
// recipient "energy"), not by this scorer.
const Pool = "energy"

// TypeRead is the kind's one report type (proto/depin/kind/energy/v1 Read).
const TypeRead = "read"

// ScorerVersion is the version of the scorer in score.go.
const ScorerVersion uint32 = 1

// Kind is the energy network kind (internal/kind.Kind). Its zero value is
// ready to use.
type Kind struct{}

var _ kind.Kind = Kind{}

// Name implements kind.Kind.
func (Kind) Name() string { return Name }

// Specs implements kind.Kind.
func (Kind) Specs() []params.Spec { return Specs() }

// CheckParams implements kind.Kind: every value has its bounds in Specs and
// no rule binds two of them.
func (Kind) CheckParams(p kind.Params) error {
	_, err := ParamsFrom(p)
	return err
}

// DecodeAttributes decodes a device's attributes.
func DecodeAttributes(b []byte) (*energyv1.Attributes, error) {
	a := new(energyv1.Attributes)
	if err := proto.Unmarshal(b, a); err != nil {
		return nil, fmt.Errorf("energy: attributes do not decode: %w", kind.ErrInvalid)
	}
	return a, nil
}

// EncodeAttributes returns the canonical bytes of a device's attributes.
func EncodeAttributes(a *energyv1.Attributes) []byte {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	return b
}

// CheckAttributes implements kind.Kind: rated power from 1 W to
// energy.max_rated_power_w, a battery within energy.max_battery_wh with a
// charge rate from 1 W to the rated power (none without a battery), and a
// grid cell fine enough to have a zone.
func (Kind) CheckAttributes(kp kind.Params, attrs []byte) error {
	p, err := ParamsFrom(kp)
	if err != nil {
		return err
	}
	a, err := DecodeAttributes(attrs)
	if err != nil {
		return err
	}
	return CheckAttributes(p, a)
}

// CheckAttributes checks decoded attributes under p.
func CheckAttributes(p Params, a *energyv1.Attributes) error {
	if a.RatedPowerW == 0 || a.RatedPowerW > p.MaxRatedPower {
		return fmt.Errorf("rated power %d W outside 1 to %d: %w", a.RatedPowerW, p.MaxRatedPower, kind.ErrInvalid)
	}
	if a.BatteryWh > p.MaxBattery {
		return fmt.Errorf("battery %d Wh above %d: %w", a.BatteryWh, p.MaxBattery, kind.ErrInvalid)
	}
	if (a.BatteryWh == 0) != (a.MaxChargeW == 0) || a.MaxChargeW > a.RatedPowerW {
		return fmt.Errorf("charge rate %d W must be 1 to the rated power %d W with a battery, 0 without: %w",
			a.MaxChargeW, a.RatedPowerW, kind.ErrInvalid)
	}
	if _, ok := Zone(a.GridCell, p.ZoneResolution); !ok {
		return fmt.Errorf("grid cell %x is not an H3 cell of resolution %d or finer: %w", a.GridCell, p.ZoneResolution, kind.ErrInvalid)
	}
	return nil
}

// ReportTypes implements kind.Kind.
func (Kind) ReportTypes() []string { return []string{TypeRead} }

// DecodeRead decodes a read body.
func DecodeRead(body []byte) (*energyv1.Read, error) {
	r := new(energyv1.Read)
	if err := (proto.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(body, r); err != nil {
		return nil, fmt.Errorf("energy: read does not decode: %w", kind.ErrInvalid)
	}
	if len(r.ProtoReflect().GetUnknown()) > 0 {
		return nil, fmt.Errorf("energy: read has unknown fields: %w", kind.ErrInvalid)
	}
	return r, nil
}

// EncodeRead returns the canonical bytes of a read.
func EncodeRead(r *energyv1.Read) []byte {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(r)
	return b
}

// CheckReport implements kind.Kind: a read decodes without unknown fields.
// Everything else depends on the device and its previous read (Check).
func (Kind) CheckReport(typ string, body, _ []byte) error {
	if typ != TypeRead {
		return fmt.Errorf("energy has no report type %q: %w", typ, kind.ErrInvalid)
	}
	_, err := DecodeRead(body)
	return err
}

// ScorerVersions implements kind.Kind.
func (Kind) ScorerVersions() []uint32 { return []uint32{ScorerVersion} }

// Scorer implements kind.Kind.
func (Kind) Scorer(v uint32) (kind.Scorer, bool) {
	if v != ScorerVersion {
		return nil, false
	}
	return kind.ScoreFunc(Score), true
}
