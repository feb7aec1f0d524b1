package device

import (
	"strings"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// onboardFix is a registry with maker "acme" (coverage, sensor) and a
// funded owner, ready to onboard device key "dev1".
type onboardFix struct {
	*env
	makerPriv  ed25519.PrivateKey
	makerID    ledger.Address
	devPub     ed25519.PublicKey
	devPriv    ed25519.PrivateKey
	owner      ledger.Address
	otherMaker ed25519.PrivateKey
}

func newOnboardFix(t *testing.T) *onboardFix {
	e := newEnv(t)
	f := &onboardFix{env: e, owner: testAddr("owner")}
	f.makerPriv = e.registerMaker("acme", makerFee, kCov, kSensor)
	f.makerID = ledger.AddressOf(f.makerPriv.Public().(ed25519.PublicKey))
	f.otherMaker = e.registerMaker("globex", 0, kStore)
	f.devPub, f.devPriv = testKey("dev1")
	e.fund(f.owner, ownerFunds)
	return f
}

// msg builds an onboarding message after letting mut change the documents.
func (f *onboardFix) msg(mut func(c *devicev1.Certificate, b *devicev1.Binding)) []byte {
	c := &devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "SN-1"}
	b := &devicev1.Binding{ChainId: testChain, DevicePubKey: f.devPub, Owner: f.owner[:]}
	if mut != nil {
		mut(c, b)
	}
	cert, bind := ledger.Encode(c), ledger.Encode(b)
	_, raw := OnboardMsg(cert, sig.Sign(f.makerPriv, sig.DomainCert, cert), bind, sig.Sign(f.devPriv, sig.DomainBind, bind))
	return raw
}

// raw builds an onboarding message from parts as given.
func raw(cert, makerSig, bind, devSig []byte) []byte {
	_, r := OnboardMsg(cert, makerSig, bind, devSig)
	return r
}

func TestOnboard(t *testing.T) {
	f := newOnboardFix(t)
	supply := bank.GetSupply(f.st)
	f.height = 9
	f.mustRun(f.owner, TypeOnboard, f.msg(nil))
	id := ledger.AddressOf(f.devPub)
	d := f.device(id)
	if d.Kind != kCov || d.Serial != "SN-1" || !eqBytes(d.Owner, f.owner[:]) || !eqBytes(d.Maker, f.makerID[:]) || d.OnboardedHeight != 9 || !IsActive(d) || d.Location != nil {
		t.Errorf("got device %v, want coverage SN-1 owned by owner, maker acme, height 9, active, no location", d)
	}
	if got, want := bank.Balance(f.st, f.owner), uint64(ownerFunds-makerFee); got != want {
		t.Errorf("got owner balance %d, want %d", got, want)
	}
	if got, want := bank.GetSupply(f.st).Burned, supply.Burned+makerFee; got != want {
		t.Errorf("got burned %d, want %d", got, want)
	}
	if m, _ := GetMaker(f.st, f.makerID); m.Devices != 1 {
		t.Errorf("got maker device count %d, want 1", m.Devices)
	}
	if !hasIndex(f.st, ownerKey(f.owner, id)) || !hasIndex(f.st, kindKey(kCov, id)) || !hasIndex(f.st, serialKey(f.makerID, "SN-1")) {
		t.Errorf("owner, kind or serial entry missing after onboarding")
	}
	if got, ok := DeviceByPubKey(f.st, f.devPub); !ok || !eqBytes(got.Id, id[:]) {
		t.Errorf("DeviceByPubKey: got %v %v, want device %s", got, ok, id)
	}
	last := f.events[len(f.events)-1]
	if last.Type != "device.onboarded" || last.Attrs[5].Value != "5000000" {
		t.Errorf("got event %v, want device.onboarded burning 5000000", last)
	}
}

