package reward

import (
	"fmt"
	"strconv"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// The handler fuzz targets run arbitrary message bytes from one of four
// signers against a chain where epoch 0 is settled (so claims can succeed)
// and epoch 1 takes roots. Whatever the bytes, a handler must not panic; a
// rejection must change nothing (the fixture fails a handler that writes or
// emits before rejecting); an acceptance must keep the invariants.

// fuzzSigner picks a signer: an oracle, another oracle, the authority, a
// stranger.
func fuzzSigner(b uint8) ledger.Address {
	switch b % 4 {
	case 0:
		return oracleAddr(0)
	case 1:
		return oracleAddr(1)
	case 2:
		return authority
	}
	return stranger
}

// fuzzFixture settles epoch 0 and opens epoch 1 for roots.
func fuzzFixture(t testing.TB) (*fixture, Output, Output) {
	f := newFixture(t, 3, 2, 1)
	f.openFor(0)
	out0 := f.epochResult(0, nil, []uint64{3, 1, 0})
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(out0)); e != nil {
		t.Fatal(e)
	}
	f.openFor(1)
	out1 := f.epochResult(1, out0.Manifest.Entries, []uint64{0, 2, 5})
	return f, out0, out1
}

func fuzzHandler(f *testing.F, typ string) {
	_, out0, out1 := fuzzFixture(f)
	for _, s := range handlerSeeds(f, typ, out0, out1) {
		f.Add(s.signer, s.raw)
	}
	f.Fuzz(func(t *testing.T, signer uint8, raw []byte) {
		fx, _, _ := fuzzFixture(t)
		if e := fx.execRaw(fuzzSigner(signer), typ, raw); e != nil {
			if e.Code == ledger.CodeOK || e.Msg == "" {
				t.Fatalf("rejection without code or message: %+v", e)
			}
			return
		}
		if err := Invariants(fx.st); err != nil {
			t.Fatalf("accepted %s broke an invariant: %v", typ, err)
		}
	})
}

func FuzzSubmitRoot(f *testing.F)   { fuzzHandler(f, TypeSubmitRoot) }
func FuzzClaim(f *testing.F)        { fuzzHandler(f, TypeClaim) }
func FuzzSetOracle(f *testing.F)    { fuzzHandler(f, TypeSetOracle) }
func FuzzRemoveOracle(f *testing.F) { fuzzHandler(f, TypeRemoveOracle) }
func FuzzSetPools(f *testing.F)     { fuzzHandler(f, TypeSetPools) }

type handlerSeed struct {
	signer uint8
	raw    []byte
}

func mustMarshal(t testing.TB, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handlerSeeds are valid and nearly valid messages of each type.
func handlerSeeds(t testing.TB, typ string, out0, out1 Output) []handlerSeed {
	o1 := oracleAddr(1)
	var seeds []handlerSeed
	add := func(signer uint8, m proto.Message) { seeds = append(seeds, handlerSeed{signer, mustMarshal(t, m)}) }
	switch typ {
	case TypeSubmitRoot:
		good := submitMsg(out1)
		add(0, good)
		add(3, good)
		bad := submitMsg(out1)
		bad.DeviceTotal++
		add(1, bad)
		add(0, submitMsg(out0))
	case TypeClaim:
		add(3, claimMsg(t, out0.Manifest, deviceAddr(0)))
		add(3, claimMsg(t, out0.Manifest, deviceAddr(1)))
		forged := claimMsg(t, out0.Manifest, deviceAddr(0))
		forged.Cumulative++
		add(3, forged)
	case TypeSetOracle:
		add(2, &rewardv1.MsgSetOracle{Oracle: o1[:], Weight: 5})
		add(2, &rewardv1.MsgSetOracle{Oracle: stranger[:], Weight: 1})
		add(3, &rewardv1.MsgSetOracle{Oracle: stranger[:], Weight: 1})
		add(2, &rewardv1.MsgSetOracle{Oracle: stranger[:], Weight: 0})
	case TypeRemoveOracle:
		add(2, &rewardv1.MsgRemoveOracle{Oracle: o1[:]})
		add(2, &rewardv1.MsgRemoveOracle{Oracle: stranger[:]})
	case TypeSetPools:
		add(2, &rewardv1.MsgSetPools{Pools: PoolsToProto(DefaultPools())})
		add(2, &rewardv1.MsgSetPools{Pools: []*rewardv1.Pool{{Name: "treasury", Bps: 9999, Recipient: rewardv1.Recipient_RECIPIENT_TREASURY}}})
	}
	seeds = append(seeds, handlerSeed{0, nil}, handlerSeed{2, []byte{0xf8, 0x07, 0x01}})
	return seeds
}

// TestWriteHandlerCorpus writes the handler fuzz seed corpora under
// testdata/fuzz with -update.
func TestWriteHandlerCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpora")
	}
	_, out0, out1 := fuzzFixture(t)
	for target, typ := range map[string]string{
		"FuzzSubmitRoot": TypeSubmitRoot, "FuzzClaim": TypeClaim, "FuzzSetOracle": TypeSetOracle,
		"FuzzRemoveOracle": TypeRemoveOracle, "FuzzSetPools": TypeSetPools,
	} {
		for i, s := range handlerSeeds(t, typ, out0, out1) {
			writeSeed(t, target, i, fmt.Sprintf("byte(%d)", s.signer), fmt.Sprintf("[]byte(%s)", strconv.Quote(string(s.raw))))
		}
	}
}
