package device

import (
	"bytes"
	"slices"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// onboarding is a checked onboarding: the records to write and the fee.
type onboarding struct {
	device *devicev1.Device
	maker  *devicev1.Maker
	fee    uint64
}

// checkCertificate validates a certificate's fields and the registry state
// it refers to (maker registered and certifying the kind; key and serial
// unused). It does not verify signatures.
func checkCertificate(st ledger.Store, c *devicev1.Certificate) (*devicev1.Maker, ledger.Address, *ledger.Error) {
	var id ledger.Address
	makerID, err := ledger.AddressFromBytes(c.Maker)
	if err != nil {
		return nil, id, ledger.Errorf(ledger.CodeInvalidAddress, "certificate maker: %v", err)
	}
	if len(c.DevicePubKey) != sig.PubKeyLen {
		return nil, id, ledger.Errorf(ledger.CodeMalformed, "device public key is %d bytes, want %d", len(c.DevicePubKey), sig.PubKeyLen)
	}
	if e := checkText("serial", c.Serial, params.Get(st, MaxSerialLen), false); e != nil {
		return nil, id, e
	}
	mk, ok := GetMaker(st, makerID)
	if !ok {
		return nil, id, ledger.Errorf(ledger.CodeUnknownMaker, "no maker %s", makerID)
	}
	if !slices.Contains(mk.Kinds, c.Kind) {
		return nil, id, ledger.Errorf(ledger.CodeKindNotCertified, "maker %q may not certify %s devices", mk.Name, c.Kind)
	}
	id = ledger.AddressOf(c.DevicePubKey)
	if _, ok := GetDevice(st, id); ok {
		return nil, id, ledger.Errorf(ledger.CodeDeviceExists, "device %s is onboarded already", id)
	}
	if st.Get(serialKey(makerID, c.Serial)) != nil {
		return nil, id, ledger.Errorf(ledger.CodeSerialUsed, "maker %q serial %q is onboarded already", mk.Name, c.Serial)
	}
	return mk, id, nil
}

// checkOnboard runs every check of an onboarding message without writing.
func checkOnboard(ctx *ledger.Context, m *devicev1.MsgOnboard) (*onboarding, *ledger.Error) {
	var cert devicev1.Certificate
	if e := ledger.Unmarshal("certificate", m.Certificate, &cert); e != nil {
		return nil, e
	}
	var bind devicev1.Binding
	if e := ledger.Unmarshal("binding", m.Binding, &bind); e != nil {
		return nil, e
	}
	if bind.ChainId != ctx.ChainID {
		return nil, ledger.Errorf(ledger.CodeWrongChainID, "binding is for chain %q, this is %q", bind.ChainId, ctx.ChainID)
	}
	if !bytes.Equal(bind.DevicePubKey, cert.DevicePubKey) {
		return nil, ledger.Errorf(ledger.CodeMalformed, "binding and certificate name different device keys")
	}
	owner, err := ledger.AddressFromBytes(bind.Owner)
	if err != nil {
		return nil, ledger.Errorf(ledger.CodeInvalidAddress, "binding owner: %v", err)
	}
	if owner != ctx.Signer {
		return nil, ledger.Errorf(ledger.CodeUnauthorized, "device is bound to %s, not to the signer %s", owner, ctx.Signer)
	}
	mk, id, e := checkCertificate(ctx.Store, &cert)
	if e != nil {
		return nil, e
	}
	if !sig.Verify(mk.PubKey, sig.DomainCert, m.Certificate, m.MakerSignature) {
		return nil, ledger.Errorf(ledger.CodeBadSignature, "maker %q signature on the certificate does not verify", mk.Name)
	}
	if !sig.Verify(cert.DevicePubKey, sig.DomainBind, m.Binding, m.DeviceSignature) {
		return nil, ledger.Errorf(ledger.CodeBadSignature, "device signature on the binding does not verify")
	}
	count, ok := ledger.Add(mk.Devices, 1)
	if !ok {
		return nil, ledger.Errorf(ledger.CodeOverflow, "maker %q device count overflows", mk.Name)
	}
	if bal := bank.Balance(ctx.Store, ctx.Signer); bal < mk.OnboardFee {
		return nil, ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, onboarding with maker %q burns %d", ctx.Signer, bal, mk.Name, mk.OnboardFee)
	}
	mk.Devices = count
	return &onboarding{
		device: &devicev1.Device{
			Id: id[:], PubKey: cert.DevicePubKey, Kind: cert.Kind, Maker: mk.Id,
			Serial: cert.Serial, Owner: owner[:], OnboardedHeight: ctx.Height,
		},
		maker: mk,
		fee:   mk.OnboardFee,
	}, nil
}

// writeOnboard writes a checked onboarding: the device, its serial, its
// indexes and the maker's count.
func writeOnboard(st ledger.Store, o *onboarding) {
	putDevice(st, o.device)
	addIndexes(st, o.device)
	makerID, _ := ledger.AddressFromBytes(o.maker.Id)
	st.Set(serialKey(makerID, o.device.Serial), o.device.Id)
	putMaker(st, o.maker)
}

func handleOnboard(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m devicev1.MsgOnboard
	if e := ledger.Unmarshal(TypeOnboard, raw, &m); e != nil {
		return e
	}
	o, e := checkOnboard(ctx, &m)
	if e != nil {
		return e
	}
	if e := bank.Burn(ctx.Store, ctx.Signer, o.fee); e != nil {
		return e // Burn changes nothing on failure, and nothing is written yet
	}
	writeOnboard(ctx.Store, o)
	id, _ := ledger.AddressFromBytes(o.device.Id)
	makerID, _ := ledger.AddressFromBytes(o.maker.Id)
	ctx.Emit("device.onboarded",
		ledger.A("device", id.String()), ledger.A("owner", ctx.Signer.String()),
		ledger.A("maker", makerID.String()), ledger.A("kind", o.device.Kind),
		ledger.A("serial", o.device.Serial), ledger.AU64("burned", o.fee))
	return nil
}
