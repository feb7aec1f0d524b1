package app

import "github.com/depin-network/depin/internal/sig"

// PreVerify verifies, in one batch, the signatures of transactions about to
// be checked, and remembers those that verify in the signature cache, so
// that the CheckTx calls that follow find them known good instead of
// verifying them one at a time. The node's mempool connection calls it for
// the transactions it has queued (internal/node, abciclient.go): a peer's
// gossiped transactions arrive one by one, and each alone would cost a
// single verification (about 30 µs against 20 in a batch of 8,
// BENCHMARKS.md "ledger").
//
// It changes no state and decides nothing: a transaction that does not
// decode, or whose signature is already known, is skipped; a signature that
// fails is not remembered, so CheckTx verifies it again and gives its usual
// answer. ZIP-215 makes batch and single verification agree, so the cache
// holds exactly what sig.Verify accepts. A lone unknown signature is left to
// CheckTx, where it can join concurrent callers' batch. Safe for concurrent
// use, like CheckTx.
func (a *App) PreVerify(txs [][]byte) {
	a.predecoded.reset()
	ds := make([]*decoded, 0, len(txs))
	for _, raw := range txs {
		d, e := decode(raw)
		if e != nil {
			continue
		}
		a.predecoded.put(raw, d) // for the CheckTx that follows
		if a.sigs.has(d.hash) {
			continue
		}
		ds = append(ds, d)
	}
	if len(ds) < 2 {
		return
	}
	bv := sig.NewBatchVerifier()
	for _, d := range ds {
		bv.Add(d.tx.PubKey, sig.DomainTx, d.tx.Body, d.tx.Signature)
	}
	_, each := bv.Verify()
	for i, d := range ds {
		if each[i] {
			a.sigs.add(d.hash)
		}
	}
}
