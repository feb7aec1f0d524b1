package mobile

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

type behaviour uint8

const (
	honest  behaviour = iota
	faker             // constant, too-good speedtests
	spoofer           // heartbeats 2 km from its asserted cell
	flaky             // a few heartbeats only
	slow              // a poor backhaul
	outdoor           // an honest outdoor radio
	drifty            // half its heartbeats 350 m away
)

type radio struct {
	addr         ledger.Address
	cell         uint64
	latE7, lngE7 int64
	b            behaviour
}

type fleet struct {
	t      testing.TB
	radios []radio
	p      Params
	day    int64
	hbs    int // heartbeats per epoch
	tests  int // speedtests per epoch
}

func addrOf(i int) ledger.Address {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("radio"), uint64(i)))
	var a ledger.Address
	copy(a[:], h[:])
	return a
}

type lcg uint64

func (l *lcg) next(m int64) int64 {
	*l = *l*6364136223846793005 + 1442695040888963407
	return int64(uint64(*l)>>33) % m
}

func newFleet(t testing.TB, n, hbs, tests int, bad map[int]behaviour) *fleet {
	f := &fleet{t: t, p: DefaultParams(), day: int64(24 * time.Hour), hbs: hbs, tests: tests}
	seed := lcg(3)
	for i := range n {
		r := radio{addr: addrOf(i), b: bad[i]}
		lat := int64(525200000) + seed.next(300_000) - 150_000
		lng := int64(134050000) + seed.next(500_000) - 250_000
		c, err := geo.CellFromLatLng(lat, lng, 12)
		if err != nil {
			t.Fatal(err)
		}
		r.cell = c
		r.latE7, r.lngE7, err = geo.H3{}.CenterE7(c)
		if err != nil {
			t.Fatal(err)
		}
		f.radios = append(f.radios, r)
	}
	return f
}

func (f *fleet) devices() []kind.Device {
	out := make([]kind.Device, len(f.radios))
	for i, r := range f.radios {
		typ := RadioIndoor
		if r.b == outdoor {
			typ = RadioOutdoor
		}
		out[i] = kind.Device{ID: r.addr, Owner: r.addr, Cell: r.cell, Attributes: EncodeAttributes("WiFi-6", typ, 500)}
	}
	slices.SortFunc(out, func(a, b kind.Device) int { return compareAddr(a.ID, b.ID) })
	return out
}

func (f *fleet) start(epoch uint64) int64 {
	return int64(1_790_000_000)*int64(time.Second) + int64(epoch-1)*f.day
}

func (f *fleet) input(epoch uint64, state []byte) kind.Input {
	in := kind.Input{Epoch: epoch, Start: f.start(epoch), End: f.start(epoch) + f.day, Params: f.p.KindParams(),
		Devices: f.devices(), State: state, Geo: geo.H3{}}
	for i, r := range f.radios {
		seed := lcg(uint64(i)*31 + epoch)
		id := func(k int) [32]byte {
			return sha256.Sum256(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(r.addr[:], epoch), uint64(k)))
		}
		hbs := f.hbs
		if r.b == flaky {
			hbs = 3
		}
		for k := range hbs {
			t := in.Start + int64(k)*f.day/int64(hbs) + 1000
			h := HeartbeatBody{LatE7: r.latE7 + seed.next(200) - 100, LngE7: r.lngE7, Operational: true}
			if r.b == spoofer {
				h.LatE7 += 180_000 // 2 km north
			}
			if r.b == drifty && k%2 == 0 {
				h.LatE7 += 31_500 // 350 m
			}
			in.Reports = append(in.Reports, kind.Report{ID: id(k), Device: r.addr, Received: t, Timestamp: t, Type: TypeHeartbeat, Body: EncodeHeartbeat(h)})
		}
		for k := range f.tests {
			t := in.Start + int64(k)*f.day/int64(f.tests) + 5000
			s := SpeedtestBody{DownloadBps: uint64(150_000_000 + seed.next(50_000_000)), UploadBps: uint64(15_000_000 + seed.next(5_000_000)), LatencyMs: uint32(20 + seed.next(20))}
			switch r.b {
			case faker:
				s = SpeedtestBody{DownloadBps: 940_000_000, UploadBps: 94_000_000, LatencyMs: 5}
			case slow:
				s = SpeedtestBody{DownloadBps: uint64(20_000_000 + seed.next(5_000_000)), UploadBps: 1_000_000, LatencyMs: 120}
			}
			in.Reports = append(in.Reports, kind.Report{ID: id(1000 + k), Device: r.addr, Received: t, Timestamp: t, Type: TypeSpeedtest, Body: EncodeSpeedtest(s)})
		}
	}
	return in
}

func (f *fleet) score(epoch uint64, state []byte) kind.Output {
	out, err := Score(f.input(epoch, state))
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func compareAddr(a, b ledger.Address) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}
