package store

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
)

// TestReadCacheMatchesModel commits random blocks of sets and deletes over a
// few keys, reading keys between commits so that values and absences are
// cached, and checks every read against a plain map.
func TestReadCacheMatchesModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		db, err := Open(t.TempDir())
		if err != nil {
			rt.Fatal(err)
		}
		defer db.Close()
		model := map[string][]byte{}
		keys := [][]byte{{0x02, 'a'}, {0x02, 'b'}, {0x02, 'c'}, {0x03, 'x'}}
		for h := int64(1); h <= int64(rapid.IntRange(1, 12).Draw(rt, "blocks")); h++ {
			for _, k := range keys {
				if rapid.Bool().Draw(rt, "read") {
					if got, want := db.Get(k), model[string(k)]; !bytes.Equal(got, want) || (got == nil) != (want == nil) {
						rt.Fatalf("height %d, key %x: got %q, want %q", h, k, got, want)
					}
				}
			}
			var ws []ledger.Write
			for _, k := range keys {
				switch rapid.IntRange(0, 3).Draw(rt, "op") {
				case 1:
					v := []byte(fmt.Sprintf("v%d", rapid.IntRange(0, 9).Draw(rt, "v")))
					if rapid.IntRange(0, 4).Draw(rt, "big") == 0 { // above maxCachedValue: never cached
						v = bytes.Repeat(v, maxCachedValue)
					}
					ws = append(ws, ledger.Write{Key: k, Value: v})
					model[string(k)] = v
				case 2:
					ws = append(ws, ledger.Write{Key: k, Delete: true})
					delete(model, string(k))
				}
			}
			if err := db.Commit(h, []byte{byte(h)}, ws); err != nil {
				rt.Fatal(err)
			}
			if got, _ := db.LastCommit(); got != h {
				rt.Fatalf("got height %d after commit, want %d", got, h)
			}
			for _, k := range keys {
				if got, want := db.Get(k), model[string(k)]; !bytes.Equal(got, want) || (got == nil) != (want == nil) {
					rt.Fatalf("after commit %d, key %x: got %q, want %q", h, k, got, want)
				}
			}
		}
	})
}

// TestReadCacheConcurrentCommit reads a counter from many goroutines while
// blocks increment it; a reader must never see the counter go backwards
// once a Commit that wrote it has returned.
func TestReadCacheConcurrentCommit(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := []byte{0x02, 'n'}
	var mu sync.Mutex
	committed := uint64(0)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				floor := committed
				mu.Unlock()
				if got := ledger.ReadU64(db.Get(key)); got < floor {
					errs <- fmt.Errorf("got %d, want at least %d", got, floor)
					return
				}
			}
		}()
	}
	for h := int64(1); h <= 200; h++ {
		if err := db.Commit(h, nil, []ledger.Write{{Key: key, Value: ledger.U64(uint64(h))}}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		committed = uint64(h)
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestReadCacheBounds stores, refreshes and reads random keys and values
// (some above maxCachedValue) in a small cache and checks after each step
// that it stays within its entry and byte bounds, that its byte count is
// the sum of its entries, and that a hit returns the last value stored.
func TestReadCacheBounds(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		maxEntries := rapid.IntRange(1, 20).Draw(rt, "maxEntries")
		maxBytes := rapid.IntRange(100, 4000).Draw(rt, "maxBytes")
		c := newReadCache(maxEntries, maxBytes)
		last := map[string][]byte{}
		for range rapid.IntRange(1, 200).Draw(rt, "steps") {
			key := []byte{byte(rapid.IntRange(0, 30).Draw(rt, "key"))}
			var val []byte
			switch rapid.IntRange(0, 3).Draw(rt, "size") {
			case 0: // absent
			case 1:
				val = bytes.Repeat([]byte{1}, maxCachedValue+1)
			default:
				val = bytes.Repeat([]byte{byte(rapid.IntRange(1, 9).Draw(rt, "b"))}, rapid.IntRange(1, 300).Draw(rt, "n"))
			}
			if rapid.Bool().Draw(rt, "refresh") {
				c.refresh(key, val, val == nil)
				if _, ok := last[string(key)]; !ok {
					continue
				}
			} else {
				_, _, gen := c.get(key)
				c.put(key, val, gen)
			}
			last[string(key)] = val
			sum := 0
			for k, e := range c.vals {
				sum += entrySize([]byte(k), e.val)
			}
			if len(c.vals) > maxEntries || c.bytes > maxBytes || c.bytes != sum {
				rt.Fatalf("got %d entries and %d bytes (sum %d), want at most %d and %d, bytes = sum", len(c.vals), c.bytes, sum, maxEntries, maxBytes)
			}
			for k := range last {
				if got, hit, _ := c.get([]byte(k)); hit && (!bytes.Equal(got, last[k]) || (got == nil) != (last[k] == nil)) {
					rt.Fatalf("key %x: got cached %d bytes, want the last stored %d", k, len(got), len(last[k]))
				}
			}
		}
	})
}
