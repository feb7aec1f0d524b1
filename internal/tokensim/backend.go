package tokensim

import (
	"bytes"

	"github.com/google/btree"

	"github.com/depin-network/depin/internal/ledger"
)

// backend is an ordered in-memory app.Backend for one goroutine. Unlike
// app.MemBackend it implements WriteGenesis, so that the simulation reads
// the genesis state before its first block (swapping in MemBackend changes
// the simulated series: checked against docs/tokenomics.md's generated
// summaries), and it takes no locks.
type backend struct {
	t       *btree.BTreeG[entry]
	height  int64
	appHash []byte
}

type entry struct{ key, val []byte }

func lessEntry(a, b entry) bool { return bytes.Compare(a.key, b.key) < 0 }

func newBackend() *backend { return &backend{t: btree.NewG(32, lessEntry)} }

// Get implements ledger.Store.
func (b *backend) Get(key []byte) []byte {
	e, ok := b.t.Get(entry{key: key})
	if !ok {
		return nil
	}
	return e.val
}

// Set implements ledger.Store.
func (b *backend) Set(key, value []byte) {
	b.t.ReplaceOrInsert(entry{key: bytes.Clone(key), val: bytes.Clone(value)})
}

// Delete implements ledger.Store.
func (b *backend) Delete(key []byte) { b.t.Delete(entry{key: key}) }

// Iterate implements ledger.Store.
func (b *backend) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	visit := func(e entry) bool { return fn(e.key, e.val) }
	switch {
	case start == nil && end == nil:
		b.t.Ascend(visit)
	case end == nil:
		b.t.AscendGreaterOrEqual(entry{key: start}, visit)
	default:
		b.t.AscendRange(entry{key: start}, entry{key: end}, visit)
	}
}

// LastCommit implements app.Backend.
func (b *backend) LastCommit() (int64, []byte) { return b.height, b.appHash }

// Commit implements app.Backend.
func (b *backend) Commit(height int64, appHash []byte, state []ledger.Write) error {
	for _, w := range state {
		if w.Delete {
			b.Delete(w.Key)
		} else {
			b.Set(w.Key, w.Value)
		}
	}
	b.height, b.appHash = height, bytes.Clone(appHash)
	return nil
}

// WriteGenesis writes genesis straight into the backend, so that the
// simulation reads the genesis state before the first block (the app's
// genesis backends do the same; app.App.InitChain).
func (b *backend) WriteGenesis(build func(st ledger.Store) error, visit func(w ledger.Write)) error {
	ov := ledger.NewOverlay(b)
	if err := build(ov); err != nil {
		return err
	}
	for _, w := range ov.Writes() {
		if w.Delete {
			b.Delete(w.Key)
		} else {
			b.Set(w.Key, w.Value)
		}
		visit(w)
	}
	return nil
}
