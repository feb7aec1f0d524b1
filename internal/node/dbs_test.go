package node

import (
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtstore "github.com/cometbft/cometbft/store"
)

// TestStoppedBlockStoreReads reproduces the shutdown race of CometBFT's
// consensus reactor: a commit loaded from the block store after the node
// closed it. Over the provider's databases it finds nothing; over the
// default provider the same read panics with "leveldb: closed".
func TestStoppedBlockStoreReads(t *testing.T) {
	cc := cmtcfg.DefaultConfig()
	cc.SetRoot(t.TempDir())
	dbs := &CometDBs{}
	for _, id := range []string{"blockstore", "state"} {
		db, err := dbs.Provider(&cmtcfg.DBContext{ID: id, Config: cc})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Set([]byte("k"), []byte("v")); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Get([]byte("k")); err != nil || string(v) != "v" {
			t.Fatalf("%s: get before close: got %q, %v, want v", id, v, err)
		}
		if id == "blockstore" {
			bs := cmtstore.NewBlockStore(db)
			if err := bs.Close(); err != nil {
				t.Fatal(err)
			}
			if c := bs.LoadSeenCommit(7); c != nil {
				t.Fatalf("seen commit after close: got %v, want none", c)
			}
		} else if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Get([]byte("k")); err != nil || v != nil {
			t.Fatalf("%s: get after close: got %q, %v, want nothing", id, v, err)
		}
		if ok, err := db.Has([]byte("k")); err != nil || ok {
			t.Fatalf("%s: has after close: got %v, %v, want false", id, ok, err)
		}
	}
	if err := dbs.Close(); err != nil {
		t.Fatal(err)
	}

	plain, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: func() *cmtcfg.Config {
		c := cmtcfg.DefaultConfig()
		c.SetRoot(t.TempDir())
		return c
	}()})
	if err != nil {
		t.Fatal(err)
	}
	bs := cmtstore.NewBlockStore(plain)
	if err := bs.Close(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("the default provider's closed block store did not panic: the race this guards against may be gone upstream")
		}
	}()
	bs.LoadSeenCommit(7)
}
