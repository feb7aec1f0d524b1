package sig

import (
	"encoding/hex"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// smallOrderKeys are encodings of the eight points of the 8-torsion
// subgroup, canonical and not (ZIP-215 accepts non-canonical encodings): the
// public keys that have no secret. Values from the ZIP-215 test vectors and
// "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, 2020), table 6c.
var smallOrderKeys = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"0100000000000000000000000000000000000000000000000000000000000080", // identity, x sign bit set
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // identity, y = 1 + p
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4
	"0000000000000000000000000000000000000000000000000000000000000080", // order 4
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
}

// keylessSignature is the attack of issue 8 item 5: R = the identity point,
// S = 0. For a small-order key A, 8·(S·B − R − k·A) is the identity for
// every message, so cofactored verification accepts it.
func keylessSignature() []byte {
	s := make([]byte, SignatureLen)
	s[0] = 1 // R = identity (0x01 then zeros); S = 0
	return s
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSmallOrderKeyCannotSign is the regression test of issue 8 item 5: the
// keyless signature over a small-order key fails on every verification path
// (single, batch, cached-key batch) and for every domain, although plain
// ZIP-215 accepts it (so the test fails on the code the issue was filed
// against).
func TestSmallOrderKeyCannotSign(t *testing.T) {
	zip215 := &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}
	cache := NewKeyCache(16)
	msg := []byte("send everything to the attacker")
	forged := keylessSignature()
	for _, k := range smallOrderKeys {
		pub := mustHex(t, k)
		if !ed25519.VerifyWithOptions(pub, SignBytes(DomainTx, msg), forged, zip215) {
			t.Fatalf("key %s: plain ZIP-215 rejects the keyless signature; the attack this test guards against is not reproduced", k)
		}
		for _, domain := range []string{DomainTx, DomainCert, DomainBind, "depin/report/v1"} {
			if Verify(pub, domain, msg, forged) {
				t.Errorf("key %s, domain %s: Verify accepts the keyless signature", k, domain)
			}
			bv := NewBatchVerifier()
			bv.Add(pub, domain, msg, forged)
			if all, each := bv.Verify(); all || each[0] {
				t.Errorf("key %s, domain %s: BatchVerifier accepts the keyless signature", k, domain)
			}
			for round := range 2 { // the second round uses the cached key
				if got := cache.VerifyBatch(domain, [][]byte{pub}, [][]byte{msg}, [][]byte{forged}); got[0] {
					t.Errorf("key %s, domain %s, round %d: KeyCache accepts the keyless signature", k, domain, round)
				}
			}
		}
	}
}

// TestSmallOrderRStillAccepted checks that the stricter rule is about keys
// only: ZIP-215 accepts a small-order R with an honest key, and so do we, or
// nodes built on another ZIP-215 verifier would disagree with ours.
func TestSmallOrderRStillAccepted(t *testing.T) {
	// A signature whose R is small order cannot be made without solving a
	// discrete log, so this checks the rule through the options instead: the
	// only difference from VerifyOptionsZIP_215 is AllowSmallOrderA.
	want := *ed25519.VerifyOptionsZIP_215
	want.AllowSmallOrderA = false
	if *rules.Verify != want {
		t.Fatalf("rules are %+v, want ZIP-215 with small-order keys refused (%+v)", *rules.Verify, want)
	}
}
