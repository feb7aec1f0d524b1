package sensor

import (
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/agent"
	ksensor "github.com/depin-network/depin/internal/kind/sensor"
)

func builder(t *testing.T) *agent.Builder {
	k, err := agent.KeyFromSeed([]byte("agent sensor test key 0000000000"))
	if err != nil {
		t.Fatal(err)
	}
	ns, err := agent.OpenNonceStore(filepath.Join(t.TempDir(), "nonce"), 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	return agent.NewBuilder(k, ns, nil)
}

func TestReadingAndHeartbeat(t *testing.T) {
	b := builder(t)
	ent := agent.Entropy{Block: agent.BlockRef{Height: 5}}
	sr, err := Reading(b, ent, map[string]int64{"temperature": 1234, "humidity": 5000}, &Fix{LatE7: 525200000, LngE7: 134050000, Satellites: 9})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := agent.VerifyReport(sr)
	if err != nil {
		t.Fatal(err)
	}
	var r ksensor.Reading
	if err := ksensor.DecodeReading(rep.GetBody(), &r); err != nil || r.Values[ksensor.ChTemperature] != 1234 || !r.Fix.Has {
		t.Fatalf("decoded %+v %v", r, err)
	}
	if _, err := Reading(b, ent, map[string]int64{"radiation": 1}, nil); err == nil {
		t.Error("unknown channel accepted")
	}
	if _, err := Reading(b, ent, nil, nil); err == nil {
		t.Error("empty reading accepted")
	}
	hb, err := Heartbeat(b, ent, 3600, "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if rep, _ := agent.VerifyReport(hb); rep.GetType() != TypeHeartbeat || rep.GetNonce() <= 1 {
		t.Errorf("heartbeat %v", rep)
	}
}

func TestAttributes(t *testing.T) {
	if _, err := StationAttributes("WS2000", []string{"temperature", "humidity"}); err != nil {
		t.Fatal(err)
	}
	if _, err := StationAttributes("WS2000", []string{"odometer"}); err == nil {
		t.Error("a station with an odometer")
	}
	a, err := VehicleAttributes("OBD-II", []string{"speed", "odometer"}, "WVWZZZ1JZXW000001")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ksensor.DecodeAttributes(a)
	b, _ := VehicleAttributes("OBD-II", []string{"odometer"}, "WVWZZZ1JZXW000001")
	e, _ := ksensor.DecodeAttributes(b)
	if d.VehicleID != e.VehicleID || d.Class != ksensor.ClassVehicle {
		t.Error("one VIN, two identities")
	}
	if len(Channels()) != ksensor.NumChannels {
		t.Error("channels")
	}
}
