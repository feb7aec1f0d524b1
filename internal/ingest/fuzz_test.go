package ingest

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/segment"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// FuzzDecodeReport feeds arbitrary bytes as an encoded SignedReport: decoding
// must never panic, and a report it accepts must satisfy every structural
// rule and survive a round trip.
func FuzzDecodeReport(f *testing.F) {
	fl := newFleet(2)
	ent := &reportv1.BlockRef{Height: 7, Hash: blockHash(7)}
	seeds := []*reportv1.SignedReport{
		fl.heartbeat(0, ent),
		signRep(fl.keys[1], &reportv1.Report{PubKey: fl.pub(1), Nonce: 3, Timestamp: testTS, Entropy: ent,
			Kind: "coverage", Type: "beacon", Body: mustBody(&coveragev1.Beacon{LocalEntropy: []byte{1, 2, 3, 4}, Payload: bytes.Repeat([]byte{7}, 51), Frequency: 868_100_000, TxPower: 270, Region: "EU868"})}),
		signRep(fl.keys[0], &reportv1.Report{PubKey: fl.pub(0), Nonce: 4, Timestamp: testTS, Entropy: ent,
			Kind: "coverage", Type: "witness", Body: mustBody(&coveragev1.Witness{Beaconer: fl.pub(1), Payload: []byte{7}, Frequency: 868_100_000, Signal: -1100, Snr: 65, BeaconEntropy: ent})}),
	}
	for _, s := range seeds {
		b, err := proto.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var sr reportv1.SignedReport
		if proto.Unmarshal(data, &sr) != nil {
			return
		}
		rep, rj := segment.DecodeReport(testKinds, &sr, 2048)
		if rj != nil {
			return
		}
		if len(rep.GetPubKey()) != 32 || rep.GetNonce() == 0 || len(rep.GetEntropy().GetHash()) != 32 || rep.GetBody() == nil {
			t.Fatalf("accepted a report that breaks the rules: %v", rep)
		}
		if len(sr.GetSignature()) != 64 || len(sr.GetReport())+len(sr.GetSignature()) > 2048 {
			t.Fatalf("accepted a signed report of the wrong size")
		}
		b, err := proto.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		var again reportv1.Report
		if err := proto.Unmarshal(b, &again); err != nil || !proto.Equal(rep, &again) {
			t.Fatalf("round trip changed the report: %v", err)
		}
	})
}

// FuzzDecodeSegment checks that a decodable segment is canonical: encoding
// it again gives the same bytes.
func FuzzDecodeSegment(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x01, 0x10, 0x05, 0x22, 0x01, 0x00})
	f.Add([]byte{0x10, 0x05, 0x08, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		seg, err := segment.Decode(data)
		if err != nil {
			return
		}
		b, err := segment.Encode(seg)
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("decoded segment re-encodes differently: %x vs %x", b, data)
		}
	})
}
