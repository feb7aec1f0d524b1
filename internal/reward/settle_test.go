package reward

import (
	"bytes"
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

func TestSettlementFlow(t *testing.T) {
	f := newFixture(t, 4, 1, 1, 1)
	f.openFor(0)
	out := f.epochResult(0, nil, []uint64{5, 3, 0, 2})
	good := submitMsg(out)
	bad := submitMsg(out)
	bad.Root[0] ^= 1
	supplyBefore := bank.GetSupply(f.st).Total

	for i, m := range []fixtureMsg{{oracleAddr(0), TypeSubmitRoot, good}, {oracleAddr(1), TypeSubmitRoot, bad}} {
		if e := f.exec(m.signer, m.typ, m.msg); e != nil {
			t.Fatalf("submission %d: %v", i, e)
		}
	}
	if _, ok := GetSettlement(f.st, 0); ok {
		t.Fatalf("epoch 0 settled with 1 of 3 weight agreeing")
	}
	if got := bank.GetSupply(f.st).Total; got != supplyBefore {
		t.Fatalf("supply %d before quorum, want %d", got, supplyBefore)
	}
	if e := f.exec(oracleAddr(2), TypeSubmitRoot, good); e != nil {
		t.Fatalf("third submission: %v", e)
	}
	s, ok := GetSettlement(f.st, 0)
	if !ok {
		t.Fatalf("epoch 0 not settled with 2 of 3 weight agreeing")
	}
	if !bytes.Equal(s.Root, out.Root[:]) {
		t.Errorf("settled root %x, want %x", s.Root, out.Root[:])
	}
	if got, want := bank.GetSupply(f.st).Total-supplyBefore, out.Emission; got != want {
		t.Errorf("minted %d, want the epoch's emission %d", got, want)
	}
	var deviceTotal uint64
	for _, d := range out.Devices {
		deviceTotal += d.Amount
	}
	if got := bank.Balance(f.st, RewardPool); got != deviceTotal {
		t.Errorf("reward pool holds %d, want the device total %d", got, deviceTotal)
	}
	if got := Owed(f.st); got != deviceTotal {
		t.Errorf("owed %d, want %d", got, deviceTotal)
	}
	// Oracles 0 and 2 agreed: each gets half the oracles pool, rounded down.
	oraclePool := out.Emission * 700 / BpsTotal
	for _, i := range []int{0, 2} {
		if got, want := bank.Balance(f.st, oracleAddr(i)), oraclePool/2; got != want {
			t.Errorf("oracle %d paid %d, want %d", i, got, want)
		}
	}
	if got := bank.Balance(f.st, oracleAddr(1)); got != 0 {
		t.Errorf("disagreeing oracle paid %d, want 0", got)
	}
	if got, want := bank.Balance(f.st, Treasury), out.Emission-deviceTotal-oraclePool/2*2; got != want || s.Treasury != want {
		t.Errorf("treasury holds %d (settlement says %d), want %d", got, s.Treasury, want)
	}
	if got, want := sortedAddrs(s.Disagreeing), []string{oracleAddr(1).String()}; !slices.Equal(got, want) {
		t.Errorf("disagreeing %v, want %v", got, want)
	}
	if s.AgreeWeight != 2 || s.TotalWeight != 3 {
		t.Errorf("agree/total weight %d/%d, want 2/3", s.AgreeWeight, s.TotalWeight)
	}
	if ep, _ := GetEpoch(f.st, 0); !ep.Settled || !ep.Sealed {
		t.Errorf("epoch 0 settled=%v sealed=%v, want both", ep.Settled, ep.Sealed)
	}
	if got := NextToSettle(f.st); got != 1 {
		t.Errorf("next to settle %d, want 1", got)
	}
	before := f.dump()
	wantCode(t, "late disagreeing submission", f.exec(oracleAddr(1), TypeSubmitRoot, bad), CodeEpochSettled)
	if f.dump() != before {
		t.Fatalf("a rejected submission changed state")
	}
}

func TestSettlementNeedsWeightedQuorum(t *testing.T) {
	// Oracle 0 alone holds 5 of 8: below 2/3. With oracle 1 (6 of 8) it settles.
	f := newFixture(t, 2, 5, 1, 2)
	f.openFor(0)
	m := submitMsg(f.epochResult(0, nil, []uint64{1, 1}))
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, m); e != nil {
		t.Fatal(e)
	}
	if _, ok := GetSettlement(f.st, 0); ok {
		t.Fatalf("settled with 5 of 8")
	}
	if e := f.exec(oracleAddr(1), TypeSubmitRoot, m); e != nil {
		t.Fatal(e)
	}
	if _, ok := GetSettlement(f.st, 0); !ok {
		t.Fatalf("not settled with 6 of 8")
	}
}

