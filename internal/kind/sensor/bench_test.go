package sensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// BenchmarkScoreStream scores a day of n stations x 288 readings streamed
// through the Scorer one device at a time (readings are generated per
// device into one reused buffer, never all held): the BENCHMARKS.md
// sensor epoch. Run with -benchtime=1x; stations=1000000 is the 10x
// point against stations=100000.
func BenchmarkScoreStream(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("stations=%d", n), func(b *testing.B) {
			if testing.Short() && n > 10_000 {
				b.Skip("large epoch")
			}
			benchStream(b, n)
		})
	}
}

func benchStream(b *testing.B, n int) {
	const perDay = 288
	day := int64(24 * time.Hour)
	start := int64(1_790_000_000) * int64(time.Second)
	step := day / perDay
	// Stations on a jittered grid of res-12 cells at a constant density of
	// 28 per km2 (100k stations cover 60 x 60 km; 10x the stations cover
	// 10x the area), diurnal temperature and humidity.
	devs := make([]kind.Device, n)
	attrs := EncodeAttributes("WS2000", ClassStation, []string{"humidity", "pressure", "rain", "temperature", "wind_direction", "wind_speed"}, nil)
	side := int64(math.Sqrt(float64(n))) + 1
	span := int64(math.Sqrt(float64(n)/100_000) * 5_400_000) // degrees x 1e7 of latitude for 60 km at n = 100k
	seed := lcg(1)
	offs := make([]int64, n)
	for i := range n {
		var a ledger.Address
		binary.BigEndian.PutUint64(a[:], uint64(i)) // ascending ids
		row, col := int64(i)/side, int64(i)%side
		lat := cityLat - span/2 + row*span/side + seed.next(1000)
		lng := cityLng - span*163/200 + col*span*163/100/side + seed.next(1000)
		c, err := geo.CellFromLatLng(lat, lng, 12)
		if err != nil {
			b.Fatal(err)
		}
		devs[i] = kind.Device{ID: a, Owner: a, Cell: c, Attributes: attrs}
		offs[i] = seed.next(200) - 100
	}
	var diurnal [perDay]int64
	for k := range perDay {
		diurnal[k] = int64(600 * math.Sin(2*math.Pi*(float64(k)/perDay-0.375)))
	}
	p := DefaultParams()
	p.MaxPerCell = 10
	buf := make([]Reading, perDay)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	var res Result
	for b.Loop() {
		s, err := NewScorer(p, geo.H3{}, 1, start, start+day, devs, nil)
		if err != nil {
			b.Fatal(err)
		}
		var valid uint64
		emit := func(v Verdict) {
			if v.Reason == Valid {
				valid++
			}
		}
		for i := range n {
			g := lcg(uint64(i) + 11)
			for k := range perDay {
				r := &buf[k]
				t := start + int64(k)*step + step/2
				binary.BigEndian.PutUint64(r.ID[:], uint64(i))
				binary.BigEndian.PutUint64(r.ID[8:], uint64(k))
				r.Time, r.Received = t, t+int64(time.Second)
				r.Mask = 1<<ChTemperature | 1<<ChHumidity | 1<<ChPressure | 1<<ChWindSpeed | 1<<ChWindDirection | 1<<ChRain
				temp := 1200 + diurnal[k] + offs[i] + g.next(40) - 20
				r.Values[ChTemperature] = temp
				r.Values[ChHumidity] = 7000 - (temp-1200)*2 + g.next(100) - 50
				r.Values[ChPressure] = 101300 + g.next(20)
				r.Values[ChWindSpeed], r.Values[ChWindDirection], r.Values[ChRain] = g.next(800), g.next(360), 0
			}
			s.Device(i, buf, nil, emit)
		}
		res = s.Finish()
		if valid < uint64(n)*perDay*9/10 || len(res.Shares) == 0 {
			b.Fatalf("valid %d of %d readings, %d shares", valid, n*perDay, len(res.Shares))
		}
	}
	// CPU seconds beside wall time: on a machine shared with other work
	// the wall time measures the neighbours as much as the scorer.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(n*perDay), "readings/op")
	b.ReportMetric(float64(len(res.Shares)), "paid/op")
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
