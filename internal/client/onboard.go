package client

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// CertFile is a maker's signed certificate for one device, as
// `depin device certify` writes it. Certificate holds the encoded
// devicev1.Certificate exactly as signed; the other fields repeat it for
// people and are checked against it when the file is read.
type CertFile struct {
	Maker          string `json:"maker"`
	MakerPubKey    string `json:"maker_pub_key"`
	DevicePubKey   string `json:"device_pub_key"`
	Kind           string `json:"kind"`
	Serial         string `json:"serial"`
	Certificate    string `json:"certificate"`
	MakerSignature string `json:"maker_signature"`
}

// Certify has a maker sign a certificate for a device key.
func Certify(makerPriv sig.PrivateKey, devicePub []byte, kind string, serial string) (CertFile, error) {
	if len(devicePub) != sig.PubKeyLen {
		return CertFile{}, fmt.Errorf("client: certify: device public key is %d bytes, want %d", len(devicePub), sig.PubKeyLen)
	}
	if kind == "" {
		return CertFile{}, fmt.Errorf("client: certify: empty kind")
	}
	if serial == "" {
		return CertFile{}, fmt.Errorf("client: certify: empty serial")
	}
	makerPub := sig.PublicOf(makerPriv)
	makerID := ledger.AddressOf(makerPub)
	cert, s := device.NewCertificate(makerPriv, makerID, devicePub, kind, serial)
	return CertFile{
		Maker: makerID.String(), MakerPubKey: hex.EncodeToString(makerPub), DevicePubKey: hex.EncodeToString(devicePub),
		Kind: kind, Serial: serial,
		Certificate: hex.EncodeToString(cert), MakerSignature: hex.EncodeToString(s),
	}, nil
}

// Open checks a certificate file: the signed bytes decode, the readable
// fields match them, and the maker's signature verifies. It returns the
// decoded certificate, its bytes and the signature.
func (f CertFile) Open() (*devicev1.Certificate, []byte, []byte, error) {
	raw, err1 := hex.DecodeString(f.Certificate)
	s, err2 := hex.DecodeString(f.MakerSignature)
	pub, err3 := hex.DecodeString(f.MakerPubKey)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, nil, nil, fmt.Errorf("client: certificate file: certificate, maker_signature and maker_pub_key must be hex")
	}
	var c devicev1.Certificate
	if err := proto.Unmarshal(raw, &c); err != nil {
		return nil, nil, nil, fmt.Errorf("client: certificate file: decode certificate: %w", err)
	}
	maker, _ := ledger.AddressFromBytes(c.Maker)
	switch {
	case maker.String() != f.Maker || ledger.AddressOf(pub) != maker:
		return nil, nil, nil, fmt.Errorf("client: certificate file: maker %s does not match the signed certificate", f.Maker)
	case hex.EncodeToString(c.DevicePubKey) != f.DevicePubKey:
		return nil, nil, nil, fmt.Errorf("client: certificate file: device_pub_key does not match the signed certificate")
	case c.Kind != f.Kind || c.Serial != f.Serial:
		return nil, nil, nil, fmt.Errorf("client: certificate file: kind or serial does not match the signed certificate")
	case !sig.Verify(pub, sig.DomainCert, raw, s):
		return nil, nil, nil, fmt.Errorf("client: certificate file: maker signature does not verify")
	}
	return &c, raw, s, nil
}

// OnboardFile holds everything `depin tx device onboard` sends: the
// maker's certificate and the device's binding to its owner on a chain,
// both signed, as `depin device bind` writes it.
type OnboardFile struct {
	ChainID         string   `json:"chain_id"`
	Owner           string   `json:"owner"`
	Device          string   `json:"device"`
	Cert            CertFile `json:"cert"`
	Binding         string   `json:"binding"`
	DeviceSignature string   `json:"device_signature"`
}

// Bind has a device sign its binding to owner on chainID, for a
// certificate of its own key.
func Bind(devicePriv sig.PrivateKey, chainID string, owner ledger.Address, cert CertFile) (OnboardFile, error) {
	c, _, _, err := cert.Open()
	if err != nil {
		return OnboardFile{}, err
	}
	pub := sig.PublicOf(devicePriv)
	if !bytes.Equal(c.DevicePubKey, pub) {
		return OnboardFile{}, fmt.Errorf("client: bind: certificate is for device key %x, not this device's %x", c.DevicePubKey, []byte(pub))
	}
	if chainID == "" {
		return OnboardFile{}, fmt.Errorf("client: bind: empty chain id")
	}
	b, s := device.NewBinding(devicePriv, chainID, owner)
	return OnboardFile{
		ChainID: chainID, Owner: owner.String(), Device: ledger.AddressOf(pub).String(), Cert: cert,
		Binding: hex.EncodeToString(b), DeviceSignature: hex.EncodeToString(s),
	}, nil
}

// Msg checks the file (certificate, binding and both signatures agree)
// and returns the device/onboard message.
func (f OnboardFile) Msg() (*txv1.Msg, error) {
	c, cert, certSig, err := f.Cert.Open()
	if err != nil {
		return nil, err
	}
	raw, err1 := hex.DecodeString(f.Binding)
	s, err2 := hex.DecodeString(f.DeviceSignature)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("client: onboard file: binding and device_signature must be hex")
	}
	var b devicev1.Binding
	if err := proto.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("client: onboard file: decode binding: %w", err)
	}
	owner, _ := ledger.AddressFromBytes(b.Owner)
	switch {
	case b.ChainId != f.ChainID || owner.String() != f.Owner:
		return nil, fmt.Errorf("client: onboard file: chain_id or owner does not match the signed binding")
	case !bytes.Equal(b.DevicePubKey, c.DevicePubKey):
		return nil, fmt.Errorf("client: onboard file: binding and certificate name different device keys")
	case ledger.AddressOf(b.DevicePubKey).String() != f.Device:
		return nil, fmt.Errorf("client: onboard file: device %s does not match the signed binding", f.Device)
	case !sig.Verify(b.DevicePubKey, sig.DomainBind, raw, s):
		return nil, fmt.Errorf("client: onboard file: device signature does not verify")
	}
	typ, val := device.OnboardMsg(cert, certSig, raw, s)
	return &txv1.Msg{Type: typ, Value: val}, nil
}
