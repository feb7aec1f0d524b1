package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// senderBalance funds each sender in genesis: enough for any load.
const senderBalance = 1_000_000_000_000

// Load is a pre-signed transaction load. Tx j is sent by sender
// Sender(j); a sender's transactions appear in sequence order, so a worker
// that owns a sender and submits its transactions in load order never
// skips a sequence.
type Load struct {
	Txs     [][]byte
	Senders int
	// Genesis funds every sender; sender 0 is the params authority.
	Genesis app.Genesis
}

// Sender returns the index of the account that signed tx j.
func (l *Load) Sender(j int) int { return j % l.Senders }

// Bytes is the total size of the load's transactions.
func (l *Load) Bytes() int {
	n := 0
	for _, tx := range l.Txs {
		n += len(tx)
	}
	return n
}

// senderKey derives sender i's key from its index, so loads are
// reproducible.
func senderKey(i int) sig.PrivateKey {
	seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/bench/sender"), uint64(i)))
	return sig.KeyFromSeed(seed[:])
}

// NewTransferLoad signs n bank/send transfers of 1 upin for chainID from
// senders accounts (round robin, sequences 0, 1, ...), each paying the
// default minimum fee to the next sender.
func NewTransferLoad(chainID string, n, senders int) (*Load, error) {
	if n < 1 || senders < 1 {
		return nil, fmt.Errorf("bench: transfer load: need at least one tx and one sender, got %d and %d", n, senders)
	}
	senders = min(senders, n)
	keys := make([]sig.PrivateKey, senders)
	addrs := make([]ledger.Address, senders)
	l := &Load{Senders: senders, Txs: make([][]byte, n), Genesis: app.Genesis{Denom: "upin", Decimals: 6}}
	for i := range keys {
		keys[i] = senderKey(i)
		addrs[i] = ledger.AddressOf(sig.PublicOf(keys[i]))
		l.Genesis.Balances = append(l.Genesis.Balances, app.GenesisBalance{Address: addrs[i].String(), Amount: senderBalance})
	}
	l.Genesis.Authority = l.Genesis.Balances[0].Address
	for j := range n {
		s := j % senders
		to := addrs[(s+1)%senders]
		msg, err := proto.Marshal(&bankv1.MsgSend{To: to[:], Amount: 1})
		if err != nil {
			return nil, fmt.Errorf("bench: transfer load: %w", err)
		}
		body := &txv1.TxBody{ChainId: chainID, Sequence: uint64(j / senders), Fee: bank.MinFee.Default,
			Msgs: []*txv1.Msg{{Type: bank.TypeSend, Value: msg}}}
		if l.Txs[j], err = app.BuildTx(keys[s], body); err != nil {
			return nil, fmt.Errorf("bench: transfer load: sign tx %d: %w", j, err)
		}
	}
	return l, nil
}

// KVLoad returns a load for CometBFT's kvstore example with the same count,
// senders and sizes as l: tx j is "k<j>=" padded with 'v' to len(l.Txs[j]),
// a valid kvstore transaction writing one key.
func (l *Load) KVLoad() *Load {
	kv := &Load{Senders: l.Senders, Txs: make([][]byte, len(l.Txs)), Genesis: l.Genesis}
	for j, tx := range l.Txs {
		b := fmt.Appendf(make([]byte, 0, len(tx)), "k%d=", j)
		for len(b) < len(tx) || b[len(b)-1] == '=' {
			b = append(b, 'v')
		}
		kv.Txs[j] = b
	}
	return kv
}
