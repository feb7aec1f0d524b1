package app

import (
	"sync"

	"github.com/depin-network/depin/internal/ledger"
)

// predecoded hands the transactions PreVerify decoded to the CheckTx calls
// that follow it: the node's mempool connection pre-verifies each queued
// batch and then checks its transactions one by one (internal/node,
// abciclient.go), and without it each transaction was decoded twice, about
// 1.5 µs each time. It holds one batch, the last PreVerify's; CheckTx takes
// its transaction's entry out, and a transaction not found is decoded as
// usual. Decoding depends on the bytes alone and nothing changes a decoded
// transaction, so an entry is exactly what decode would return. Safe for
// concurrent use.
type predecoded struct {
	mu sync.Mutex
	m  map[string]*decoded
}

// maxPredecoded bounds the batch kept, whatever the batch size.
const maxPredecoded = 4096

// reset drops the previous batch's entries: their checks are done, or
// they will decode again.
func (p *predecoded) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.m)
}

// put keeps d, the decoding of raw.
func (p *predecoded) put(raw []byte, d *decoded) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[string]*decoded)
	}
	if len(p.m) < maxPredecoded {
		p.m[string(raw)] = d
	}
}

// take returns and forgets the decoding of raw, if kept.
func (p *predecoded) take(raw []byte) (*decoded, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.m[string(raw)]
	if ok {
		delete(p.m, string(raw))
	}
	return d, ok
}

// decodeChecked decodes a transaction for CheckTx, taking PreVerify's
// decoding when it has one.
func (a *App) decodeChecked(raw []byte) (*decoded, *ledger.Error) {
	if d, ok := a.predecoded.take(raw); ok {
		return d, nil
	}
	return decode(raw)
}
