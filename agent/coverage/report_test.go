package coverage

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/kind"
	kcov "github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

func testKey(t testing.TB, b byte) *agent.Key {
	t.Helper()
	k, err := agent.KeyFromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testBuilder(t testing.TB, seed byte) *agent.Builder {
	t.Helper()
	s, err := agent.OpenNonceStore(filepath.Join(t.TempDir(), "state.json"), 0, fixedNow(time.Unix(1_700_000_000, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return agent.NewBuilder(testKey(t, seed), s, fixedNow(time.Unix(1_700_000_100, 0)))
}

func testEntropy(h int64) agent.Entropy {
	var e agent.Entropy
	e.Block.Height = h
	for i := range e.Block.Hash {
		e.Block.Hash[i] = byte(h) + byte(i)
	}
	e.Window = 180
	return e
}

func TestDomainMatchesIngest(t *testing.T) {
	if agent.Domain != ingest.Domain {
		t.Fatalf("got domain %q, want ingest's %q", agent.Domain, ingest.Domain)
	}
}

// TestReportsVerify builds every kind of report and checks it as ingest
// does: structure (segment.DecodeReport) and the ZIP-215 signature under the
// report domain (internal/sig).
func TestReportsVerify(t *testing.T) {
	b := testBuilder(t, 1)
	other := testBuilder(t, 2)
	ent := testEntropy(42)
	local := [4]byte{1, 2, 3, 4}
	beacon, frame, err := Beacon(other, ent, RegionUS915, local)
	if err != nil {
		t.Fatal(err)
	}
	witness, err := Witness(b, ent, Heard{Frame: frame, SignalDdBm: -1000, SNRDdB: 55, FrequencyHz: frame.FrequencyHz})
	if err != nil {
		t.Fatal(err)
	}
	heartbeat, err := Heartbeat(b, ent, 0x8c1f1d4a8c8a9ff, 90*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var lastNonce uint64
	for _, tc := range []struct {
		name string
		sr   *reportv1.SignedReport
		key  *agent.Key
	}{{"beacon", beacon, other.Key()}, {"witness", witness, b.Key()}, {"heartbeat", heartbeat, b.Key()}} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := segment.DecodeReport(kind.NewRegistry(kcov.Kind{}), tc.sr, ingest.DefaultConfig().MaxReportBytes)
			if err != nil {
				t.Fatalf("ingest rejects the structure: %v", err)
			}
			if !sig.Verify(tc.key.PubKey(), ingest.Domain, tc.sr.GetReport(), tc.sr.GetSignature()) {
				t.Fatal("signature does not verify under the ingest domain")
			}
			if !bytes.Equal(rep.GetPubKey(), tc.key.PubKey()) {
				t.Errorf("got pub key %x, want %x", rep.GetPubKey(), tc.key.PubKey())
			}
			if got, want := rep.GetTimestamp(), time.Unix(1_700_000_100, 0).UnixNano(); got != want {
				t.Errorf("got timestamp %d, want %d", got, want)
			}
			if rep.GetEntropy().GetHeight() != 42 || !bytes.Equal(rep.GetEntropy().GetHash(), ent.Block.Hash[:]) {
				t.Errorf("got entropy %v, want height 42", rep.GetEntropy())
			}
			if _, err := agent.VerifyReport(tc.sr); err != nil {
				t.Errorf("VerifyReport: %v", err)
			}
			bad := proto.Clone(tc.sr).(*reportv1.SignedReport)
			bad.Signature[3] ^= 0x10
			if _, err := agent.VerifyReport(bad); err == nil {
				t.Error("VerifyReport of a tampered signature: got nil error")
			}
			if tc.key == b.Key() {
				if rep.GetNonce() <= lastNonce {
					t.Errorf("got nonce %d after %d", rep.GetNonce(), lastNonce)
				}
				lastNonce = rep.GetNonce()
			}
		})
	}
}

// TestBeaconRegenerates checks that a beacon carries exactly the payload and
// channel the scorer regenerates from its entropy.
func TestBeaconRegenerates(t *testing.T) {
	b := testBuilder(t, 3)
	for _, r := range []Region{RegionEU868, RegionUS915, RegionAU915} {
		ent := testEntropy(int64(r) + 10)
		local := [4]byte{9, byte(r), 7, 6}
		sr, frame, err := Beacon(b, ent, r, local)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := agent.VerifyReport(sr)
		if err != nil {
			t.Fatal(err)
		}
		bc := new(coveragev1.Beacon)
		if rep.GetKind() != kcov.Name || rep.GetType() != kcov.TypeBeacon || proto.Unmarshal(rep.GetBody(), bc) != nil {
			t.Fatalf("%s: got a %s %s report, want a coverage beacon", r, rep.GetKind(), rep.GetType())
		}
		want, err := kcov.BeaconPayload(ent.Block.Hash, local[:], ledger.Address(b.Key().Address()))
		if err != nil {
			t.Fatal(err)
		}
		freq, _ := kcov.BeaconFrequency(kcov.Region(r), want)
		plan, _ := r.Plan()
		if !bytes.Equal(bc.GetPayload(), want) || !bytes.Equal(frame.Payload, want) {
			t.Errorf("%s: got payload %x, want %x", r, bc.GetPayload(), want)
		}
		if bc.GetFrequency() != freq || frame.FrequencyHz != freq {
			t.Errorf("%s: got frequency %d, want %d", r, bc.GetFrequency(), freq)
		}
		if bc.GetTxPower() != plan.MaxTxPowerDBm*10 || bc.GetRegion() != r.String() || !bytes.Equal(bc.GetLocalEntropy(), local[:]) {
			t.Errorf("%s: got power %d region %q local %x, want %d %q %x", r, bc.GetTxPower(), bc.GetRegion(), bc.GetLocalEntropy(), plan.MaxTxPowerDBm*10, r, local)
		}
	}
}

func TestBuilderRefuses(t *testing.T) {
	b := testBuilder(t, 4)
	ent := testEntropy(5)
	_, frame, err := Beacon(b, ent, RegionEU868, [4]byte{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Witness(b, ent, Heard{Frame: frame, FrequencyHz: frame.FrequencyHz}); err == nil {
		t.Error("witness of own beacon: got nil error")
	}
	if _, err := Heartbeat(b, ent, 0, time.Second); err == nil {
		t.Error("heartbeat without a cell: got nil error")
	}
	if _, _, err := Beacon(b, ent, RegionUnknown, [4]byte{}); err == nil {
		t.Error("beacon in an unknown region: got nil error")
	}
}
