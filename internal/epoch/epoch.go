package epoch

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Blocks sets the length of epochs that start after a change; the running
// epoch keeps the length it started with. Devnet: 300 blocks of 200 ms is
// a one-minute epoch.
var Blocks = params.Spec{Name: "epoch.blocks", Default: 300, Min: 10, Max: 100_000_000, Unit: "blocks",
	Doc: "length of an epoch"}

// Specs lists the epoch module's parameters.
func Specs() []params.Spec { return []params.Spec{Blocks} }

// Epoch is one epoch of the clock: its number and the heights it covers,
// both ends included.
type Epoch struct {
	Number      uint64
	StartHeight int64
	EndHeight   int64
}

// Contains reports whether height lies in the epoch.
func (e Epoch) Contains(height int64) bool { return height >= e.StartHeight && height <= e.EndHeight }

// State layout under ledger.PrefixEpoch:
//
//	'c'          -> number of the running epoch (u64)
//	'e' | n (8)  -> start height (8) | end height (8) of epoch n
const (
	tagCurrent = 'c'
	tagEpoch   = 'e'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(ledger.PrefixEpoch, append([][]byte{{tag}}, parts...)...)
}

func epochKey(n uint64) []byte { return key(tagEpoch, ledger.U64(n)) }

func put(st ledger.Store, e Epoch) {
	v := append(ledger.U64(uint64(e.StartHeight)), ledger.U64(uint64(e.EndHeight))...)
	st.Set(epochKey(e.Number), v)
}

// open records epoch n as starting at start with the current length.
func open(st ledger.Store, n uint64, start int64) Epoch {
	e := Epoch{Number: n, StartHeight: start, EndHeight: start + int64(params.Get(st, Blocks)) - 1}
	put(st, e)
	st.Set(key(tagCurrent), ledger.U64(n))
	return e
}

// Get returns an epoch that has started.
func Get(st ledger.Store, n uint64) (Epoch, bool) {
	b := st.Get(epochKey(n))
	if b == nil {
		return Epoch{}, false
	}
	if len(b) != 16 {
		panic(fmt.Sprintf("epoch: corrupt record of epoch %d in state: %d bytes", n, len(b)))
	}
	return Epoch{Number: n, StartHeight: int64(ledger.ReadU64(b[:8])), EndHeight: int64(ledger.ReadU64(b[8:]))}, true
}

// Current returns the running epoch: the one holding the height being
// executed. Before genesis opened one, it is epoch 0 from height 1 with the
// current length.
func Current(st ledger.Store) Epoch {
	if b := st.Get(key(tagCurrent)); b != nil {
		if e, ok := Get(st, ledger.ReadU64(b)); ok {
			return e
		}
	}
	return Epoch{Number: 0, StartHeight: 1, EndHeight: int64(params.Get(st, Blocks))}
}

// EndedAt returns the epoch whose last height is height, once EndBlock of
// that height has run: what modules after the clock in end-block order use
// to close their own view of the epoch.
func EndedAt(st ledger.Store, height int64) (Epoch, bool) {
	cur := Current(st)
	if cur.Number == 0 || cur.StartHeight != height+1 {
		return Epoch{}, false
	}
	return Get(st, cur.Number-1)
}

// InitGenesis opens epoch 0 at height 1. Call it after the params genesis.
func InitGenesis(st ledger.Store) { open(st, 0, 1) }

// EndBlock ends the running epoch at its last height and opens the next.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	if st.Get(key(tagCurrent)) == nil {
		open(st, 0, 1)
	}
	cur := Current(st)
	if ctx.Height < cur.EndHeight {
		return nil
	}
	next := open(st, cur.Number+1, ctx.Height+1)
	ctx.Emit("epoch.end",
		ledger.Attr{Key: "epoch", Value: fmt.Sprint(cur.Number)},
		ledger.Attr{Key: "next_end_height", Value: fmt.Sprint(next.EndHeight)})
	return nil
}

// Invariant checks that the epochs recorded so far tile the heights from 1
// without gaps or overlaps and that the running epoch is the last.
func Invariant(st ledger.Store) error {
	cur := Current(st)
	if st.Get(key(tagCurrent)) == nil {
		return nil
	}
	want := int64(1)
	for n := uint64(0); n <= cur.Number; n++ {
		e, ok := Get(st, n)
		if !ok {
			return fmt.Errorf("epoch %d of %d is missing", n, cur.Number)
		}
		if e.StartHeight != want || e.EndHeight < e.StartHeight {
			return fmt.Errorf("epoch %d covers [%d, %d], want a start at %d", n, e.StartHeight, e.EndHeight, want)
		}
		want = e.EndHeight + 1
	}
	return nil
}
