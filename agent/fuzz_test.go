package agent

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// FuzzUnmarshalKeyFile checks that no input panics the key file decoder and
// that an accepted file round-trips to the same key.
func FuzzUnmarshalKeyFile(f *testing.F) {
	good, _ := MarshalKeyFile(testKey(f, 5), "dev")
	f.Add(good)
	f.Add([]byte(`{"version":1,"encryption":"none","seed":"00"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := UnmarshalKeyFile(b)
		if err != nil {
			return
		}
		again, err := MarshalKeyFile(k, "x")
		if err != nil {
			t.Fatal(err)
		}
		k2, err := UnmarshalKeyFile(again)
		if err != nil || !bytes.Equal(k2.PubKey(), k.PubKey()) {
			t.Fatalf("round trip: got %v, want the same key", err)
		}
	})
}

// FuzzParseNonceFile checks that no state file panics the decoder and that
// a decoded reservation is what the store would write back.
func FuzzParseNonceFile(f *testing.F) {
	f.Add([]byte(`{"version":1,"reserved":1700000000000064}`))
	f.Add([]byte(`{"version":1,"reserved":18446744073709551615}`))
	f.Add([]byte(`{"version":2,"reserved":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := parseNonceFile(b)
		if err != nil {
			return
		}
		got, err := parseNonceFile([]byte(`{"version":1,"reserved":` + uitoa(res) + `}`))
		if err != nil || got != res {
			t.Fatalf("round trip of %d: got %d, %v", res, got, err)
		}
	})
}

func uitoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

// FuzzVerifyReport checks that no signed report panics the verifier and
// that any change to a signed report's bytes breaks its signature.
func FuzzVerifyReport(f *testing.F) {
	b := testBuilder(f, 6)
	hb := heartbeat(f, b, testEntropy(9), 60)
	wit, _ := b.Build(testEntropy(9), "coverage", "witness", &coveragev1.Witness{Beaconer: make([]byte, 32), Payload: []byte{1}, Frequency: 868_100_000})
	for _, sr := range []*reportv1.SignedReport{hb, wit} {
		f.Add(sr.GetReport(), sr.GetSignature(), uint16(0))
		f.Add(sr.GetReport(), sr.GetSignature(), uint16(17))
	}
	f.Fuzz(func(t *testing.T, report, signature []byte, flip uint16) {
		sr := &reportv1.SignedReport{Report: report, Signature: signature}
		rep, err := VerifyReport(sr)
		if err != nil {
			return
		}
		if len(report) == 0 {
			t.Fatalf("verified an empty report as %v", rep)
		}
		bad := proto.Clone(sr).(*reportv1.SignedReport)
		bad.Report[int(flip)%len(bad.Report)] ^= 1
		if _, err := VerifyReport(bad); err == nil {
			t.Fatal("a report with a flipped bit still verifies")
		}
	})
}