func TestOnboardRejects(t *testing.T) {
	other := testAddr("other")
	strangerPub, strangerPriv := testKey("stranger")
	tests := []struct {
		name   string
		signer func(f *onboardFix) ledger.Address
		build  func(f *onboardFix) []byte
		code   ledger.Code
	}{
		{"garbage message", nil, func(f *onboardFix) []byte { return []byte{0x0a, 0x05, 1} }, ledger.CodeMalformed},
		{"garbage certificate", nil, func(f *onboardFix) []byte {
			return raw([]byte{0x12, 0x40}, nil, nil, nil)
		}, ledger.CodeMalformed},
		{"certificate with unknown field", nil, func(f *onboardFix) []byte {
			cert := append(ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"}), 0x78, 0x01)
			_, bind := f.binding(testChain, f.owner)
			return raw(cert, sig.Sign(f.makerPriv, sig.DomainCert, cert), bind, sig.Sign(f.devPriv, sig.DomainBind, bind))
		}, ledger.CodeMalformed},
		{"garbage binding", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			return raw(cert, sig.Sign(f.makerPriv, sig.DomainCert, cert), []byte{0x0a, 0x09, 'x'}, nil)
		}, ledger.CodeMalformed},
		{"wrong chain", nil, func(f *onboardFix) []byte {
			return f.msg(func(_ *devicev1.Certificate, b *devicev1.Binding) { b.ChainId = "other-chain" })
		}, ledger.CodeWrongChainID},
		{"binding to another owner", nil, func(f *onboardFix) []byte {
			return f.msg(func(_ *devicev1.Certificate, b *devicev1.Binding) { b.Owner = other[:] })
		}, ledger.CodeUnauthorized},
		{"signer is not the bound owner", func(*onboardFix) ledger.Address { return other }, func(f *onboardFix) []byte { return f.msg(nil) }, ledger.CodeUnauthorized},
		{"binding owner malformed", nil, func(f *onboardFix) []byte {
			return f.msg(func(_ *devicev1.Certificate, b *devicev1.Binding) { b.Owner = b.Owner[:19] })
		}, ledger.CodeInvalidAddress},
		{"binding names another device", nil, func(f *onboardFix) []byte {
			return f.msg(func(_ *devicev1.Certificate, b *devicev1.Binding) { b.DevicePubKey = strangerPub })
		}, ledger.CodeMalformed},
		{"maker id malformed", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Maker = c.Maker[:3] })
		}, ledger.CodeInvalidAddress},
		{"unknown maker", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Maker = other[:] })
		}, ledger.CodeUnknownMaker},
		{"kind not certified", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Kind = kStore })
		}, ledger.CodeKindNotCertified},
		{"kind unspecified", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Kind = "" })
		}, ledger.CodeKindNotCertified},
		{"kind unknown", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Kind = "weather" })
		}, ledger.CodeKindNotCertified},
		{"empty serial", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Serial = "" })
		}, ledger.CodeMalformed},
		{"serial with space", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Serial = "SN 1" })
		}, ledger.CodeMalformed},
		{"serial too long", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Serial = strings.Repeat("9", 65) })
		}, ledger.CodeTooLarge},
		{"short device key", nil, func(f *onboardFix) []byte {
			return f.msg(func(c *devicev1.Certificate, b *devicev1.Binding) {
				c.DevicePubKey = f.devPub[:31]
				b.DevicePubKey = f.devPub[:31]
			})
		}, ledger.CodeMalformed},
		{"certificate signed by another maker", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			bind, bs := f.binding(testChain, f.owner)
			return raw(cert, sig.Sign(f.otherMaker, sig.DomainCert, cert), bind, bs)
		}, ledger.CodeBadSignature},
		{"maker signature over other bytes", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			other := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "T"})
			bind, bs := f.binding(testChain, f.owner)
			return raw(cert, sig.Sign(f.makerPriv, sig.DomainCert, other), bind, bs)
		}, ledger.CodeBadSignature},
		{"maker signature under the bind domain", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			bind, bs := f.binding(testChain, f.owner)
			return raw(cert, sig.Sign(f.makerPriv, sig.DomainBind, cert), bind, bs)
		}, ledger.CodeBadSignature},
		{"missing maker signature", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			bind, bs := f.binding(testChain, f.owner)
			return raw(cert, nil, bind, bs)
		}, ledger.CodeBadSignature},
		{"binding signed by another device", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			bind, _ := f.binding(testChain, f.owner)
			return raw(cert, sig.Sign(f.makerPriv, sig.DomainCert, cert), bind, sig.Sign(strangerPriv, sig.DomainBind, bind))
		}, ledger.CodeBadSignature},
		{"device signature with a flipped bit", nil, func(f *onboardFix) []byte {
			cert := ledger.Encode(&devicev1.Certificate{Maker: f.makerID[:], DevicePubKey: f.devPub, Kind: kCov, Serial: "S"})
			bind, bs := f.binding(testChain, f.owner)
			bs[5] ^= 1
			return raw(cert, sig.Sign(f.makerPriv, sig.DomainCert, cert), bind, bs)
		}, ledger.CodeBadSignature},
		{"insufficient funds", func(*onboardFix) ledger.Address { return testAddr("poor") }, func(f *onboardFix) []byte {
			poor := testAddr("poor")
			f.fund(poor, makerFee-1)
			return f.msg(func(_ *devicev1.Certificate, b *devicev1.Binding) { b.Owner = poor[:] })
		}, ledger.CodeInsufficientFunds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOnboardFix(t)
			signer := f.owner
			raw := tt.build(f)
			if tt.signer != nil {
				signer = tt.signer(f)
			}
			f.reject(signer, TypeOnboard, raw, tt.code)
		})
	}
}