func TestSubmissionReplacedBeforeSettlement(t *testing.T) {
	f := newFixture(t, 2, 1, 1, 1)
	f.openFor(0)
	out := f.epochResult(0, nil, []uint64{1, 2})
	good, bad := submitMsg(out), submitMsg(out)
	bad.ScorerVersion = 9
	for _, m := range []fixtureMsg{{oracleAddr(0), TypeSubmitRoot, bad}, {oracleAddr(0), TypeSubmitRoot, good}} {
		if e := f.exec(m.signer, m.typ, m.msg); e != nil {
			t.Fatal(e)
		}
	}
	if s, _ := GetSubmission(f.st, 0, oracleAddr(0)); s.ScorerVersion != 1 {
		t.Fatalf("submission kept scorer version %d, want the replacement's 1", s.ScorerVersion)
	}
	if e := f.exec(oracleAddr(1), TypeSubmitRoot, good); e != nil {
		t.Fatal(e)
	}
	s, ok := GetSettlement(f.st, 0)
	if !ok || len(s.Disagreeing) != 0 {
		t.Fatalf("settled %v with disagreeing %v, want settled with none", ok, s.GetDisagreeing())
	}
}

func TestSubmitRootRejections(t *testing.T) {
	f := newFixture(t, 3, 1, 1, 1)
	f.advanceTo(fixtureEpochBlocks + 1) // epoch 0 ended, in its grace blocks
	out := f.epochResult(0, nil, []uint64{1, 2, 3})
	mod := func(fn func(m *rewardv1.MsgSubmitRoot)) *rewardv1.MsgSubmitRoot {
		m := submitMsg(out)
		fn(m)
		return m
	}
	good := submitMsg(out)
	tests := []struct {
		name   string
		signer ledger.Address
		msg    *rewardv1.MsgSubmitRoot
		open   bool // advance past the grace blocks first
		code   ledger.Code
	}{
		{"in grace blocks", oracleAddr(0), good, false, CodeEpochNotOpen},
		{"non-oracle", stranger, good, true, CodeNotOracle},
		{"authority is no oracle", authority, good, true, CodeNotOracle},
		{"running epoch", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) { m.Epoch = 1 }), true, CodeEpochNotOpen},
		{"future epoch", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) { m.Epoch = 99 }), true, CodeUnknownEpoch},
		{"short root", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) { m.Root = m.Root[:31] }), true, ledger.CodeMalformed},
		{"missing pool", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) { m.Pools = nil; m.DeviceTotal = 0 }), true, CodeTotalsMismatch},
		{"wrong pool name", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) { m.Pools[0].Name = "storage" }), true, CodeTotalsMismatch},
		{"extra pool", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) {
			m.Pools = append(m.Pools, &rewardv1.PoolPaid{Name: "oracles"})
		}), true, CodeTotalsMismatch},
		{"pool pays more than its slice", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) {
			m.Pools[0].Paid = out.Emission
			m.DeviceTotal = out.Emission
		}), true, CodeTotalsMismatch},
		{"device total not the sum", oracleAddr(0), mod(func(m *rewardv1.MsgSubmitRoot) { m.DeviceTotal++ }), true, CodeTotalsMismatch},
	}
	opened := false
	for _, tc := range tests {
		if tc.open && !opened {
			f.openFor(0)
			opened = true
		}
		before := f.dump()
		wantCode(t, tc.name, f.exec(tc.signer, TypeSubmitRoot, tc.msg), tc.code)
		if f.dump() != before {
			t.Fatalf("%s: rejected submission changed state", tc.name)
		}
	}
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, good); e != nil {
		t.Fatal(e)
	}
	before := f.dump()
	wantCode(t, "duplicate", f.exec(oracleAddr(0), TypeSubmitRoot, good), CodeDuplicateSubmission)
	wantCode(t, "unknown field", f.execRaw(oracleAddr(1), TypeSubmitRoot, []byte{0xf8, 0x07, 0x01}), ledger.CodeMalformed)
	wantCode(t, "garbage", f.execRaw(oracleAddr(1), TypeSubmitRoot, []byte{0xff}), ledger.CodeMalformed)
	if f.dump() != before {
		t.Fatalf("rejections changed state")
	}
}

func TestEpochsSettleInOrder(t *testing.T) {
	f := newFixture(t, 2, 1)
	f.openFor(1)
	out1 := f.epochResult(1, nil, []uint64{1, 1})
	wantCode(t, "epoch 1 before 0", f.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(out1)), CodeEpochNotOpen)
	out0 := f.epochResult(0, nil, []uint64{1, 1})
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(out0)); e != nil {
		t.Fatal(e)
	}
	out1 = f.epochResult(1, out0.Manifest.Entries, []uint64{1, 1})
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(out1)); e != nil {
		t.Fatal(e)
	}
	s, ok := LatestSettlement(f.st)
	if !ok || s.Epoch != 1 {
		t.Fatalf("latest settlement %v, want epoch 1", s)
	}
	// The halving (every 3 epochs) shows in the recorded emissions.
	for n, want := range map[uint64]uint64{0: 1_000_003, 2: 1_000_003, 3: 500_001} {
		f.advanceTo(int64(n+1) * fixtureEpochBlocks)
		if ep, _ := GetEpoch(f.st, n); ep.Emission != want {
			t.Errorf("epoch %d emission %d, want %d", n, ep.Emission, want)
		}
	}
}
