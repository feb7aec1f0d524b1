package device

import (
	stded25519 "crypto/ed25519"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// TestBuildersAcceptStdlibKeys checks that keys from crypto/ed25519 (what
// an SDK without this module's dependencies holds) produce material the
// chain accepts.
func TestBuildersAcceptStdlibKeys(t *testing.T) {
	e := newEnv(t)
	seed := make([]byte, 32)
	copy(seed, "stdlib-maker")
	makerPriv := stded25519.NewKeyFromSeed(seed)
	copy(seed, "stdlib-device")
	devPriv := stded25519.NewKeyFromSeed(seed)
	makerPub := makerPriv.Public().(stded25519.PublicKey)
	typ, raw := RegisterMakerMsg("Std", makerPub, []string{kSensor}, 0)
	e.mustRun(e.authority, typ, raw)
	owner := testAddr("owner")
	cert, cs := NewCertificate(makerPriv, ledger.AddressOf(makerPub), devPriv.Public().(stded25519.PublicKey), kSensor, "STD-1")
	if !sig.Verify(makerPub, sig.DomainCert, cert, cs) {
		t.Fatalf("certificate signature does not verify")
	}
	bind, bs := NewBinding(devPriv, testChain, owner)
	typ, raw = OnboardMsg(cert, cs, bind, bs)
	e.mustRun(owner, typ, raw)
	if _, ok := DeviceByPubKey(e.st, devPriv.Public().(stded25519.PublicKey)); !ok {
		t.Errorf("device not onboarded")
	}
}

func TestBuilderPanicsOnShortKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("NewBinding with a 32-byte key did not panic")
		}
	}()
	NewBinding(make([]byte, 32), testChain, ledger.Address{})
}

func TestCodesNamed(t *testing.T) {
	for c, want := range map[ledger.Code]string{CodeLocationUnchanged: "location_unchanged", CodeInvalidLocation: "invalid_location"} {
		if got := c.String(); got != want {
			t.Errorf("code %d: got %q, want %q", c, got, want)
		}
	}
}
