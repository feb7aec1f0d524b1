package device

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

func TestSetDenied(t *testing.T) {
	f := newRegistryFix(t)
	typ, raw := SetDeniedMsg(f.cov, true, "witness forging ring")
	f.mustRun(f.authority, typ, raw)
	if reason, ok := Denied(f.st, f.cov); !ok || reason != "witness forging ring" {
		t.Fatalf("got denied %v (%q), want true with the reason", ok, reason)
	}
	if _, ok := Denied(f.st, f.sen); ok {
		t.Fatalf("another device is denied too")
	}
	typ, raw = SetDeniedMsg(f.cov, false, "")
	f.mustRun(f.authority, typ, raw)
	if _, ok := Denied(f.st, f.cov); ok {
		t.Fatalf("got denied after lifting it, want not denied")
	}
}

func TestSetDeniedRejects(t *testing.T) {
	stranger := testAddr("stranger")
	tests := []struct {
		name   string
		signer func(f *registryFix) ledger.Address
		setup  func(f *registryFix)
		raw    func(f *registryFix) []byte
		code   ledger.Code
	}{
		{"garbage", nil, nil, func(*registryFix) []byte { return []byte{0x0a, 0x05} }, ledger.CodeMalformed},
		{"device malformed", nil, nil, func(f *registryFix) []byte {
			return ledger.Encode(&devicev1.MsgSetDenied{Device: f.cov[:3], Denied: true, Reason: "x"})
		}, ledger.CodeInvalidAddress},
		{"no reason", nil, nil, func(f *registryFix) []byte { _, r := SetDeniedMsg(f.cov, true, ""); return r }, ledger.CodeMalformed},
		{"reason when lifting", nil, nil, func(f *registryFix) []byte { _, r := SetDeniedMsg(f.cov, false, "why"); return r }, ledger.CodeMalformed},
		{"reason too long", nil, nil, func(f *registryFix) []byte {
			_, r := SetDeniedMsg(f.cov, true, string(make([]byte, 129)))
			return r
		}, ledger.CodeTooLarge},
		{"not the authority", func(f *registryFix) ledger.Address { return f.owner }, nil, func(f *registryFix) []byte {
			_, r := SetDeniedMsg(f.cov, true, "spoofing")
			return r
		}, ledger.CodeUnauthorized},
		{"unknown device", nil, nil, func(f *registryFix) []byte { _, r := SetDeniedMsg(stranger, true, "spoofing"); return r }, ledger.CodeUnknownDevice},
		{"lift when not denied", nil, nil, func(f *registryFix) []byte { _, r := SetDeniedMsg(f.cov, false, ""); return r }, CodeDenyUnchanged},
		{"deny twice", nil, func(f *registryFix) {
			typ, r := SetDeniedMsg(f.cov, true, "spoofing")
			f.mustRun(f.authority, typ, r)
		}, func(f *registryFix) []byte { _, r := SetDeniedMsg(f.cov, true, "again"); return r }, CodeDenyUnchanged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newRegistryFix(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			signer := f.authority
			if tc.signer != nil {
				signer = tc.signer(f)
			}
			f.reject(signer, TypeSetDenied, tc.raw(f), tc.code)
		})
	}
}
