package provider

import (
	"testing"

	"github.com/depin-network/depin/internal/storage"
)

// A deal is acknowledged only for the layout the stored shard has: a deal
// naming another leaf size (or root, or shard size) would be challenged on
// leaves no stored shard can prove, and slash the provider every window.
func TestAckOnlyTheStoredLayout(t *testing.T) {
	m, _ := testFile(t)
	honest := storage.DealView{Shard: 1, Root: m.Roots[1].String(), ShardSize: m.ShardSize(), LeafSize: m.LeafSize}
	if !keptFor(m, honest) {
		t.Fatalf("the stored layout's own deal is not acknowledged")
	}
	for name, change := range map[string]func(*storage.DealView){
		"twice the leaf size": func(d *storage.DealView) { d.LeafSize *= 2 },
		"half the leaf size":  func(d *storage.DealView) { d.LeafSize /= 2 },
		"another root":        func(d *storage.DealView) { d.Root = m.Roots[0].String() },
		"another shard size":  func(d *storage.DealView) { d.ShardSize += uint64(m.LeafSize) },
		"a shard past n":      func(d *storage.DealView) { d.Shard = uint32(len(m.Roots)) },
	} {
		d := honest
		change(&d)
		if keptFor(m, d) {
			t.Errorf("%s: acknowledged a deal whose proofs the stored shard cannot answer", name)
		}
	}
}
