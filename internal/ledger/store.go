package ledger

import (
	"bytes"
	"slices"
	"sync"
)

// Store is the key-value view of state a handler reads and writes. Keys sort
// bytewise. A Store panics on a storage failure: a node that cannot read its
// state must halt rather than diverge.
type Store interface {
	// Get returns the value of key, or nil if it is absent.
	Get(key []byte) []byte
	// Set writes value under key. The store keeps its own copy.
	Set(key, value []byte)
	// Delete removes key.
	Delete(key []byte)
	// Iterate calls fn for each key in [start, end) in ascending order until
	// fn returns false. A nil end means no upper bound. fn must not write
	// to the store.
	Iterate(start, end []byte, fn func(key, value []byte) bool)
}

// PrefixEnd returns the smallest key greater than every key with the prefix,
// or nil if there is none.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// IteratePrefix calls fn for each key with the prefix, in order.
func IteratePrefix(s Store, prefix []byte, fn func(key, value []byte) bool) {
	s.Iterate(prefix, PrefixEnd(prefix), fn)
}

// Write is one entry of a write set: a key and its new value, or a deletion.
type Write struct {
	Key    []byte
	Value  []byte
	Delete bool
}

// Overlay buffers writes over a parent store. Reads see the buffered writes
// first. Flush applies them to the parent; dropping the overlay discards them.
// A transaction runs on an overlay so that it is all or nothing.
type Overlay struct {
	parent Store
	writes map[string]*Write
}

// NewOverlay returns an empty overlay over parent.
func NewOverlay(parent Store) *Overlay {
	return &Overlay{parent: parent, writes: make(map[string]*Write)}
}

// Get implements Store.
func (o *Overlay) Get(key []byte) []byte {
	if w, ok := o.writes[string(key)]; ok {
		if w.Delete {
			return nil
		}
		return w.Value
	}
	return o.parent.Get(key)
}

// Set implements Store. A new key's copy and the value's share one
// allocation.
func (o *Overlay) Set(key, value []byte) {
	if w, ok := o.writes[string(key)]; ok {
		w.Value, w.Delete = bytes.Clone(value), false
		return
	}
	buf := make([]byte, len(key)+len(value))
	n := copy(buf, key)
	copy(buf[n:], value)
	if value == nil {
		o.writes[string(key)] = &Write{Key: buf[:n:n]}
		return
	}
	o.writes[string(key)] = &Write{Key: buf[:n:n], Value: buf[n:]}
}

// Delete implements Store.
func (o *Overlay) Delete(key []byte) {
	if w, ok := o.writes[string(key)]; ok {
		w.Value, w.Delete = nil, true
		return
	}
	o.writes[string(key)] = &Write{Key: bytes.Clone(key), Delete: true}
}

// Iterate implements Store, merging buffered writes with the parent.
func (o *Overlay) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	mine := o.sortedIn(start, end)
	i := 0
	stopped := false
	o.parent.Iterate(start, end, func(k, v []byte) bool {
		for i < len(mine) && bytes.Compare(mine[i].Key, k) < 0 {
			w := mine[i]
			i++
			if !w.Delete && !fn(w.Key, w.Value) {
				stopped = true
				return false
			}
		}
		if i < len(mine) && bytes.Equal(mine[i].Key, k) {
			w := mine[i]
			i++
			if w.Delete {
				return true
			}
			if !fn(w.Key, w.Value) {
				stopped = true
				return false
			}
			return true
		}
		if !fn(k, v) {
			stopped = true
			return false
		}
		return true
	})
	if stopped {
		return
	}
	for ; i < len(mine); i++ {
		if w := mine[i]; !w.Delete && !fn(w.Key, w.Value) {
			return
		}
	}
}

func (o *Overlay) sortedIn(start, end []byte) []*Write {
	out := make([]*Write, 0, len(o.writes))
	for _, w := range o.writes {
		if bytes.Compare(w.Key, start) >= 0 && (end == nil || bytes.Compare(w.Key, end) < 0) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(x, y *Write) int { return bytes.Compare(x.Key, y.Key) })
	return out
}

// Writes returns the buffered writes sorted by key.
func (o *Overlay) Writes() []Write {
	ws := o.sortedIn(nil, nil)
	out := make([]Write, len(ws))
	for i, w := range ws {
		out[i] = *w
	}
	return out
}

// Len is the number of buffered writes.
func (o *Overlay) Len() int { return len(o.writes) }

// Flush applies the buffered writes to the parent in key order and empties
// the overlay. A parent that is itself an overlay (a transaction's over its
// block's) takes the buffered entries over as they are, without copying or
// sorting them: its map holds one entry per key, whatever the order.
func (o *Overlay) Flush() {
	if p, ok := o.parent.(*Overlay); ok {
		//archtest:maprange-ok moves entries into another map, one per key: the result does not depend on order
		for k, w := range o.writes {
			if pw, ok := p.writes[k]; ok {
				pw.Value, pw.Delete = w.Value, w.Delete
			} else {
				p.writes[k] = w
			}
		}
		clear(o.writes)
		return
	}
	for _, w := range o.sortedIn(nil, nil) {
		if w.Delete {
			o.parent.Delete(w.Key)
		} else {
			o.parent.Set(w.Key, w.Value)
		}
	}
	clear(o.writes)
}

// Discard drops the buffered writes.
func (o *Overlay) Discard() { clear(o.writes) }

