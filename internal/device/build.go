package device

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// publicOf returns the public half of an ed25519 private key. The builders
// take 64-byte private keys (seed then public key, the layout of
// crypto/ed25519 and of sig.GenerateKey); another length is a programming
// error and panics.
func publicOf(priv []byte) []byte {
	if len(priv) != 64 {
		panic("device: ed25519 private key must be 64 bytes")
	}
	return priv[32:]
}

// NewCertificate builds and signs a maker's certificate for a device: the
// encoded Certificate and the maker's signature over it (domain
// sig.DomainCert). makerID must be the address of makerPriv's public key.
func NewCertificate(makerPriv []byte, makerID ledger.Address, devicePub []byte, kind string, serial string) (cert, signature []byte) {
	_ = publicOf(makerPriv) // rejects a key of the wrong length
	cert = ledger.Encode(&devicev1.Certificate{Maker: makerID[:], DevicePubKey: devicePub, Kind: kind, Serial: serial})
	return cert, sig.Sign(makerPriv, sig.DomainCert, cert)
}

// NewBinding builds and signs a device's binding to its owner on a chain:
// the encoded Binding and the device's signature over it (domain
// sig.DomainBind).
func NewBinding(devicePriv []byte, chainID string, owner ledger.Address) (binding, signature []byte) {
	pub := publicOf(devicePriv)
	binding = ledger.Encode(&devicev1.Binding{ChainId: chainID, DevicePubKey: pub, Owner: owner[:]})
	return binding, sig.Sign(devicePriv, sig.DomainBind, binding)
}

// RegisterMakerMsg builds a device/register-maker message.
func RegisterMakerMsg(name string, pubKey []byte, kinds []string, onboardFee uint64) (string, []byte) {
	return TypeRegisterMaker, ledger.Encode(&devicev1.MsgRegisterMaker{Name: name, PubKey: pubKey, Kinds: kinds, OnboardFee: onboardFee})
}

// OnboardMsg builds a device/onboard message from signed onboarding material.
func OnboardMsg(cert, makerSig, binding, deviceSig []byte) (string, []byte) {
	return TypeOnboard, ledger.Encode(&devicev1.MsgOnboard{Certificate: cert, MakerSignature: makerSig, Binding: binding, DeviceSignature: deviceSig})
}

// Onboard builds a complete device/onboard message when one party holds both
// the maker's and the device's keys (devnet, simulated fleet, tests).
func Onboard(makerPriv, devicePriv []byte, kind string, serial, chainID string, owner ledger.Address) (string, []byte) {
	makerID := ledger.AddressOf(publicOf(makerPriv))
	cert, cs := NewCertificate(makerPriv, makerID, publicOf(devicePriv), kind, serial)
	bind, bs := NewBinding(devicePriv, chainID, owner)
	return OnboardMsg(cert, cs, bind, bs)
}

// AssertLocationMsg builds a device/assert-location message with the
// attributes the device's kind records (nil for none).
func AssertLocationMsg(device ledger.Address, cell uint64, attributes []byte) (string, []byte) {
	return TypeAssertLocation, ledger.Encode(&devicev1.MsgAssertLocation{Device: device[:], Cell: cell, Attributes: attributes})
}

// TransferMsg builds a device/transfer message.
func TransferMsg(device, newOwner ledger.Address) (string, []byte) {
	return TypeTransfer, ledger.Encode(&devicev1.MsgTransfer{Device: device[:], NewOwner: newOwner[:]})
}

// DecommissionMsg builds a device/decommission message.
func DecommissionMsg(device ledger.Address) (string, []byte) {
	return TypeDecommission, ledger.Encode(&devicev1.MsgDecommission{Device: device[:]})
}
