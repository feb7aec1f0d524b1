package node

import (
	"fmt"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/p2p/pex"
)

// addrBook is the peer address book a node's PEX reactor uses, built here
// rather than inside CometBFT so that Run can wait for it.
//
// CometBFT v0.38's PEX reactor stops its address book on stop but never
// waits for it, and the book's goroutine saves addrbook.json into config/
// once more after it is told to quit (p2p/pex addrbook.go saveRoutine,
// pex_reactor.go OnStop). So Node.Stop and Wait return while that write may
// still come, and a caller that removes the home right after Run (every
// test's temporary directory) sees "config: directory not empty".
// Turning PEX off would hide this only for nodes that exchange no peers; a
// node of a real network needs PEX, so instead the node gets a book we hold
// and Run waits for its last save.
type addrBook struct {
	book pex.AddrBook
	wait func()
}

// newAddrBook builds the book CometBFT's node would build for cc (same file,
// strictness, our own addresses and private peer IDs), or returns nil when
// PEX is off (CometBFT then never starts its book, so nothing saves late).
func newAddrBook(cc *cmtcfg.Config, nodeKey *p2p.NodeKey, logger cmtlog.Logger) (*addrBook, error) {
	if !cc.P2P.PexReactor {
		return nil, nil
	}
	book := pex.NewAddrBook(cc.P2P.AddrBookFile(), cc.P2P.AddrBookStrict)
	waiter, ok := book.(interface{ Wait() })
	if !ok {
		return nil, fmt.Errorf("node: address book %T cannot be waited on", book)
	}
	book.SetLogger(logger.With("module", "p2p", "book", cc.P2P.AddrBookFile()))
	// Our own addresses, so that the node never dials itself.
	for _, a := range []string{cc.P2P.ExternalAddress, cc.P2P.ListenAddress} {
		if a == "" {
			continue
		}
		na, err := p2p.NewNetAddressString(p2p.IDAddressString(nodeKey.ID(), a))
		if err != nil {
			return nil, fmt.Errorf("node: address book: our address %q: %w", a, err)
		}
		book.AddOurAddress(na)
	}
	book.AddPrivateIDs(splitList(cc.P2P.PrivatePeerIDs))
	return &addrBook{book: book, wait: waiter.Wait}, nil
}

// option replaces the PEX reactor and the switch's book that nm.NewNode
// made with ones over b, configured as CometBFT configures its own
// (node/setup.go createPEXReactorAndAddToSwitch: seeds, seed mode, a 28 h
// wait before a seed drops a peer, the persistent peers' dial period).
func (b *addrBook) option(cc *cmtcfg.Config, logger cmtlog.Logger) nm.Option {
	return func(n *nm.Node) {
		sw := n.Switch()
		if old := sw.Reactor("PEX"); old != nil {
			sw.RemoveReactor("PEX", old)
		}
		sw.SetAddrBook(b.book)
		r := pex.NewReactor(b.book, &pex.ReactorConfig{
			Seeds:                        splitList(cc.P2P.Seeds),
			SeedMode:                     cc.P2P.SeedMode,
			SeedDisconnectWaitPeriod:     28 * time.Hour,
			PersistentPeersMaxDialPeriod: cc.P2P.PersistentPeersMaxDialPeriod,
		})
		r.SetLogger(logger.With("module", "pex"))
		sw.AddReactor("PEX", r)
	}
}

// splitList splits a comma-separated config list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