func (f *onboardFix) binding(chain string, owner ledger.Address) ([]byte, []byte) {
	return NewBinding(f.devPriv, chain, owner)
}

func TestOnboardUniqueness(t *testing.T) {
	f := newOnboardFix(t)
	f.mustRun(f.owner, TypeOnboard, f.msg(nil))
	// The same key again, under a fresh serial.
	f.reject(f.owner, TypeOnboard, f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Serial = "SN-2" }), ledger.CodeDeviceExists)
	// The same serial of the same maker on another key.
	typ, r := Onboard(f.makerPriv, mustPriv("dev2"), kCov, "SN-1", testChain, f.owner)
	f.reject(f.owner, typ, r, ledger.CodeSerialUsed)
	// The same serial from another maker is another device.
	other := f.registerMaker("initech", 0, kCov)
	f.onboard(other, "dev3", "SN-1", kCov, f.owner)
	// Decommissioned devices keep their key and serial used.
	id := ledger.AddressOf(f.devPub)
	typ, r = DecommissionMsg(id)
	f.mustRun(f.owner, typ, r)
	f.reject(f.owner, TypeOnboard, f.msg(func(c *devicev1.Certificate, _ *devicev1.Binding) { c.Serial = "SN-9" }), ledger.CodeDeviceExists)
	typ, r = Onboard(f.makerPriv, mustPriv("dev4"), kCov, "SN-1", testChain, f.owner)
	f.reject(f.owner, typ, r, ledger.CodeSerialUsed)
	if m, _ := GetMaker(f.st, f.makerID); m.Devices != 1 {
		t.Errorf("got acme device count %d, want 1", m.Devices)
	}
}

func TestOnboardFreeMaker(t *testing.T) {
	f := newOnboardFix(t)
	broke := testAddr("broke")
	_, priv := testKey("dev-free")
	typ, r := Onboard(f.otherMaker, priv, kStore, "G-1", testChain, broke)
	f.mustRun(broke, typ, r)
	if got := bank.Balance(f.st, broke); got != 0 {
		t.Errorf("got balance %d, want 0", got)
	}
}

func mustPriv(label string) ed25519.PrivateKey {
	_, priv := testKey(label)
	return priv
}
