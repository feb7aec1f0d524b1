package reward

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// settleEpoch has the single fixture oracle settle epoch n with shares.
func settleEpoch(t *testing.T, f *fixture, n uint64, prior []Entry, shares []uint64) Output {
	t.Helper()
	f.openFor(n)
	out := f.epochResult(n, prior, shares)
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(out)); e != nil {
		t.Fatalf("settle epoch %d: %v", n, e)
	}
	return out
}

func TestClaim(t *testing.T) {
	f := newFixture(t, 3, 1)
	dev := deviceAddr(1)
	wantCode(t, "claim before any settlement", f.exec(ownerAddr(1), TypeClaim,
		&rewardv1.MsgClaim{Device: dev[:], Cumulative: 1, Size: 1}), CodeNoSettledRoot)

	out0 := settleEpoch(t, f, 0, nil, []uint64{1, 3, 0})
	i, _ := out0.Manifest.Find(dev)
	want0 := out0.Manifest.Entries[i].Cumulative
	// A stranger sends the claim; the owner is paid.
	if e := f.exec(stranger, TypeClaim, claimMsg(t, out0.Manifest, dev)); e != nil {
		t.Fatal(e)
	}
	if got := bank.Balance(f.st, ownerAddr(1)); got != want0 {
		t.Fatalf("owner balance %d, want %d", got, want0)
	}
	if got := bank.Balance(f.st, stranger); got != 0 {
		t.Fatalf("sender balance %d, want 0", got)
	}
	if got := Claimed(f.st, dev); got != want0 {
		t.Fatalf("claimed %d, want %d", got, want0)
	}
	before := f.dump()
	wantCode(t, "double claim", f.exec(ownerAddr(1), TypeClaim, claimMsg(t, out0.Manifest, dev)), CodeNothingToClaim)
	if f.dump() != before {
		t.Fatalf("double claim changed state")
	}

	// Epoch 1 adds to the cumulative total; the device changes hands first.
	newOwner := fixtureAddr("new-owner")
	transfer, _ := proto.Marshal(&devicev1.MsgTransfer{Device: dev[:], NewOwner: newOwner[:]})
	rt := ledger.NewRouter()
	device.Register(kind.NewRegistry(coverage.Kind{}))(rt)
	h, _ := rt.Handler(device.TypeTransfer)
	if e := h(&ledger.Context{Store: f.st, Height: f.height + 1, Signer: ownerAddr(1)}, transfer); e != nil {
		t.Fatalf("transfer: %v", e)
	}
	out1 := settleEpoch(t, f, 1, out0.Manifest.Entries, []uint64{1, 1, 1})
	i, _ = out1.Manifest.Find(dev)
	want1 := out1.Manifest.Entries[i].Cumulative
	wantCode(t, "proof against the old root", f.exec(newOwner, TypeClaim, claimMsg(t, out0.Manifest, dev)), CodeBadProof)
	if e := f.exec(newOwner, TypeClaim, claimMsg(t, out1.Manifest, dev)); e != nil {
		t.Fatal(e)
	}
	if got := bank.Balance(f.st, newOwner); got != want1-want0 {
		t.Fatalf("new owner paid %d, want the difference %d", got, want1-want0)
	}
	if got := bank.Balance(f.st, ownerAddr(1)); got != want0 {
		t.Fatalf("old owner holds %d, want %d", got, want0)
	}
	if got, want := bank.Balance(f.st, RewardPool), Owed(f.st); got != want {
		t.Fatalf("reward pool %d, owed %d", got, want)
	}
}

func TestClaimRejections(t *testing.T) {
	f := newFixture(t, 3, 1)
	out := settleEpoch(t, f, 0, nil, []uint64{2, 3, 0})
	dev := deviceAddr(0)
	mod := func(fn func(m *rewardv1.MsgClaim)) *rewardv1.MsgClaim {
		m := claimMsg(t, out.Manifest, dev)
		fn(m)
		return m
	}
	other := deviceAddr(1)
	tests := []struct {
		name string
		msg  *rewardv1.MsgClaim
		code ledger.Code
	}{
		{"amount too high", mod(func(m *rewardv1.MsgClaim) { m.Cumulative++ }), CodeBadProof},
		{"amount too low", mod(func(m *rewardv1.MsgClaim) { m.Cumulative-- }), CodeBadProof},
		{"zero amount", mod(func(m *rewardv1.MsgClaim) { m.Cumulative = 0 }), ledger.CodeInvalidAmount},
		{"another device's proof", mod(func(m *rewardv1.MsgClaim) { m.Device = other[:] }), CodeBadProof},
		{"flipped path bit", mod(func(m *rewardv1.MsgClaim) { m.Path[0][5] ^= 1 }), CodeBadProof},
		{"wrong index", mod(func(m *rewardv1.MsgClaim) { m.Index ^= 1 }), CodeBadProof},
		{"wrong size", mod(func(m *rewardv1.MsgClaim) { m.Size = 0 }), CodeBadProof},
		{"short path hash", mod(func(m *rewardv1.MsgClaim) { m.Path[0] = m.Path[0][:31] }), ledger.CodeMalformed},
		{"long path", mod(func(m *rewardv1.MsgClaim) { m.Path = make([][]byte, 65) }), ledger.CodeTooLarge},
		{"bad device address", mod(func(m *rewardv1.MsgClaim) { m.Device = m.Device[:19] }), ledger.CodeInvalidAddress},
		{"device without entry", func() *rewardv1.MsgClaim {
			d := deviceAddr(2)
			return &rewardv1.MsgClaim{Device: d[:], Cumulative: 5, Size: 2, Path: [][]byte{make([]byte, 32)}}
		}(), CodeBadProof},
	}
	before := f.dump()
	for _, tc := range tests {
		wantCode(t, tc.name, f.exec(ownerAddr(0), TypeClaim, tc.msg), tc.code)
		if f.dump() != before {
			t.Fatalf("%s: rejected claim changed state", tc.name)
		}
	}
	wantCode(t, "unknown field", f.execRaw(ownerAddr(0), TypeClaim, []byte{0xf8, 0x07, 0x01}), ledger.CodeMalformed)
}

func TestClaimUnregisteredDeviceAndShortPool(t *testing.T) {
	// A manifest naming a device the registry does not know (oracles are
	// trusted by quorum, not blindly): the claim is rejected.
	f := newFixture(t, 1, 1)
	f.openFor(0)
	ghost := fixtureAddr("ghost")
	ep, _ := GetEpoch(f.st, 0)
	out, err := Compute(Input{Epoch: 0, ScorerVersion: 1, Emission: ep.Emission, Pools: PoolsFromProto(ep.Pools),
		Shares: []Share{{Device: ghost, Pool: "coverage", Units: 1}, {Device: deviceAddr(0), Pool: "coverage", Units: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	// The oracle understates the device total: claims would exceed it.
	m := submitMsg(out)
	m.Pools[0].Paid, m.DeviceTotal = 1, 1
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, m); e != nil {
		t.Fatal(e)
	}
	wantCode(t, "unregistered device", f.exec(stranger, TypeClaim, claimMsg(t, out.Manifest, ghost)), ledger.CodeUnknownDevice)
	wantCode(t, "pool short", f.exec(stranger, TypeClaim, claimMsg(t, out.Manifest, deviceAddr(0))), CodePoolShort)
}
