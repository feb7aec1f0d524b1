package sensor

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// behaviour is how a generated device behaves.
type behaviour uint8

const (
	honest   behaviour = iota
	heater             // station indoors next to a heater: warm and dry
	replayer           // sends the previous epoch's values again
	copier             // mirrors station copyOf, 2 s later
	stuckT             // temperature sensor stuck
	spoofer            // vehicle with a teleporting GNSS track
	twin               // second device of vehicle twinOf
	wild               // out-of-range and jumping values
)

type genDev struct {
	addr   ledger.Address
	cell   uint64
	latE7  int64
	lngE7  int64
	class  Class
	vin    [32]byte
	b      behaviour
	of     int // copier, twin: the device copied
	offset int64
}

// fleet is a generated sensor network around Berlin.
type fleet struct {
	t    testing.TB
	devs []genDev
	p    Params
	day  int64 // epoch length, ns
	n    int   // readings per device per epoch
}

const (
	cityLat = 525200000
	cityLng = 134050000
)

func addrOf(i int) ledger.Address {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("sensor-dev"), uint64(i)))
	var a ledger.Address
	copy(a[:], h[:])
	return a
}

// lcg is a deterministic sequence.
type lcg uint64

func (l *lcg) next(m int64) int64 {
	*l = *l*6364136223846793005 + 1442695040888963407
	return int64(uint64(*l)>>33) % m
}

// newFleet places stations uniformly within about 3 km of the centre and
// vehicles around it, honest unless listed in bad (index -> behaviour).
func newFleet(t testing.TB, stations, vehicles, readings int, bad map[int]behaviour) *fleet {
	f := &fleet{t: t, p: DefaultParams(), day: int64(24 * time.Hour), n: readings}
	f.p.MaxPerCell = 1000
	f.p.ReadingIntervalNs = uint64(f.day / int64(readings))
	f.p.SlotNs = max(f.p.SlotNs, f.p.ReadingIntervalNs)
	seed := lcg(7)
	for i := range stations + vehicles {
		d := genDev{addr: addrOf(i), class: ClassStation, b: bad[i]}
		d.latE7 = cityLat + seed.next(540_000) - 270_000
		d.lngE7 = cityLng + seed.next(880_000) - 440_000
		d.offset = seed.next(200) - 100
		if i >= stations {
			d.class = ClassVehicle
			d.vin = sha256.Sum256(binary.BigEndian.AppendUint64([]byte("vin"), uint64(i)))
		}
		f.devs = append(f.devs, d)
	}
	for i := range f.devs {
		d := &f.devs[i]
		switch d.b {
		case copier:
			d.of = (i + 1) % stations
		case twin:
			d.of = stations + (i-stations+1)%vehicles
			d.vin = f.devs[d.of].vin
		}
		if d.b == copier {
			d.latE7, d.lngE7 = f.devs[d.of].latE7+300, f.devs[d.of].lngE7+300
		}
		c, err := geo.CellFromLatLng(d.latE7, d.lngE7, 12)
		if err != nil {
			t.Fatal(err)
		}
		d.cell = c
	}
	return f
}

// cluster moves devices ids into the res-12 cell of the first.
func (f *fleet) cluster(ids ...int) {
	for _, i := range ids[1:] {
		f.devs[i].cell, f.devs[i].latE7, f.devs[i].lngE7 = f.devs[ids[0]].cell, f.devs[ids[0]].latE7, f.devs[ids[0]].lngE7
	}
}

func (f *fleet) devices() []kind.Device {
	out := make([]kind.Device, len(f.devs))
	for i, d := range f.devs {
		var attrs []byte
		if d.class == ClassStation {
			attrs = EncodeAttributes("WS2000", ClassStation, []string{"humidity", "pressure", "rain", "temperature", "wind_direction", "wind_speed"}, nil)
		} else {
			attrs = EncodeAttributes("OBD-II", ClassVehicle, []string{"charge", "odometer", "speed"}, d.vin[:])
		}
		out[i] = kind.Device{ID: d.addr, Owner: d.addr, Cell: d.cell, Attributes: attrs}
	}
	slices.SortFunc(out, func(a, b kind.Device) int { return compareAddr(a.ID, b.ID) })
	return out
}

func (f *fleet) start(epoch uint64) int64 {
	return int64(1_790_000_000)*int64(time.Second) + int64(epoch-1)*f.day
}

