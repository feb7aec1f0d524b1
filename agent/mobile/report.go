package mobile

import (
	"fmt"

	"github.com/depin-network/depin/agent"
	kmobile "github.com/depin-network/depin/internal/kind/mobile"
	mobilev1 "github.com/depin-network/depin/proto/depin/kind/mobile/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Kind, report types and radio types.
const (
	Kind          = kmobile.Name
	TypeHeartbeat = kmobile.TypeHeartbeat
	TypeSpeedtest = kmobile.TypeSpeedtest
	RadioIndoor   = kmobile.RadioIndoor
	RadioOutdoor  = kmobile.RadioOutdoor
)

// Heartbeat signs a heartbeat at a validated position (degrees x 1e7).
func Heartbeat(b *agent.Builder, ent agent.Entropy, latE7, lngE7 int64, operational bool) (*reportv1.SignedReport, error) {
	body := kmobile.EncodeHeartbeat(kmobile.HeartbeatBody{LatE7: latE7, LngE7: lngE7, Operational: operational})
	if err := (kmobile.Kind{}).CheckReport(TypeHeartbeat, body, nil); err != nil {
		return nil, fmt.Errorf("agent: mobile heartbeat: %w", err)
	}
	return b.Build(ent, Kind, TypeHeartbeat, &mobilev1.Heartbeat{LatE7: latE7, LngE7: lngE7, Operational: operational})
}

// Speedtest signs a backhaul speedtest: rates in bit/s, latency in ms.
func Speedtest(b *agent.Builder, ent agent.Entropy, downloadBps, uploadBps uint64, latencyMs uint32) (*reportv1.SignedReport, error) {
	body := kmobile.EncodeSpeedtest(kmobile.SpeedtestBody{DownloadBps: downloadBps, UploadBps: uploadBps, LatencyMs: latencyMs})
	if err := (kmobile.Kind{}).CheckReport(TypeSpeedtest, body, nil); err != nil {
		return nil, fmt.Errorf("agent: mobile speedtest: %w", err)
	}
	return b.Build(ent, Kind, TypeSpeedtest, &mobilev1.Speedtest{DownloadBps: downloadBps, UploadBps: uploadBps, LatencyMs: latencyMs})
}

// Attributes encodes a radio's attributes.
func Attributes(model, radio string, backhaulMbps uint64) ([]byte, error) {
	a := kmobile.EncodeAttributes(model, radio, backhaulMbps)
	if _, err := kmobile.DecodeAttributes(a); err != nil {
		return nil, fmt.Errorf("agent: mobile attributes: %w", err)
	}
	return a, nil
}
