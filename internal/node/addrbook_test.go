package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// saveWatch is a log handler that sees CometBFT's address book start each
// save ("Saving AddrBook to file" is logged first thing in the save) and
// holds the save there for a while: the delay a loaded machine gives the
// book's goroutine, made certain.
type saveWatch struct {
	hold    time.Duration
	begun   *atomic.Int32 // saves started
	pending *atomic.Int32 // saves started and not yet past the log call
}

func (h saveWatch) Enabled(context.Context, slog.Level) bool { return true }
func (h saveWatch) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h saveWatch) WithGroup(string) slog.Handler            { return h }
func (h saveWatch) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "Saving AddrBook to file" {
		h.begun.Add(1)
		h.pending.Add(1)
		time.Sleep(h.hold)
		h.pending.Add(-1)
	}
	return nil
}

// TestRunReturnsAfterAddrBookSaved: with PEX on (depin init's default),
// CometBFT's address book saves addrbook.json into config/ once more after
// the node stopped, from its own goroutine. Run must return only after that
// save, so that removing the home right after Run (t.TempDir's cleanup)
// finds nothing being written; before the fix Run returned while the save
// was pending and RemoveAll failed with "config: directory not empty".
func TestRunReturnsAfterAddrBookSaved(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops a node several times")
	}
	key := sig.KeyFromSeed(make([]byte, 32))
	addr := ledger.AddressOf(sig.PublicOf(key)).String()
	for i := range 3 {
		dir, err := os.MkdirTemp("", "depin-addrbook-")
		if err != nil {
			t.Fatal(err)
		}
		home := filepath.Join(dir, "node")
		rpc, p2p := freePort(t), freePort(t)
		ac := DefaultAppConfig()
		ac.API.Enable = false
		err = Init(home, InitOptions{ChainID: "depin-addrbook", Genesis: app.Genesis{Denom: "upin", Decimals: 6, Authority: addr,
			Balances: []app.GenesisBalance{{Address: addr, Amount: 1}}}, App: ac,
			Comet: func(c *cmtcfg.Config) {
				c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpc)
				c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2p)
			}})
		if err != nil {
			os.RemoveAll(dir)
			t.Fatal(err)
		}
		if c, err := LoadCometConfig(home); err != nil || !c.P2P.PexReactor {
			os.RemoveAll(dir)
			t.Fatalf("got pex on %v (err %v), want the address book on as depin init writes it", c != nil && c.P2P.PexReactor, err)
		}
		var begun, pending atomic.Int32
		n, err := Open(home, Overrides{}, slog.New(saveWatch{hold: 200 * time.Millisecond, begun: &begun, pending: &pending}))
		if err != nil {
			os.RemoveAll(dir)
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := n.Run(ctx); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		gotPending, gotBegun := pending.Load(), begun.Load()
		rmErr := os.RemoveAll(dir)
		if gotPending != 0 {
			t.Errorf("run %d: Run returned with %d address book save(s) still under way", i, gotPending)
		}
		if gotBegun < 2 {
			t.Errorf("run %d: saw %d address book saves, want the one at start and the one at stop", i, gotBegun)
		}
		if rmErr != nil {
			t.Errorf("run %d: remove home right after Run: %v", i, rmErr)
		}
		if t.Failed() {
			return
		}
	}
}
