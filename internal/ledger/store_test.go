package ledger

import (
	"bytes"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// An overlay over a MemStore, or over another overlay (a transaction's over
// its block's, which Flush hands its entries to), after any sequence of sets
// and deletes (the same key rewritten, deleted, set again), reads like a
// MemStore that took the operations directly; its Writes are sorted, one
// per key; Flush leaves the parent equal to that model.
func TestOverlayMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base, model := NewMemStore(), NewMemStore()
		for _, k := range rapid.SliceOfN(rapid.ByteRange('a', 'e'), 0, 5).Draw(t, "base") {
			base.Set([]byte{k}, []byte{k, k})
			model.Set([]byte{k}, []byte{k, k})
		}
		var parent interface {
			Store
			Len() int
		} = base
		var mid *Overlay
		if rapid.Bool().Draw(t, "nested") {
			mid = NewOverlay(base)
			for _, k := range rapid.SliceOfN(rapid.ByteRange('a', 'f'), 0, 4).Draw(t, "mid") {
				if k == 'f' {
					mid.Delete([]byte{'a'})
					model.Delete([]byte{'a'})
					continue
				}
				mid.Set([]byte{k}, []byte{k, k, k})
				model.Set([]byte{k}, []byte{k, k, k})
			}
			parent = mid
		}
		o := NewOverlay(parent)
		n := rapid.IntRange(0, 30).Draw(t, "ops")
		for i := 0; i < n; i++ {
			k := []byte{rapid.ByteRange('a', 'f').Draw(t, "key")}
			if rapid.Bool().Draw(t, "delete") {
				o.Delete(k)
				model.Delete(k)
			} else {
				v := []byte{rapid.Byte().Draw(t, "value")}
				o.Set(k, v)
				model.Set(k, v)
				v[0]++ // the overlay keeps its own copy
			}
		}
		for k := byte('a'); k <= 'f'; k++ {
			if got, want := o.Get([]byte{k}), model.Get([]byte{k}); !bytes.Equal(got, want) {
				t.Fatalf("Get(%q): got %x, want %x", k, got, want)
			}
		}
		var got, want [][]byte
		o.Iterate(nil, nil, func(k, v []byte) bool { got = append(got, append(k, v...)); return true })
		model.Iterate(nil, nil, func(k, v []byte) bool { want = append(want, append(bytes.Clone(k), v...)); return true })
		if len(got) != len(want) {
			t.Fatalf("Iterate: got %d entries, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("Iterate entry %d: got %x, want %x", i, got[i], want[i])
			}
		}
		ws := o.Writes()
		if len(ws) != o.Len() {
			t.Fatalf("Writes: got %d, want Len %d", len(ws), o.Len())
		}
		for i := 1; i < len(ws); i++ {
			if bytes.Compare(ws[i-1].Key, ws[i].Key) >= 0 {
				t.Fatalf("Writes not sorted: %q before %q", ws[i-1].Key, ws[i].Key)
			}
		}
		o.Flush()
		if o.Len() != 0 {
			t.Fatalf("after Flush: got %d writes, want 0", o.Len())
		}
		o.Set([]byte{'a'}, []byte{'z'}) // the flushed overlay is reusable and shares nothing with its parent
		o.Discard()
		if mid != nil {
			for k := byte('a'); k <= 'f'; k++ {
				if got, want := mid.Get([]byte{k}), model.Get([]byte{k}); !bytes.Equal(got, want) {
					t.Fatalf("after Flush into an overlay, Get(%q): got %x, want %x", k, got, want)
				}
			}
			ws := mid.Writes()
			for i := 1; i < len(ws); i++ {
				if bytes.Compare(ws[i-1].Key, ws[i].Key) >= 0 {
					t.Fatalf("parent's Writes not sorted: %q before %q", ws[i-1].Key, ws[i].Key)
				}
			}
			mid.Flush()
		}
		if base.Len() != model.Len() {
			t.Fatalf("after Flush: parent has %d keys, want %d", base.Len(), model.Len())
		}
		for k := byte('a'); k <= 'f'; k++ {
			if got, want := base.Get([]byte{k}), model.Get([]byte{k}); !bytes.Equal(got, want) {
				t.Fatalf("after Flush, Get(%q): got %x, want %x", k, got, want)
			}
		}
	})
}

// TestMemStoreMatchesModel: the MemStore (sorted keys plus pending keys,
// merged as they grow) iterates exactly the
// keys of a sorted map in [start, end), across chunk boundaries, and a walk
// that deletes the key it visits still visits every key once.
func TestMemStoreMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := NewMemStore()
		model := map[string][]byte{}
		key := func(label string) []byte {
			return []byte{rapid.ByteRange(0, 3).Draw(t, label+"0"), rapid.Byte().Draw(t, label+"1")}
		}
		for i, n := 0, rapid.IntRange(0, 400).Draw(t, "ops"); i < n; i++ {
			k := key("k")
			if rapid.IntRange(0, 4).Draw(t, "op") == 0 {
				m.Delete(k)
				delete(model, string(k))
				continue
			}
			v := []byte{rapid.Byte().Draw(t, "v")}
			m.Set(k, v)
			model[string(k)] = v
		}
		start := key("start")
		var end []byte
		if rapid.Bool().Draw(t, "bounded") {
			end = key("end")
		}
		var want []string
		for k := range model {
			if k >= string(start) && (end == nil || k < string(end)) {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		var got []string
		m.Iterate(start, end, func(k, v []byte) bool {
			if !bytes.Equal(v, model[string(k)]) {
				t.Fatalf("key %x: value %x, want %x", k, v, model[string(k)])
			}
			got = append(got, string(k))
			return true
		})
		if !slices.Equal(got, want) {
			t.Fatalf("iterated %d keys, want %d", len(got), len(want))
		}
		// Deleting while walking visits each key once and empties the range.
		var seen []string
		m.Iterate(start, end, func(k, _ []byte) bool {
			seen = append(seen, string(k))
			m.Delete(k)
			return true
		})
		if !slices.Equal(seen, want) {
			t.Fatalf("a deleting walk visited %d keys, want %d", len(seen), len(want))
		}
		m.Iterate(start, end, func(k, _ []byte) bool { t.Fatalf("key %x left after the deleting walk", k); return false })
	})
}
