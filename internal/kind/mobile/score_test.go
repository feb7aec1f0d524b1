package mobile

import (
	"testing"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

func reasonsOf(out kind.Output, a ledger.Address) map[string]int {
	m := map[string]int{}
	for _, r := range out.Reasons {
		if r.Device == a {
			m[r.Reason]++
		}
	}
	return m
}

func unitsOf(out kind.Output) map[ledger.Address]uint64 {
	m := map[ledger.Address]uint64{}
	for _, s := range out.Shares {
		m[s.Device] += s.Units
	}
	return m
}

// TestAdversariesCaught: honest radios earn, indoor more than outdoor;
// each adversary earns nothing with its reason; a radio half its
// heartbeats 350 m away earns its reduced trust.
func TestAdversariesCaught(t *testing.T) {
	bad := map[int]behaviour{1: faker, 2: spoofer, 3: flaky, 4: slow, 5: outdoor, 6: drifty}
	f := newFleet(t, 10, 24, 4, bad)
	out1 := f.score(1, nil)
	out := f.score(2, out1.State)
	u := unitsOf(out)
	want := map[int]string{1: "implausible", 2: "no_location_trust", 3: "insufficient_heartbeats", 4: "speedtest_fail"}
	for i, r := range f.radios {
		rs := reasonsOf(out, r.addr)
		if w, ok := want[i]; ok {
			if rs[w] == 0 || u[r.addr] != 0 {
				t.Errorf("radio %d: reasons %v units %d, want %s and nothing", i, rs, u[r.addr], w)
			}
			continue
		}
		if u[r.addr] == 0 {
			t.Errorf("radio %d (%d) earned nothing: %v", i, r.b, rs)
		}
	}
	full := u[f.radios[0].addr]
	if full != 400*10_000*10_000/10_000 {
		t.Errorf("honest indoor radio: %d units, want 400 points x 1.0 x 1.0", full)
	}
	if got := u[f.radios[5].addr]; got != 120*10_000 {
		t.Errorf("outdoor radio: %d units, want 120 points", got)
	}
	if got, want := u[f.radios[6].addr], uint64(400*(10_000+2_500)/2); got != want {
		t.Errorf("drifty radio: %d units, want %d (mean trust 0.625)", got, want)
	}
	if rs := reasonsOf(out, f.radios[1].addr); rs["repeated"] == 0 && rs["implausible"] == 0 {
		t.Errorf("faker: %v", rs)
	}
}

// TestRollingWindow: speedtests from the previous epoch count: a radio
// with one test per epoch earns from its second epoch on.
func TestRollingWindow(t *testing.T) {
	f := newFleet(t, 3, 24, 1, nil)
	out1 := f.score(1, nil)
	if len(out1.Shares) != 0 {
		t.Fatalf("epoch 1 with one speedtest each: %d shares, want none", len(out1.Shares))
	}
	out2 := f.score(2, out1.State)
	if len(out2.Shares) != 3 {
		t.Fatalf("epoch 2: %d shares, want 3", len(out2.Shares))
	}
	f.p.MaxSpeedtestAgeNs = uint64(f.day / 2)
	out3 := f.score(3, out2.State)
	if len(out3.Shares) != 0 {
		t.Fatalf("epoch 3 with old tests expired: %d shares", len(out3.Shares))
	}
}
