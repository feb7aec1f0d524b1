package relay

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Prefix is the relay module's key prefix.
const Prefix byte = 0x61

// Key layout under Prefix (all big-endian):
//
//	'r' relay                    -> Relay
//	'c' consumer, relay          -> Channel
//	'q' height, consumer, relay  -> {}   (closing channels by refund height)
//	'w' epoch, relay             -> bytes paid in the epoch (u64)
//	'v' epoch, relay             -> upin receipts paid in the epoch (u64)
const (
	tagRelay   = 'r'
	tagChannel = 'c'
	tagClosing = 'q'
	tagWork    = 'w'
	tagPaid    = 'v'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(Prefix, append([][]byte{{tag}}, parts...)...)
}

func relayKey(a ledger.Address) []byte { return key(tagRelay, a[:]) }
func channelKey(c, r ledger.Address) []byte {
	return key(tagChannel, c[:], r[:])
}
func closingKey(h int64, c, r ledger.Address) []byte {
	return key(tagClosing, ledger.U64(uint64(h)), c[:], r[:])
}
func workKey(epoch uint64, r ledger.Address) []byte { return key(tagWork, ledger.U64(epoch), r[:]) }
func paidKey(epoch uint64, r ledger.Address) []byte { return key(tagPaid, ledger.U64(epoch), r[:]) }

func addr(b []byte) ledger.Address {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		panic(fmt.Sprintf("relay: corrupt address in state: %v", err))
	}
	return a
}

// GetRelay returns a relay.
func GetRelay(st ledger.Store, a ledger.Address) (*relayv1.Relay, bool) {
	b := st.Get(relayKey(a))
	if b == nil {
		return nil, false
	}
	r := new(relayv1.Relay)
	ledger.DecodeState(b, r)
	return r, true
}

func putRelay(st ledger.Store, r *relayv1.Relay) { st.Set(relayKey(addr(r.Address)), ledger.Encode(r)) }

// GetChannel returns the channel of a consumer with a relay.
func GetChannel(st ledger.Store, consumer, relay ledger.Address) (*relayv1.Channel, bool) {
	b := st.Get(channelKey(consumer, relay))
	if b == nil {
		return nil, false
	}
	c := new(relayv1.Channel)
	ledger.DecodeState(b, c)
	return c, true
}

func putChannel(st ledger.Store, c *relayv1.Channel) {
	st.Set(channelKey(addr(c.Consumer), addr(c.Relay)), ledger.Encode(c))
}

// EpochBytes returns the bytes paid to a relay in an epoch, not yet paid
// from the relay pool.
func EpochBytes(st ledger.Store, epoch uint64, r ledger.Address) uint64 {
	return ledger.GetU64(st, workKey(epoch, r))
}

// EpochPaid returns the upin consumers' receipts paid a relay in an epoch
// (before the take), not yet paid from the relay pool: the pool's weight.
func EpochPaid(st ledger.Store, epoch uint64, r ledger.Address) uint64 {
	return ledger.GetU64(st, paidKey(epoch, r))
}
