package coverage

import (
	"errors"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// collectReports is a small epoch of beacons, witnesses (two sharing a
// payload) and a heartbeat, as the oracle decodes them.
func collectReports(t *testing.T) []kind.Report {
	t.Helper()
	body := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	key := func(n byte) []byte { k := make([]byte, 32); k[0] = n; return k }
	dev := func(n byte) ledger.Address { return ledger.AddressOf(key(n)) }
	b0 := dev(1)
	ent := &reportv1.BlockRef{Height: 7, Hash: make([]byte, 32)}
	var reps []kind.Report
	add := func(n byte, d ledger.Address, typ string, b []byte) {
		reps = append(reps, kind.Report{ID: [32]byte{n}, Device: d, Received: int64(n) * 1000, Timestamp: int64(n),
			EntropyHeight: 7, EntropyHash: [32]byte{7}, Type: typ, Body: b})
	}
	add(1, b0, TypeBeacon, body(&coveragev1.Beacon{LocalEntropy: make([]byte, LocalEntropySize), Payload: []byte("p1"), Frequency: 868_100_000, TxPower: 270, Region: "EU868"}))
	add(2, dev(2), TypeWitness, body(&coveragev1.Witness{Beaconer: key(1), Payload: []byte("p1"), Frequency: 868_100_000, Signal: -800, Snr: 55, BeaconEntropy: ent}))
	add(3, dev(3), TypeWitness, body(&coveragev1.Witness{Beaconer: key(1), Payload: []byte("p1"), Frequency: 868_100_000, Signal: -900, Snr: -20, BeaconEntropy: ent}))
	add(4, dev(3), TypeHeartbeat, body(&coveragev1.Heartbeat{Cell: 0x8c3933676d081ff, Uptime: 1}))
	add(5, dev(2), TypeBeacon, body(&coveragev1.Beacon{LocalEntropy: make([]byte, LocalEntropySize), Payload: []byte("p2"), Frequency: 867_300_000, TxPower: 140, Region: "EU868"}))
	return reps
}

// TestToInputCollected requires the Input built from collected reports to
// be the one built from the same reports as a list.
func TestToInputCollected(t *testing.T) {
	reps := collectReports(t)
	in := kind.Input{Epoch: 1, Start: 0, End: 1 << 40, Params: kind.Defaults(Kind{}.Specs())}
	want, wantUnscored, err := ToInput(kind.Input{Epoch: in.Epoch, Start: in.Start, End: in.End, Params: in.Params, Reports: reps})
	if err != nil {
		t.Fatal(err)
	}
	c := Kind{}.NewCollector()
	for i := range reps {
		r := reps[i]
		c.Add(&r)
		// The collector keeps copies: the caller may reuse the report.
		r.Body = nil
		r.ID = [32]byte{}
	}
	in.Collected = c
	got, gotUnscored, err := ToInput(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || gotUnscored != wantUnscored {
		t.Fatalf("collected input differs:\ngot  %+v (%d unscored)\nwant %+v (%d unscored)", got, gotUnscored, want, wantUnscored)
	}
	if len(want.Beacons) != 2 || want.WitnessColumns.Len() != 2 || wantUnscored != 1 {
		t.Fatalf("got %d beacons, %d witnesses, %d unscored; want 2, 2, 1", len(want.Beacons), want.WitnessColumns.Len(), wantUnscored)
	}
	// Scoring again from the same collector gives the same input.
	again, _, err := ToInput(in)
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("second ToInput from one collector: %v", err)
	}
	// A report collected after scoring is refused.
	c.Add(&reps[0])
	if _, _, err := ToInput(in); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("report after scoring: got %v, want ErrInvalidInput", err)
	}
}

type otherCollector struct{}

func (otherCollector) Add(*kind.Report) {}

func TestToInputCollectedRejects(t *testing.T) {
	reps := collectReports(t)
	base := kind.Input{Epoch: 1, End: 1 << 40, Params: kind.Defaults(Kind{}.Specs())}
	foreign := base
	foreign.Collected = otherCollector{}
	both := base
	c := Kind{}.NewCollector()
	c.Add(&reps[0])
	both.Collected, both.Reports = c, reps
	bad := base
	bc := Kind{}.NewCollector()
	bc.Add(&kind.Report{Type: TypeWitness, Body: []byte{0xff}})
	bc.Add(&reps[0])
	bad.Collected = bc
	for name, in := range map[string]kind.Input{"foreign collector": foreign, "reports besides": both, "bad body": bad} {
		if _, _, err := ToInput(in); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}
