package energy

import (
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// Prefix is the energy market's key prefix.
const Prefix byte = 0x50

// Key layout under Prefix (big-endian):
//
//	'o' id                         -> Order
//	'b' interval, zone, side, id   -> {}          (the book: orders of an interval and zone)
//	'p' id                         -> {}          (orders holding escrow: open or matched)
//	'z' interval, zone             -> Clearing
//	'c' interval, zone             -> {}          (to clear, once the gate closes)
//	's' interval, zone             -> {}          (to settle, once the read window closes)
//	't' interval, zone, seq        -> Trade
//	'm' device                     -> Meter       (the device's baseline)
//	'r' interval, zone, device     -> IntervalRead
//	'l' interval, zone, seq        -> Line
//	'd' device, interval, zone, seq -> {}         (lines of a device)
//	'e' id                         -> Certificate
//	'h' holder, id                 -> {}          (certificates of a holder)
//	'a' holder, device             -> renewable Wh delivered not yet certified (u64)
//	'u' account                    -> Wh its meters imported in measured intervals (u64)
//	'v' account                    -> Wh of certificates it retired (u64)
//	'i' 'o' | 'i' 'e'              -> last order / certificate id (u64)
const (
	tagOrder    = 'o'
	tagBook     = 'b'
	tagPending  = 'p'
	tagClearing = 'z'
	tagToClear  = 'c'
	tagToSettle = 's'
	tagTrade    = 't'
	tagMeter    = 'm'
	tagRead     = 'r'
	tagLine     = 'l'
	tagDevLine  = 'd'
	tagCert     = 'e'
	tagHolder   = 'h'
	tagAccrued  = 'a'
	tagConsumed = 'u'
	tagRetired  = 'v'
	tagNextID   = 'i'
	tagSold     = 'w' // epoch, seller account -> Wh delivered and paid
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(Prefix, append([][]byte{{tag}}, parts...)...)
}

func iz(interval, zone uint64) []byte { return append(ledger.U64(interval), ledger.U64(zone)...) }

func nextID(st ledger.Store, what byte) uint64 {
	k := key(tagNextID, []byte{what})
	n := ledger.GetU64(st, k) + 1
	ledger.SetU64(st, k, n)
	return n
}

func get(st ledger.Store, k []byte, m proto.Message) bool {
	b := st.Get(k)
	if b == nil {
		return false
	}
	ledger.DecodeState(b, m)
	return true
}

// GetOrder returns an order.
func GetOrder(st ledger.Store, id uint64) (*energyv1.Order, bool) {
	o := new(energyv1.Order)
	return o, get(st, key(tagOrder, ledger.U64(id)), o)
}

func putOrder(st ledger.Store, o *energyv1.Order) {
	st.Set(key(tagOrder, ledger.U64(o.Id)), ledger.Encode(o))
	if o.State == energyv1.OrderState_ORDER_STATE_OPEN || o.State == energyv1.OrderState_ORDER_STATE_MATCHED {
		st.Set(key(tagPending, ledger.U64(o.Id)), []byte{})
	} else {
		st.Delete(key(tagPending, ledger.U64(o.Id)))
	}
}

// GetClearing returns the clearing record of an interval and zone.
func GetClearing(st ledger.Store, interval, zone uint64) (*energyv1.Clearing, bool) {
	c := new(energyv1.Clearing)
	return c, get(st, key(tagClearing, iz(interval, zone)), c)
}

func putClearing(st ledger.Store, c *energyv1.Clearing) {
	st.Set(key(tagClearing, iz(c.Interval, c.Zone)), ledger.Encode(c))
}

// GetMeter returns a device's baseline.
func GetMeter(st ledger.Store, dev ledger.Address) (*energyv1.Meter, bool) {
	m := new(energyv1.Meter)
	return m, get(st, key(tagMeter, dev[:]), m)
}

// GetCertificate returns a certificate.
func GetCertificate(st ledger.Store, id uint64) (*energyv1.Certificate, bool) {
	c := new(energyv1.Certificate)
	return c, get(st, key(tagCert, ledger.U64(id)), c)
}

func putCertificate(st ledger.Store, c *energyv1.Certificate) {
	st.Set(key(tagCert, ledger.U64(c.Id)), ledger.Encode(c))
	st.Set(key(tagHolder, c.Holder, ledger.U64(c.Id)), []byte{})
}

// bookOf returns the orders of an interval and zone by side, each in id
// order.
func bookOf(st ledger.Store, interval, zone uint64) (asks, bids []*energyv1.Order) {
	ledger.IteratePrefix(st, key(tagBook, iz(interval, zone)), func(k, _ []byte) bool {
		id := ledger.ReadU64(k[len(k)-8:])
		o, ok := GetOrder(st, id)
		if !ok {
			panic("energy: book names a missing order")
		}
		if o.Side == energyv1.Side_SIDE_ASK {
			asks = append(asks, o)
		} else {
			bids = append(bids, o)
		}
		return true
	})
	return asks, bids
}

func tradesOf(st ledger.Store, interval, zone uint64) []*energyv1.Trade {
	var out []*energyv1.Trade
	ledger.IteratePrefix(st, key(tagTrade, iz(interval, zone)), func(_, v []byte) bool {
		t := new(energyv1.Trade)
		ledger.DecodeState(v, t)
		out = append(out, t)
		return true
	})
	return out
}

func readsOf(st ledger.Store, interval, zone uint64) []*energyv1.IntervalRead {
	var out []*energyv1.IntervalRead
	ledger.IteratePrefix(st, key(tagRead, iz(interval, zone)), func(_, v []byte) bool {
		r := new(energyv1.IntervalRead)
		ledger.DecodeState(v, r)
		out = append(out, r)
		return true
	})
	return out
}

// LinesOf returns the settlement lines of an interval and zone.
func LinesOf(st ledger.Store, interval, zone uint64) []*energyv1.Line {
	var out []*energyv1.Line
	ledger.IteratePrefix(st, key(tagLine, iz(interval, zone)), func(_, v []byte) bool {
		l := new(energyv1.Line)
		ledger.DecodeState(v, l)
		out = append(out, l)
		return true
	})
	return out
}

// Holdings returns the certificates an account holds (up to MaxLimit, by
// id), the Wh its meters imported in measured intervals and the Wh it
// retired.
func Holdings(st ledger.Store, a ledger.Address) (certs []*energyv1.Certificate, consumed, retired uint64) {
	ledger.IteratePrefix(st, key(tagHolder, a[:]), func(k, _ []byte) bool {
		if c, ok := GetCertificate(st, ledger.ReadU64(k[len(k)-8:])); ok {
			certs = append(certs, c)
		}
		return len(certs) < MaxLimit
	})
	return certs, ledger.GetU64(st, key(tagConsumed, a[:])), ledger.GetU64(st, key(tagRetired, a[:]))
}

// Clearings returns up to limit clearing records from interval from on, by
// interval then zone.
func Clearings(st ledger.Store, from uint64, limit int) []*energyv1.Clearing {
	var out []*energyv1.Clearing
	st.Iterate(key(tagClearing, ledger.U64(from)), ledger.PrefixEnd(key(tagClearing)), func(_, v []byte) bool {
		c := new(energyv1.Clearing)
		ledger.DecodeState(v, c)
		out = append(out, c)
		return len(out) < limit
	})
	return out
}
