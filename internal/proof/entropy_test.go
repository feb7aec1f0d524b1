package proof

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

func TestEntropyChain(t *testing.T) {
	f := newFixture(t, map[string]uint64{EntropyWindow.Name: 16})
	if _, ok := Entropy(f.st, 1); ok {
		t.Fatalf("entropy before the first block")
	}
	var prev []byte
	seen := map[[32]byte]bool{}
	for h := int64(1); h <= 40; h++ {
		var mix []byte
		if h == 7 {
			if e := f.exec(operator, TypeCommitSegment, commit(0, 1, 1)); e != nil {
				t.Fatal(e)
			}
			mix = f.st.Get(key(tagMix))
			if mix == nil {
				t.Fatalf("segment commit left no mix")
			}
		}
		f.block()
		got, ok := Entropy(f.st, h)
		if !ok {
			t.Fatalf("no entropy at height %d", h)
		}
		if want := NextEntropy(prev, h, h*200_000_000, mix); got != want {
			t.Fatalf("height %d: entropy %x, want %x", h, got, want)
		}
		if h == 7 && got == NextEntropy(prev, h, h*200_000_000, nil) {
			t.Fatalf("the segment did not change the entropy")
		}
		if seen[got] {
			t.Fatalf("height %d repeats an entropy", h)
		}
		seen[got] = true
		if lh, le, ok := LatestEntropy(f.st); !ok || lh != h || le != got {
			t.Fatalf("latest entropy %d %x, want %d %x", lh, le, h, got)
		}
		if f.st.Get(key(tagMix)) != nil {
			t.Fatalf("height %d: mix kept after the block", h)
		}
		prev = got[:]
	}
	// The window keeps heights 25..40.
	for h, want := range map[int64]bool{0: false, 1: false, 24: false, 25: true, 40: true, 41: false} {
		if _, ok := Entropy(f.st, h); ok != want {
			t.Errorf("Entropy(%d) present %v, want %v", h, ok, want)
		}
	}
	n := 0
	ledger.IteratePrefix(f.st, key(tagEntropy), func(_, _ []byte) bool { n++; return true })
	if n != 16 {
		t.Fatalf("%d heights kept, want 16", n)
	}
}

func TestEntropyDependsOnTime(t *testing.T) {
	a := NextEntropy(nil, 5, 1000, nil)
	if b := NextEntropy(nil, 5, 1001, nil); a == b {
		t.Fatalf("a different block time gave the same entropy")
	}
	if b := NextEntropy(nil, 6, 1000, nil); a == b {
		t.Fatalf("a different height gave the same entropy")
	}
	if b := NextEntropy(a[:], 5, 1000, nil); a == b {
		t.Fatalf("a different previous entropy gave the same entropy")
	}
}
