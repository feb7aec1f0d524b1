package app

import (
	"bytes"
	"reflect"
	"testing"
)

// TestDecodeOncePerHeight runs the same blocks on two apps: one decides
// them straight away, the other sees each proposal first (PrepareProposal,
// then ProcessProposal, possibly of an earlier round with other txs), so
// that FinalizeBlock takes its transactions from the per-height cache. The
// results, events and app hashes must agree, with a malformed tx, a tx
// twice in a block and a tx with a forged signature among them, and the
// cache must be empty after each Commit.
func TestDecodeOncePerHeight(t *testing.T) {
	plain, cached := newTestApp(t), newTestApp(t)
	forged := sendTx(t, 3, 0, testAddr(4), 7)
	forged[len(forged)-1] ^= 1 // the signature's last byte
	blocks := [][][]byte{
		{sendTx(t, 1, 0, testAddr(2), 10), sendTx(t, 2, 0, testAddr(1), 20), []byte("not a tx"), forged},
		{sendTx(t, 1, 1, testAddr(3), 5), sendTx(t, 1, 1, testAddr(3), 5), sendTx(t, 1, 2, testAddr(3), 6)},
		{},
		{sendTx(t, 5, 0, testAddr(6), 1)},
	}
	for i, txs := range blocks {
		// An earlier round proposed another block at this height.
		other := [][]byte{sendTx(t, 7, 0, testAddr(8), 99)}
		cached.ProcessProposal(cached.PrepareProposal(other, 1<<20))
		cached.PrepareProposal(txs, 1<<20)
		// Another node's proposal may hold what PrepareProposal leaves out.
		if !cached.ProcessProposal(txs) {
			t.Fatalf("block %d: proposal refused", i)
		}
		if len(cached.proposed) == 0 && len(txs) > 0 {
			t.Fatalf("block %d: nothing cached after the proposal", i)
		}
		want := runBlock(t, plain, txs...)
		got := runBlock(t, cached, txs...)
		if len(cached.proposed) != 0 {
			t.Fatalf("block %d: %d decoded txs left after Commit", i, len(cached.proposed))
		}
		if !bytes.Equal(got.AppHash, want.AppHash) || !reflect.DeepEqual(got, want) {
			t.Fatalf("block %d: results differ:\n got %+v\nwant %+v", i, got, want)
		}
	}
}
