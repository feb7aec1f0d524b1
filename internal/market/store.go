package market

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Prefix is the market module's key prefix.
const Prefix byte = 0x20

// Key layout under Prefix (all big-endian):
//
//	'p' provider                 -> Provider
//	'a' auditor                  -> {1}          (the auditor set)
//	't' provider, auditor        -> Attestation
//	'o' order id                 -> Order
//	'b' order id, provider       -> Bid
//	'l' lease id                 -> Lease
//	'w' owner, lease id          -> {}           (leases of an owner)
//	'v' provider, lease id       -> {}           (leases of a provider)
//	'q' due height, lease id     -> {}           (the due queue: active leases only)
//	'n' payer, provider          -> last receipt nonce (u64)
//	'u' epoch, provider          -> credits spent with the provider in the epoch (u64)
//	'c' provider                 -> credits ever spent with the provider (u64)
//	'i' 'o' | 'i' 'l'            -> next order / lease id (u64)
//	'x' order id                 -> {}           (open orders only)
const (
	tagProvider    = 'p'
	tagAuditor     = 'a'
	tagAttestation = 't'
	tagOrder       = 'o'
	tagBid         = 'b'
	tagLease       = 'l'
	tagOwnerLease  = 'w'
	tagProvLease   = 'v'
	tagDue         = 'q'
	tagNonce       = 'n'
	tagUsage       = 'u'
	tagEarned      = 'c'
	tagNextID      = 'i'
	tagOpenOrder   = 'x'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(Prefix, append([][]byte{{tag}}, parts...)...)
}

func providerKey(a ledger.Address) []byte { return key(tagProvider, a[:]) }
func auditorKey(a ledger.Address) []byte  { return key(tagAuditor, a[:]) }
func attestationKey(p, a ledger.Address) []byte {
	return key(tagAttestation, p[:], a[:])
}
func orderKey(id uint64) []byte { return key(tagOrder, ledger.U64(id)) }
func bidKey(order uint64, p ledger.Address) []byte {
	return key(tagBid, ledger.U64(order), p[:])
}
func leaseKey(id uint64) []byte { return key(tagLease, ledger.U64(id)) }
func ownerLeaseKey(o ledger.Address, id uint64) []byte {
	return key(tagOwnerLease, o[:], ledger.U64(id))
}
func provLeaseKey(p ledger.Address, id uint64) []byte {
	return key(tagProvLease, p[:], ledger.U64(id))
}
func dueKey(h int64, id uint64) []byte { return key(tagDue, ledger.U64(uint64(h)), ledger.U64(id)) }
func nonceKey(payer, prov ledger.Address) []byte {
	return key(tagNonce, payer[:], prov[:])
}
func usageKey(epoch uint64, prov ledger.Address) []byte {
	return key(tagUsage, ledger.U64(epoch), prov[:])
}
func earnedKey(prov ledger.Address) []byte { return key(tagEarned, prov[:]) }

var marshal = proto.MarshalOptions{Deterministic: true}

func encode(m proto.Message) []byte {
	b, err := marshal.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("market: encode %T: %v", m, err)) // records always encode
	}
	return b
}

// decodeState decodes a record read from state; one that does not decode is
// a broken invariant, and the node must halt rather than diverge.
func decodeState(b []byte, m proto.Message) {
	if err := proto.Unmarshal(b, m); err != nil {
		panic(fmt.Sprintf("market: corrupt %T in state: %v", m, err))
	}
}

func addr(b []byte) ledger.Address {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		panic(fmt.Sprintf("market: corrupt address in state: %v", err))
	}
	return a
}

// nextID returns the next id of a sequence (starting at 1) and advances it.
func nextID(st ledger.Store, seq byte) uint64 {
	k := key(tagNextID, []byte{seq})
	id := ledger.ReadU64(st.Get(k)) + 1
	st.Set(k, ledger.U64(id))
	return id
}

// GetProvider returns a registered provider.
func GetProvider(st ledger.Store, a ledger.Address) (*marketv1.Provider, bool) {
	b := st.Get(providerKey(a))
	if b == nil {
		return nil, false
	}
	p := new(marketv1.Provider)
	decodeState(b, p)
	return p, true
}

func putProvider(st ledger.Store, p *marketv1.Provider) {
	st.Set(providerKey(addr(p.Owner)), encode(p))
}

// IsAuditor reports whether a is in the auditor set.
func IsAuditor(st ledger.Store, a ledger.Address) bool { return st.Get(auditorKey(a)) != nil }

// GetAttestation returns an auditor's attestation of a provider.
func GetAttestation(st ledger.Store, p, a ledger.Address) (*marketv1.Attestation, bool) {
	b := st.Get(attestationKey(p, a))
	if b == nil {
		return nil, false
	}
	at := new(marketv1.Attestation)
	decodeState(b, at)
	return at, true
}

// GetOrder returns an order.
func GetOrder(st ledger.Store, id uint64) (*marketv1.Order, bool) {
	b := st.Get(orderKey(id))
	if b == nil {
		return nil, false
	}
	o := new(marketv1.Order)
	decodeState(b, o)
	return o, true
}

// putOrder writes an order and keeps the open-order index in step.
func putOrder(st ledger.Store, o *marketv1.Order) {
	st.Set(orderKey(o.Id), encode(o))
	if o.State == marketv1.OrderState_ORDER_STATE_OPEN {
		st.Set(key(tagOpenOrder, ledger.U64(o.Id)), []byte{})
	} else {
		st.Delete(key(tagOpenOrder, ledger.U64(o.Id)))
	}
}

// GetBid returns a provider's bid on an order.
func GetBid(st ledger.Store, order uint64, p ledger.Address) (*marketv1.Bid, bool) {
	b := st.Get(bidKey(order, p))
	if b == nil {
		return nil, false
	}
	bid := new(marketv1.Bid)
	decodeState(b, bid)
	return bid, true
}

func putBid(st ledger.Store, b *marketv1.Bid) { st.Set(bidKey(b.Order, addr(b.Provider)), encode(b)) }

// bidsOf returns every bid on an order, in provider order.
func bidsOf(st ledger.Store, order uint64) []*marketv1.Bid {
	var out []*marketv1.Bid
	ledger.IteratePrefix(st, key(tagBid, ledger.U64(order)), func(_, v []byte) bool {
		b := new(marketv1.Bid)
		decodeState(v, b)
		out = append(out, b)
		return true
	})
	return out
}

// GetLease returns a lease.
func GetLease(st ledger.Store, id uint64) (*marketv1.Lease, bool) {
	b := st.Get(leaseKey(id))
	if b == nil {
		return nil, false
	}
	l := new(marketv1.Lease)
	decodeState(b, l)
	return l, true
}

func putLease(st ledger.Store, l *marketv1.Lease) { st.Set(leaseKey(l.Id), encode(l)) }

// LastNonce returns the last receipt nonce paid from payer to provider.
func LastNonce(st ledger.Store, payer, prov ledger.Address) uint64 {
	return ledger.ReadU64(st.Get(nonceKey(payer, prov)))
}

// Usage returns the credits spent with a provider in an epoch, not yet paid
// from the usage pool.
func Usage(st ledger.Store, epoch uint64, prov ledger.Address) uint64 {
	return ledger.ReadU64(st.Get(usageKey(epoch, prov)))
}

// Earned returns the credits ever spent with a provider.
func Earned(st ledger.Store, prov ledger.Address) uint64 {
	return ledger.ReadU64(st.Get(earnedKey(prov)))
}
