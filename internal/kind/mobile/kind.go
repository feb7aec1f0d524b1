package mobile

import (
	"fmt"
	"unicode"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/params"
	mobilev1 "github.com/depin-network/depin/proto/depin/kind/mobile/v1"
)

// Name is the kind's name and the prefix of its params; market receipts
// for carried bytes use it as their kind.
const Name = "mobile"

// Pool is the reward pool mobile shares are paid from.
const Pool = "mobile"

// Report types (proto/depin/kind/mobile/v1).
const (
	TypeHeartbeat = "heartbeat"
	TypeSpeedtest = "speedtest"
)

// Radio types.
const (
	RadioIndoor  = "wifi_indoor"
	RadioOutdoor = "wifi_outdoor"
)

// Limits.
const (
	MaxModelLen = 32
	// MaxBackhaulMbps bounds a declared backhaul (10 Gbit/s).
	MaxBackhaulMbps = 10_000
)

// Kind is the mobile network kind; its zero value is ready to use.
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
func (Kind) ReportTypes() []string { return []string{TypeHeartbeat, TypeSpeedtest} }

// ScorerVersions implements kind.Kind.
func (Kind) ScorerVersions() []uint32 { return []uint32{ScorerVersion} }

// Scorer implements kind.Kind.
func (Kind) Scorer(v uint32) (kind.Scorer, bool) {
	if v != ScorerVersion {
		return nil, false
	}
	return kind.ScoreFunc(Score), true
}

func bad(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, kind.ErrInvalid)...)
}

// Attributes are a radio's decoded attributes.
type Attributes struct {
	Model        string
	Outdoor      bool
	BackhaulMbps uint64
}

// DecodeAttributes decodes and checks a radio's attributes: a printable
// model, a known radio type, a backhaul from 1 Mbit/s to MaxBackhaulMbps.
func DecodeAttributes(b []byte) (Attributes, error) {
	var a Attributes
	m := new(mobilev1.Attributes)
	if proto.Unmarshal(b, m) != nil {
		return a, bad("mobile attributes do not decode")
	}
	if n := len(m.GetModel()); n == 0 || n > MaxModelLen {
		return a, bad("model must be 1 to %d characters", MaxModelLen)
	}
	for _, r := range m.GetModel() {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return a, bad("model must be printable ASCII")
		}
	}
	switch m.GetRadio() {
	case RadioIndoor:
	case RadioOutdoor:
		a.Outdoor = true
	default:
		return a, bad("radio %q is neither %s nor %s", m.GetRadio(), RadioIndoor, RadioOutdoor)
	}
	if m.GetBackhaulMbps() == 0 || m.GetBackhaulMbps() > MaxBackhaulMbps {
		return a, bad("backhaul must be 1 to %d Mbit/s", MaxBackhaulMbps)
	}
	a.Model, a.BackhaulMbps = m.GetModel(), m.GetBackhaulMbps()
	return a, nil
}

// EncodeAttributes returns the canonical bytes of a radio's attributes.
func EncodeAttributes(model, radio string, backhaulMbps uint64) []byte {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&mobilev1.Attributes{Model: model, Radio: radio, BackhaulMbps: backhaulMbps})
	return b
}

// CheckAttributes implements kind.Kind.
func (Kind) CheckAttributes(_ kind.Params, attrs []byte) error {
	_, err := DecodeAttributes(attrs)
	return err
}

// HeartbeatBody is a decoded heartbeat.
type HeartbeatBody struct {
	LatE7, LngE7 int64
	Operational  bool
}

// SpeedtestBody is a decoded speedtest.
type SpeedtestBody struct {
	DownloadBps, UploadBps uint64
	LatencyMs              uint32
}

// DecodeHeartbeat decodes and checks a heartbeat body.
func DecodeHeartbeat(body []byte) (HeartbeatBody, error) {
	m := new(mobilev1.Heartbeat)
	if proto.Unmarshal(body, m) != nil {
		return HeartbeatBody{}, bad("heartbeat body does not decode")
	}
	if m.GetLatE7() < -90e7 || m.GetLatE7() > 90e7 || m.GetLngE7() < -180e7 || m.GetLngE7() > 180e7 {
		return HeartbeatBody{}, bad("heartbeat position outside -90..90, -180..180 degrees")
	}
	return HeartbeatBody{LatE7: m.GetLatE7(), LngE7: m.GetLngE7(), Operational: m.GetOperational()}, nil
}

// EncodeHeartbeat returns a heartbeat body.
func EncodeHeartbeat(h HeartbeatBody) []byte {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&mobilev1.Heartbeat{LatE7: h.LatE7, LngE7: h.LngE7, Operational: h.Operational})
	return b
}

// DecodeSpeedtest decodes and checks a speedtest body.
func DecodeSpeedtest(body []byte) (SpeedtestBody, error) {
	m := new(mobilev1.Speedtest)
	if proto.Unmarshal(body, m) != nil {
		return SpeedtestBody{}, bad("speedtest body does not decode")
	}
	if m.GetDownloadBps() > 1<<50 || m.GetUploadBps() > 1<<50 {
		return SpeedtestBody{}, bad("speedtest rates above 2^50 bit/s")
	}
	return SpeedtestBody{DownloadBps: m.GetDownloadBps(), UploadBps: m.GetUploadBps(), LatencyMs: m.GetLatencyMs()}, nil
}

// EncodeSpeedtest returns a speedtest body.
func EncodeSpeedtest(s SpeedtestBody) []byte {
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&mobilev1.Speedtest{DownloadBps: s.DownloadBps, UploadBps: s.UploadBps, LatencyMs: s.LatencyMs})
	return b
}

// CheckReport implements kind.Kind.
func (Kind) CheckReport(typ string, body, _ []byte) error {
	switch typ {
	case TypeHeartbeat:
		_, err := DecodeHeartbeat(body)
		return err
	case TypeSpeedtest:
		_, err := DecodeSpeedtest(body)
		return err
	}
	return bad("mobile has no report type %q", typ)
}
