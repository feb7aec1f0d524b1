package abci

// PreVerifyTxs verifies the signatures of transactions the mempool is about
// to check in one batch (app.App.PreVerify): it changes no state and no
// answer, only how much the CheckTx calls that follow cost. The node's
// mempool connection calls it for each batch of queued checks
// (internal/node, abciclient.go).
func (x *Adapter) PreVerifyTxs(txs [][]byte) { x.app.PreVerify(txs) }
