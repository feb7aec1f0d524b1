package device

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

func TestTransferMovesOwnerIndex(t *testing.T) {
	f := newRegistryFix(t)
	f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, cellLisbon12, 10, 2))
	buyer := testAddr("buyer")
	typ, raw := TransferMsg(f.cov, buyer)
	f.mustRun(f.owner, typ, raw)
	if d := f.device(f.cov); !eqBytes(d.Owner, buyer[:]) {
		t.Fatalf("got owner %x, want buyer", d.Owner)
	}
	if hasIndex(f.st, ownerKey(f.owner, f.cov)) || !hasIndex(f.st, ownerKey(buyer, f.cov)) {
		t.Errorf("owner index not moved to the buyer")
	}
	if !hasIndex(f.st, cellKey(cellLisbon12, f.cov)) || !hasIndex(f.st, kindKey(kCov, f.cov)) {
		t.Errorf("transfer lost the cell or kind index")
	}
	mine, _ := ListDevices(f.st, Filter{Owner: &f.owner}, Page{})
	theirs, _ := ListDevices(f.st, Filter{Owner: &buyer}, Page{})
	if len(mine) != 1 || !eqBytes(mine[0].Id, f.sen[:]) || len(theirs) != 1 || !eqBytes(theirs[0].Id, f.cov[:]) {
		t.Errorf("got owner lists %v / %v, want [sen] / [cov]", ids(mine), ids(theirs))
	}
	// The old owner can no longer act on it; the new one can.
	f.reject(f.owner, TypeAssertLocation, assertRaw(f.cov, cellPorto12, 0, 0), ledger.CodeUnauthorized)
	f.fund(buyer, AssertFee.Default)
	f.mustRun(buyer, TypeAssertLocation, assertRaw(f.cov, cellPorto12, 0, 0))
	last := f.events[len(f.events)-2]
	if last.Type != "device.transferred" {
		t.Errorf("got event %s, want device.transferred", last.Type)
	}
}

func TestTransferRejects(t *testing.T) {
	buyer := testAddr("buyer")
	stranger := testAddr("stranger")
	tests := []struct {
		name   string
		signer *ledger.Address
		setup  func(f *registryFix)
		raw    func(f *registryFix) []byte
		code   ledger.Code
	}{
		{"garbage", nil, nil, func(*registryFix) []byte { return []byte{0x12, 0x01} }, ledger.CodeMalformed},
		{"new owner malformed", nil, nil, func(f *registryFix) []byte {
			return ledger.Encode(msgTransfer(f.cov[:], buyer[:5]))
		}, ledger.CodeInvalidAddress},
		{"new owner zero", nil, nil, func(f *registryFix) []byte {
			_, r := TransferMsg(f.cov, ledger.Address{})
			return r
		}, ledger.CodeInvalidAddress},
		{"device malformed", nil, nil, func(f *registryFix) []byte { return ledger.Encode(msgTransfer(nil, buyer[:])) }, ledger.CodeInvalidAddress},
		{"unknown device", nil, nil, func(f *registryFix) []byte {
			_, r := TransferMsg(stranger, buyer)
			return r
		}, ledger.CodeUnknownDevice},
		{"not the owner", &stranger, nil, func(f *registryFix) []byte {
			_, r := TransferMsg(f.cov, buyer)
			return r
		}, ledger.CodeUnauthorized},
		{"to the owner", nil, nil, func(f *registryFix) []byte {
			_, r := TransferMsg(f.cov, f.owner)
			return r
		}, ledger.CodeInvalidAddress},
		{"decommissioned", nil, func(f *registryFix) {
			typ, r := DecommissionMsg(f.cov)
			f.mustRun(f.owner, typ, r)
		}, func(f *registryFix) []byte {
			_, r := TransferMsg(f.cov, buyer)
			return r
		}, ledger.CodeDeviceDecommissioned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRegistryFix(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			signer := f.owner
			if tt.signer != nil {
				signer = *tt.signer
			}
			f.reject(signer, TypeTransfer, tt.raw(f), tt.code)
		})
	}
}

func TestDecommission(t *testing.T) {
	f := newRegistryFix(t)
	f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, cellLisbon12, 10, 2))
	f.height = 77
	typ, raw := DecommissionMsg(f.cov)
	f.mustRun(f.owner, typ, raw)
	d := f.device(f.cov)
	if IsActive(d) || d.DecommissionedHeight != 77 {
		t.Fatalf("got decommissioned height %d, want 77", d.DecommissionedHeight)
	}
	if hasIndex(f.st, cellKey(cellLisbon12, f.cov)) || hasIndex(f.st, kindKey(kCov, f.cov)) {
		t.Errorf("decommissioned device still in the cell or kind index")
	}
	if !hasIndex(f.st, ownerKey(f.owner, f.cov)) {
		t.Errorf("decommissioned device left its owner's index")
	}
	if got, _ := ListDevices(f.st, Filter{Cell: ptr(cellLisbon12)}, Page{}); len(got) != 0 {
		t.Errorf("got %v in lisbon, want none", ids(got))
	}
	if got, _ := ListDevices(f.st, Filter{Owner: &f.owner}, Page{}); len(got) != 2 {
		t.Errorf("got %d devices of the owner, want 2 (one decommissioned)", len(got))
	}
	if got, _ := ListDevices(f.st, Filter{Owner: &f.owner, Active: true}, Page{}); len(got) != 1 {
		t.Errorf("got %d active devices of the owner, want 1", len(got))
	}
	var active []ledger.Address
	ActiveDevices(f.st, func(d *devicev1.Device) bool {
		a, _ := ledger.AddressFromBytes(d.Id)
		active = append(active, a)
		return true
	})
	if len(active) != 1 || active[0] != f.sen {
		t.Errorf("got active devices %v, want only the sensor", active)
	}
	stranger := testAddr("stranger")
	f.reject(stranger, TypeDecommission, raw, ledger.CodeUnauthorized)
	f.reject(f.owner, TypeDecommission, raw, ledger.CodeDeviceDecommissioned)
	_, unknown := DecommissionMsg(stranger)
	f.reject(f.owner, TypeDecommission, unknown, ledger.CodeUnknownDevice)
	f.reject(f.owner, TypeDecommission, []byte{0x0a, 0x02, 1}, ledger.CodeMalformed)
	f.reject(f.owner, TypeDecommission, ledger.Encode(msgDecommission(f.cov[:4])), ledger.CodeInvalidAddress)
}
