package dataservice

import (
	"sync"

	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Reading is one stored reading.
type Reading struct {
	Time     int64 // device clock, Unix ns
	Received int64 // when the service got it, Unix ns
	Mask     uint16
	Values   [sensor.NumChannels]int64
}

// store keeps the newest readings of each device, in arrival order, and
// wakes streams when one arrives.
type store struct {
	mu     sync.Mutex
	max    int
	byDev  map[ledger.Address][]Reading
	notify map[ledger.Address]chan struct{}
}

func newStore(max int) *store {
	return &store{max: max, byDev: map[ledger.Address][]Reading{}, notify: map[ledger.Address]chan struct{}{}}
}

// add stores the sensor readings among reports, received at now.
func (s *store) add(reports []*reportv1.Report, now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range reports {
		if r.GetKind() != sensor.Name || r.GetType() != sensor.TypeReading {
			continue
		}
		var sr sensor.Reading
		if sensor.DecodeReading(r.GetBody(), &sr) != nil {
			continue
		}
		dev := ledger.AddressOf(r.GetPubKey())
		rs := append(s.byDev[dev], Reading{Time: r.GetTimestamp(), Received: now, Mask: sr.Mask, Values: sr.Values})
		if len(rs) > s.max {
			rs = append(rs[:0:0], rs[len(rs)-s.max:]...)
		}
		s.byDev[dev] = rs
		if ch, ok := s.notify[dev]; ok {
			close(ch)
			delete(s.notify, dev)
		}
	}
}

// since returns the device's readings received after afterRecv (0: all)
// and a channel closed when the next one arrives.
func (s *store) since(dev ledger.Address, afterRecv int64) ([]Reading, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Reading
	for _, r := range s.byDev[dev] {
		if r.Received > afterRecv {
			out = append(out, r)
		}
	}
	ch, ok := s.notify[dev]
	if !ok {
		ch = make(chan struct{})
		s.notify[dev] = ch
	}
	return out, ch
}
