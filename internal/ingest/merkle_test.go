package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"pgregory.net/rapid"
)

// naiveRoot is RFC 6962's definition written directly on the record list.
func naiveRoot(records [][]byte) [32]byte {
	if len(records) == 0 {
		return sha256.Sum256(nil)
	}
	if len(records) == 1 {
		return sha256.Sum256(append([]byte{0}, records[0]...))
	}
	k := 1
	for k*2 < len(records) {
		k *= 2
	}
	l, r := naiveRoot(records[:k]), naiveRoot(records[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func TestMerkleRootKnownValues(t *testing.T) {
	// Empty tree and one-leaf tree hashes from RFC 6962 §2.1.
	tests := []struct {
		records [][]byte
		want    string
	}{
		{nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{[][]byte{{}}, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
	}
	for _, tc := range tests {
		leaves := make([][32]byte, len(tc.records))
		for i, r := range tc.records {
			leaves[i] = LeafHash(r)
		}
		got := MerkleRoot(leaves)
		if hex.EncodeToString(got[:]) != tc.want {
			t.Errorf("root of %d records: got %x, want %s", len(tc.records), got, tc.want)
		}
	}
}

func TestMerkleProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		records := rapid.SliceOfN(rapid.SliceOfN(rapid.Byte(), 0, 8), 1, 40).Draw(t, "records")
		leaves := make([][32]byte, len(records))
		for i, r := range records {
			leaves[i] = LeafHash(r)
		}
		root := MerkleRoot(leaves)
		if want := naiveRoot(records); root != want {
			t.Fatalf("got root %x, want %x", root, want)
		}
		i := rapid.IntRange(0, len(leaves)-1).Draw(t, "i")
		proof := MerkleProof(leaves, i)
		if !VerifyMerkleProof(root, leaves[i], i, len(leaves), proof) {
			t.Fatalf("proof of leaf %d of %d does not verify", i, len(leaves))
		}
		other := LeafHash(append(records[i], 0xaa))
		if VerifyMerkleProof(root, other, i, len(leaves), proof) {
			t.Fatalf("proof verifies for a different leaf")
		}
		if len(leaves) > 1 && VerifyMerkleProof(root, leaves[i], (i+1)%len(leaves), len(leaves), proof) && leaves[i] != leaves[(i+1)%len(leaves)] {
			t.Fatalf("proof verifies at the wrong index")
		}
	})
}
