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
					ws = append(ws, ledger.Write{Key: k, Value: v})
					model[string(k)] = v
				case 2:
					ws = append(ws, ledger.Write{Key: k, Delete: true})
					delete(model, string(k))
				}
			}
			if err := db.Commit(h, []byte{byte(h)}, ws, nil); err != nil {
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
		if err := db.Commit(h, nil, []ledger.Write{{Key: key, Value: ledger.U64(uint64(h))}}, nil); err != nil {
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