// readings generates device i's readings of an epoch into buf.
func (f *fleet) readings(i int, epoch uint64, buf []Reading) []Reading {
	d := &f.devs[i]
	buf = buf[:0]
	src, srcEpoch := i, epoch
	switch d.b {
	case replayer:
		if epoch > 1 {
			srcEpoch = epoch - 1
		}
	case copier:
		src = d.of
	}
	step := f.day / int64(f.n)
	st := f.start(epoch)
	seed := lcg(uint64(src)*1_000_003 + srcEpoch*7919)
	s := &f.devs[src]
	odo := int64(10_000_000 + src*1000)
	lat, lng := s.latE7, s.lngE7
	for k := range f.n {
		var r Reading
		t := st + int64(k)*step + step/2
		day := float64(int64(k)*step) / float64(f.day)
		r.Time = t
		r.Received = t + int64(200*time.Millisecond) + seed.next(int64(time.Second))
		if s.class == ClassStation {
			temp := 1200 + int64(600*math.Sin(2*math.Pi*(day-0.375))) + s.offset + seed.next(40) - 20
			hum := 7000 - (temp-1200)*2 + seed.next(100) - 50
			press := 101300 + int64(80*math.Sin(2*math.Pi*day)) + seed.next(10)
			r.Mask = 1<<ChTemperature | 1<<ChHumidity | 1<<ChPressure | 1<<ChWindSpeed | 1<<ChWindDirection | 1<<ChRain
			r.Values[ChTemperature], r.Values[ChHumidity], r.Values[ChPressure] = temp, hum, press
			r.Values[ChWindSpeed], r.Values[ChWindDirection], r.Values[ChRain] = seed.next(800), seed.next(360), 0
			switch d.b {
			case heater:
				r.Values[ChTemperature] += 900
				r.Values[ChHumidity] -= 2500
			case stuckT:
				r.Values[ChTemperature] = 1234
			case wild:
				if k%5 == 0 {
					r.Values[ChTemperature] = 9000
				}
			}
		} else {
			speed := int64(300 + seed.next(200)) // 0.1 km/h
			distM := speed * 100 * step / int64(time.Hour)
			odo += distM
			lat += distM * 90 // 1e-7 degrees of latitude per 1.1 cm
			r.Mask = 1<<ChOdometer | 1<<ChSpeed | 1<<ChCharge
			r.Values[ChOdometer], r.Values[ChSpeed], r.Values[ChCharge] = odo, speed, 8000-int64(k)*10
			r.Fix = Fix{Has: true, LatE7: lat, LngE7: lng, Satellites: 12}
			if d.b == spoofer && k%10 >= 5 {
				r.Fix.LatE7 += 5_000_000 // 55 km away for one fix
			}
		}
		if d.b == copier || (d.b == replayer && epoch > 1) {
			r.Time = st + int64(k)*step + step/2
			r.Received = r.Time + int64(3*time.Second)
		}
		h := sha256.Sum256(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(d.addr[:], epoch), uint64(k)))
		r.ID = h
		buf = append(buf, r)
	}
	return buf
}

// input builds the kind.Input of an epoch with every reading encoded.
func (f *fleet) input(epoch uint64, state []byte) kind.Input {
	in := kind.Input{Epoch: epoch, Start: f.start(epoch), End: f.start(epoch) + f.day, Params: f.p.KindParams(),
		Devices: f.devices(), State: state, Geo: geo.H3{}}
	var buf []Reading
	for i := range f.devs {
		buf = f.readings(i, epoch, buf)
		for _, r := range buf {
			in.Reports = append(in.Reports, kind.Report{ID: r.ID, Device: f.devs[i].addr, Received: r.Received,
				Timestamp: r.Time, Type: TypeReading, Body: EncodeReading(&r)})
		}
	}
	return in
}

// score scores an epoch through kind.Input.
func (f *fleet) score(epoch uint64, state []byte) kind.Output {
	f.t.Helper()
	out, err := ScoreInput(f.input(epoch, state))
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// deviceReasons returns each device's dominant non-valid reason, or valid.
func deviceReasons(out kind.Output) map[ledger.Address]string {
	m := map[ledger.Address]map[string]int{}
	for _, r := range out.Reasons {
		if m[r.Device] == nil {
			m[r.Device] = map[string]int{}
		}
		m[r.Device][r.Reason]++
	}
	res := map[ledger.Address]string{}
	for a, c := range m {
		best, bn := "valid", 0
		for r, n := range c {
			if r != "valid" && (n > bn || (n == bn && r < best)) {
				best, bn = r, n
			}
		}
		res[a] = best
	}
	return res
}

func unitsOf(out kind.Output) map[ledger.Address]uint64 {
	m := map[ledger.Address]uint64{}
	for _, s := range out.Shares {
		m[s.Device] += s.Units
	}
	return m
}
