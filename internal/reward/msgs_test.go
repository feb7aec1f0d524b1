package reward

import (
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

func TestOracleSetMessages(t *testing.T) {
	f := newFixture(t, 0)
	o := oracleAddr(0)
	tests := []struct {
		name   string
		signer ledger.Address
		typ    string
		msg    *rewardv1.MsgSetOracle
		code   ledger.Code
	}{
		{"not authority", stranger, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: o[:], Weight: 1}, ledger.CodeUnauthorized},
		{"zero weight", authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: o[:], Weight: 0}, ledger.CodeParamOutOfBounds},
		{"weight above max", authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: o[:], Weight: MaxOracleWeight.Default + 1}, ledger.CodeParamOutOfBounds},
		{"short address", authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: o[:19], Weight: 1}, ledger.CodeInvalidAddress},
		{"zero address", authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: make([]byte, 20), Weight: 1}, ledger.CodeInvalidAddress},
		{"add", authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: o[:], Weight: 3}, ledger.CodeOK},
		{"reweigh", authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: o[:], Weight: 7}, ledger.CodeOK},
	}
	for _, tc := range tests {
		before := f.dump()
		wantCode(t, tc.name, f.exec(tc.signer, tc.typ, tc.msg), tc.code)
		if tc.code != ledger.CodeOK && f.dump() != before {
			t.Fatalf("%s: rejection changed state", tc.name)
		}
	}
	if got := OracleWeight(f.st, o); got != 7 {
		t.Fatalf("weight %d, want 7", got)
	}
	for i := 1; i < int(MaxOracles.Default); i++ {
		a := oracleAddr(i)
		if e := f.exec(authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: a[:], Weight: 1}); e != nil {
			t.Fatalf("oracle %d: %v", i, e)
		}
	}
	extra := stranger
	wantCode(t, "set full", f.exec(authority, TypeSetOracle, &rewardv1.MsgSetOracle{Oracle: extra[:], Weight: 1}), CodeOracleSetFull)
	wantCode(t, "remove by stranger", f.exec(stranger, TypeRemoveOracle, &rewardv1.MsgRemoveOracle{Oracle: o[:]}), ledger.CodeUnauthorized)
	wantCode(t, "remove unknown", f.exec(authority, TypeRemoveOracle, &rewardv1.MsgRemoveOracle{Oracle: extra[:]}), CodeUnknownOracle)
	wantCode(t, "remove", f.exec(authority, TypeRemoveOracle, &rewardv1.MsgRemoveOracle{Oracle: o[:]}), ledger.CodeOK)
	if got := OracleWeight(f.st, o); got != 0 {
		t.Fatalf("removed oracle has weight %d", got)
	}
	if got := len(Oracles(f.st)); got != int(MaxOracles.Default)-1 {
		t.Fatalf("%d oracles, want %d", got, MaxOracles.Default-1)
	}
}

func TestSetPools(t *testing.T) {
	f := newFixture(t, 0)
	devices, oracles, tr := rewardv1.Recipient_RECIPIENT_DEVICES, rewardv1.Recipient_RECIPIENT_ORACLES, rewardv1.Recipient_RECIPIENT_TREASURY
	valid := []*rewardv1.Pool{{Name: "coverage", Bps: 5000, Recipient: devices, Kind: "coverage"},
		{Name: "storage", Bps: 3000, Recipient: devices, Kind: "storage"},
		{Name: "oracles", Bps: 500, Recipient: oracles}, {Name: "treasury", Bps: 1500, Recipient: tr}}
	tests := []struct {
		name   string
		signer ledger.Address
		pools  []*rewardv1.Pool
		code   ledger.Code
	}{
		{"not authority", stranger, valid, ledger.CodeUnauthorized},
		{"empty", authority, nil, ledger.CodeParamOutOfBounds},
		{"sum below 10000", authority, valid[:3], ledger.CodeParamOutOfBounds},
		{"duplicate", authority, []*rewardv1.Pool{{Name: "a", Bps: 5000, Recipient: tr}, {Name: "a", Bps: 5000, Recipient: tr}}, ledger.CodeParamOutOfBounds},
		{"bad name", authority, []*rewardv1.Pool{{Name: "Cover age", Bps: 10000, Recipient: tr}}, ledger.CodeParamOutOfBounds},
		{"no recipient", authority, []*rewardv1.Pool{{Name: "coverage", Bps: 10000, Kind: "coverage"}}, ledger.CodeParamOutOfBounds},
		{"unknown recipient", authority, []*rewardv1.Pool{{Name: "coverage", Bps: 10000, Recipient: rewardv1.Recipient(recipientLast + 1)}}, ledger.CodeParamOutOfBounds},
		{"device pool without kind", authority, []*rewardv1.Pool{{Name: "coverage", Bps: 10000, Recipient: devices}}, ledger.CodeParamOutOfBounds},
		{"oracles pool with kind", authority, []*rewardv1.Pool{{Name: "coverage", Bps: 9000, Recipient: devices, Kind: "coverage"},
			{Name: "oracles", Bps: 1000, Recipient: oracles, Kind: "coverage"}}, ledger.CodeParamOutOfBounds},
		{"two treasury pools", authority, []*rewardv1.Pool{{Name: "a", Bps: 5000, Recipient: tr}, {Name: "b", Bps: 5000, Recipient: tr}}, ledger.CodeParamOutOfBounds},
		{"too many", authority, make([]*rewardv1.Pool, maxPools+1), ledger.CodeTooLarge},
	}
	for _, tc := range tests {
		before := f.dump()
		wantCode(t, tc.name, f.exec(tc.signer, TypeSetPools, &rewardv1.MsgSetPools{Pools: tc.pools}), tc.code)
		if f.dump() != before {
			t.Fatalf("%s: rejection changed state", tc.name)
		}
	}
	// A change in epoch 0 applies when epoch 0 ends; epochs that ended keep theirs.
	if e := f.exec(authority, TypeSetPools, &rewardv1.MsgSetPools{Pools: valid}); e != nil {
		t.Fatal(e)
	}
	f.advanceTo(fixtureEpochBlocks)
	ep, _ := GetEpoch(f.st, 0)
	if got, want := PoolsFromProto(ep.Pools), PoolsFromProto(valid); !slices.Equal(got, want) {
		t.Fatalf("epoch 0 pools %v, want %v", got, want)
	}
	if e := f.exec(authority, TypeSetPools, &rewardv1.MsgSetPools{Pools: valid[3:]}); e == nil {
		t.Fatalf("a treasury-only list of 1500 bps was accepted")
	}
	if e := f.exec(authority, TypeSetPools, &rewardv1.MsgSetPools{Pools: []*rewardv1.Pool{{Name: "treasury", Bps: 10000, Recipient: tr}}}); e != nil {
		t.Fatal(e)
	}
	ep, _ = GetEpoch(f.st, 0)
	if got := len(ep.Pools); got != 4 {
		t.Fatalf("ended epoch 0 now has %d pools, want its 4", got)
	}
}