// MemStore is an in-memory Store, for tests, simulations and for building
// genesis. Values live in a map; the keys are also kept in order, in a large
// sorted slice plus a small sorted slice of the keys added since, merged into
// the large one when it grows past about the square root of the store's size
// (or when deleted keys make up half of it). A new key therefore costs a
// binary search and a short copy, not the size of the store, and an
// iteration walks the two slices together, costing the keys it visits. A
// MemStore from NewSyncMemStore may be read by several goroutines while one
// writes (a node's committed state read by its services).
type MemStore struct {
	m       map[string][]byte
	sorted  []string // keys, sorted, including deleted ones (skipped)
	pending []string // keys added since the last merge, sorted
	dead    int      // deleted keys still in sorted or pending
	mu      *sync.RWMutex
}

// NewMemStore returns an empty MemStore for one goroutine.
func NewMemStore() *MemStore { return &MemStore{m: make(map[string][]byte)} }

// NewSyncMemStore returns an empty MemStore that is safe for concurrent use.
func NewSyncMemStore() *MemStore {
	m := NewMemStore()
	m.mu = new(sync.RWMutex)
	return m
}

func (m *MemStore) rlock() func() {
	if m.mu == nil {
		return func() {}
	}
	m.mu.RLock()
	return m.mu.RUnlock
}

func (m *MemStore) lock() func() {
	if m.mu == nil {
		return func() {}
	}
	m.mu.Lock()
	return m.mu.Unlock
}

// Get implements Store.
func (m *MemStore) Get(key []byte) []byte {
	defer m.rlock()()
	return m.m[string(key)]
}

// Set implements Store.
func (m *MemStore) Set(key, value []byte) {
	defer m.lock()()
	m.set(string(key), value)
}

func (m *MemStore) set(k string, value []byte) {
	_, ok := m.m[k]
	m.m[k] = bytes.Clone(value)
	if ok {
		return
	}
	if _, found := slices.BinarySearch(m.sorted, k); found {
		m.dead-- // deleted earlier, still listed
	} else if i, found := slices.BinarySearch(m.pending, k); found {
		m.dead--
	} else {
		m.pending = slices.Insert(m.pending, i, k)
		if len(m.pending)*len(m.pending) > len(m.sorted) && len(m.pending) > 64 {
			m.merge()
		}
	}
}

// Delete implements Store.
func (m *MemStore) Delete(key []byte) {
	defer m.lock()()
	m.delete(string(key))
}

func (m *MemStore) delete(k string) {
	if _, ok := m.m[k]; ok {
		delete(m.m, k)
		m.dead++
	}
}

// Apply makes writes at once: a concurrent reader sees all or none.
func (m *MemStore) Apply(writes ...[]Write) {
	defer m.lock()()
	for _, ws := range writes {
		for _, w := range ws {
			if w.Delete {
				m.delete(string(w.Key))
			} else {
				m.set(string(w.Key), w.Value)
			}
		}
	}
}

// merge folds the pending keys into sorted and drops deleted keys. It costs
// the store's size; set and Iterate call it rarely enough that a key's
// share stays about the square root of the store's size.
func (m *MemStore) merge() {
	out := make([]string, 0, len(m.m))
	i, j := 0, 0
	for i < len(m.sorted) || j < len(m.pending) {
		var k string
		if j == len(m.pending) || i < len(m.sorted) && m.sorted[i] < m.pending[j] {
			k, i = m.sorted[i], i+1
		} else {
			k, j = m.pending[j], j+1
		}
		if m.dead > 0 {
			if _, live := m.m[k]; !live {
				continue
			}
		}
		out = append(out, k)
	}
	m.sorted, m.pending, m.dead = out, nil, 0
}

// Iterate implements Store. It reads the keys and values in chunks and
// calls fn outside any lock, so that fn may read or write the store without
// breaking the walk (a write is seen by the walk only if it lands in a
// later chunk).
func (m *MemStore) Iterate(start, end []byte, fn func(key, value []byte) bool) {
	const chunk = 64
	type kv struct {
		k string
		v []byte
	}
	buf := make([]kv, 0, chunk)
	from, after := string(start), false // after: from itself was visited
	for {
		buf = buf[:0]
		unlock := m.lock()
		if m.dead > (len(m.sorted)+len(m.pending))/2 {
			m.merge()
		}
		i, _ := slices.BinarySearch(m.sorted, from)
		j, _ := slices.BinarySearch(m.pending, from)
		more := false
		for i < len(m.sorted) || j < len(m.pending) {
			var k string
			if j == len(m.pending) || i < len(m.sorted) && m.sorted[i] < m.pending[j] {
				k = m.sorted[i]
			} else {
				k = m.pending[j]
			}
			if end != nil && k >= string(end) {
				break
			}
			if len(buf) == chunk {
				more = true
				break
			}
			if j < len(m.pending) && k == m.pending[j] {
				j++
			} else {
				i++
			}
			if after && k == from {
				continue
			}
			if v, live := m.m[k]; live {
				buf = append(buf, kv{k, v})
			}
		}
		unlock()
		for _, e := range buf {
			if !fn([]byte(e.k), e.v) {
				return
			}
		}
		if !more {
			return
		}
		from, after = buf[len(buf)-1].k, true
	}
}

// Len is the number of keys.
func (m *MemStore) Len() int {
	defer m.rlock()()
	return len(m.m)
}
