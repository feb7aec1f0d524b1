package sig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

func testKey(i int) PrivateKey {
	seed := sha256.Sum256(fmt.Appendf(nil, "depin/sig/test/%d", i))
	return KeyFromSeed(seed[:])
}

func TestSignVerify(t *testing.T) {
	priv := testKey(0)
	pub := PublicOf(priv)
	msg := []byte("hello")
	s := Sign(priv, DomainTx, msg)
	if !Verify(pub, DomainTx, msg, s) {
		t.Fatalf("a valid signature does not verify")
	}
	if Verify(pub, DomainCert, msg, s) {
		t.Errorf("a signature for one domain verifies for another")
	}
	if Verify(pub, DomainTx, []byte("hellp"), s) {
		t.Errorf("a signature verifies for another message")
	}
	if Verify(PublicOf(testKey(1)), DomainTx, msg, s) {
		t.Errorf("a signature verifies for another key")
	}
	if Verify(pub[:31], DomainTx, msg, s) || Verify(pub, DomainTx, msg, s[:63]) {
		t.Errorf("a short key or signature verifies")
	}
	if got, want := SignBytes("d", []byte("m")), []byte("d\x00m"); !bytes.Equal(got, want) {
		t.Errorf("SignBytes = %q, want %q", got, want)
	}
}

// TestPathsAgree checks that single, batch and cached-key verification give
// the same answer on valid, tampered, foreign, malformed and small-order
// inputs.
func TestPathsAgree(t *testing.T) {
	keys := []PrivateKey{testKey(0), testKey(1), testKey(2)}
	cache := NewKeyCache(2)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(t, "n")
		var pubs, msgs, sigs [][]byte
		for i := range n {
			k := keys[rapid.IntRange(0, len(keys)-1).Draw(t, fmt.Sprint("key", i))]
			msg := rapid.SliceOfN(rapid.Byte(), 0, 16).Draw(t, fmt.Sprint("msg", i))
			pub, s := []byte(PublicOf(k)), Sign(k, DomainTx, msg)
			switch rapid.IntRange(0, 5).Draw(t, fmt.Sprint("change", i)) {
			case 1:
				s = bytes.Clone(s)
				s[rapid.IntRange(0, SignatureLen-1).Draw(t, "byte")] ^= 1 << rapid.IntRange(0, 7).Draw(t, "bit")
			case 2:
				msg = append(bytes.Clone(msg), 0)
			case 3:
				pub = bytes.Repeat([]byte{0xff}, PubKeyLen) // not a point
			case 4:
				pub, s = smallOrder(rapid.IntRange(0, len(smallOrderKeys)-1).Draw(t, "small")), keylessSignature()
			case 5:
				pub = pub[:rapid.IntRange(0, PubKeyLen-1).Draw(t, "keylen")]
			}
			pubs, msgs, sigs = append(pubs, pub), append(msgs, msg), append(sigs, s)
		}
		bv := NewBatchVerifier()
		for i := range pubs {
			bv.Add(pubs[i], DomainTx, msgs[i], sigs[i])
		}
		allOK, each := bv.Verify()
		cached := cache.VerifyBatch(DomainTx, pubs, msgs, sigs)
		wantAll := true
		for i := range pubs {
			want := Verify(pubs[i], DomainTx, msgs[i], sigs[i])
			wantAll = wantAll && want
			if each[i] != want || cached[i] != want {
				t.Fatalf("entry %d: single %v, batch %v, cached %v", i, want, each[i], cached[i])
			}
		}
		if allOK != wantAll {
			t.Fatalf("batch says all valid = %v, want %v", allOK, wantAll)
		}
	})
	if cache.Len() > 2 {
		t.Errorf("got %d cached keys, want at most 2", cache.Len())
	}
}

func smallOrder(i int) []byte {
	b, err := hex.DecodeString(smallOrderKeys[i])
	if err != nil {
		panic(err)
	}
	return b
}
