package ingest

import (
	"encoding/hex"
	"testing"

	"google.golang.org/protobuf/proto"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// TestSmallOrderDeviceKeyCannotReport is issue 8 item 5 for device reports:
// a device registered under a small-order public key (which has no secret)
// sends a report with the keyless signature R = identity, S = 0. Ingest must
// refuse it and append nothing, however the key got into the registry.
func TestSmallOrderDeviceKeyCannotReport(t *testing.T) {
	f := newFleet(1)
	e := newEnv(t, testConfig(t), f)
	for _, k := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000", // identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	} {
		pub, _ := hex.DecodeString(k)
		e.reg.Put(pub, DeviceInfo{})
		b, err := proto.Marshal(&reportv1.Report{
			PubKey: pub, Nonce: 1, Timestamp: testTS, Entropy: ref(e.chain),
			Kind: "coverage", Type: "heartbeat", Body: mustBody(&coveragev1.Heartbeat{Cell: 1, Uptime: 1}),
		})
		if err != nil {
			t.Fatal(err)
		}
		forged := make([]byte, 64)
		forged[0] = 1 // R = identity, S = 0
		before := lastSeq(t, e)
		res := submitOne(t, e, &reportv1.SignedReport{Report: b, Signature: forged})
		if res.Status != ingestv1.Status_STATUS_BAD_SIGNATURE {
			t.Errorf("key %s: got %v %q, want bad signature", k, res.Status, res.Message)
		}
		if after := lastSeq(t, e); after != before {
			t.Errorf("key %s: log moved from %d to %d on a rejected report", k, before, after)
		}
	}
}
