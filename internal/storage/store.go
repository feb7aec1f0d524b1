package storage

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Prefix is the storage module's key prefix.
const Prefix byte = 0x30

// Key layout under Prefix (all big-endian):
//
//	'd' deal id                  -> Deal
//	'a' deal id                  -> {}      (active deals)
//	'p' ack deadline, deal id    -> {}      (pending deals, by deadline)
//	'v' provider, deal id        -> {}      (deals of a provider)
//	'o' owner, deal id           -> {}      (deals of an owner)
//	'c' cid, shard, deal id      -> {}      (deals of a content id)
//	'w' window, deal id          -> {}      (deals proven in a window not yet closed)
//	'r' provider                 -> Reputation
//	'e' epoch, provider          -> bytes proven in the epoch (u64)
//	'f' owner                    -> the owner's repair fund (u64, upin)
//	'x' deal id                  -> repairer, reserved (u64) (repair deals; reserved is 0 once paid or released)
const (
	tagDeal    = 'd'
	tagActive  = 'a'
	tagPending = 'p'
	tagProv    = 'v'
	tagOwner   = 'o'
	tagCID     = 'c'
	tagProven  = 'w'
	tagRep     = 'r'
	tagEpoch   = 'e'
	tagFund    = 'f'
	tagRepair  = 'x'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(Prefix, append([][]byte{{tag}}, parts...)...)
}

func dealKey(id uint64) []byte   { return key(tagDeal, ledger.U64(id)) }
func activeKey(id uint64) []byte { return key(tagActive, ledger.U64(id)) }
func pendingKey(deadline int64, id uint64) []byte {
	return key(tagPending, ledger.U64(uint64(deadline)), ledger.U64(id))
}
func provKey(p ledger.Address, id uint64) []byte  { return key(tagProv, p[:], ledger.U64(id)) }
func ownerKey(o ledger.Address, id uint64) []byte { return key(tagOwner, o[:], ledger.U64(id)) }
func cidKey(cid []byte, shard uint32, id uint64) []byte {
	return key(tagCID, cid, ledger.U64(uint64(shard)), ledger.U64(id))
}
func provenKey(window, id uint64) []byte         { return key(tagProven, ledger.U64(window), ledger.U64(id)) }
func repKey(p ledger.Address) []byte             { return key(tagRep, p[:]) }
func epochKey(e uint64, p ledger.Address) []byte { return key(tagEpoch, ledger.U64(e), p[:]) }

func addr(b []byte) ledger.Address {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		panic(fmt.Sprintf("storage: corrupt address in state: %v", err))
	}
	return a
}

// GetDeal reads a deal.
func GetDeal(st ledger.Store, id uint64) (*storagev1.Deal, bool) {
	b := st.Get(dealKey(id))
	if b == nil {
		return nil, false
	}
	d := new(storagev1.Deal)
	ledger.DecodeState(b, d)
	return d, true
}

func putDeal(st ledger.Store, d *storagev1.Deal) { st.Set(dealKey(d.Id), ledger.Encode(d)) }

// GetReputation reads a provider's reputation; a provider with no outcome
// yet has none.
func GetReputation(st ledger.Store, p ledger.Address) (*storagev1.Reputation, bool) {
	b := st.Get(repKey(p))
	if b == nil {
		return nil, false
	}
	r := new(storagev1.Reputation)
	ledger.DecodeState(b, r)
	return r, true
}

func putReputation(st ledger.Store, r *storagev1.Reputation) {
	st.Set(repKey(addr(r.Provider)), ledger.Encode(r))
}

// ids collects the deal ids at the end of the keys under prefix, in key
// order.
func ids(st ledger.Store, prefix []byte) []uint64 {
	var out []uint64
	ledger.IteratePrefix(st, prefix, func(k, _ []byte) bool {
		out = append(out, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	return out
}

// DealsOfCID lists the deals (any state) of a content id, by shard then id.
func DealsOfCID(st ledger.Store, cid []byte) []*storagev1.Deal {
	return load(st, ids(st, key(tagCID, cid)))
}

// DealsOfProvider lists a provider's deals, by id.
func DealsOfProvider(st ledger.Store, p ledger.Address) []*storagev1.Deal {
	return load(st, ids(st, key(tagProv, p[:])))
}

// DealsOfOwner lists an owner's deals, by id.
func DealsOfOwner(st ledger.Store, o ledger.Address) []*storagev1.Deal {
	return load(st, ids(st, key(tagOwner, o[:])))
}

// ActiveDeals lists the active deals, by id.
func ActiveDeals(st ledger.Store) []*storagev1.Deal { return load(st, ids(st, key(tagActive))) }

func load(st ledger.Store, idList []uint64) []*storagev1.Deal {
	out := make([]*storagev1.Deal, 0, len(idList))
	for _, id := range idList {
		d, ok := GetDeal(st, id)
		if !ok {
			panic(fmt.Sprintf("storage: an index names deal %d, which does not exist", id))
		}
		out = append(out, d)
	}
	return out
}

// Proven reports whether a deal has a proof in a window not yet closed.
func Proven(st ledger.Store, window, deal uint64) bool { return st.Get(provenKey(window, deal)) != nil }
