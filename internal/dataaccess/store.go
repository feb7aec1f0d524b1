package dataaccess

import (
	"github.com/depin-network/depin/internal/ledger"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

const (
	tagGrant   = 'g'
	tagDevice  = 'd'
	tagGrantee = 'e'
	tagExpiry  = 'x'
	tagNext    = 'n'
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(Prefix, append([][]byte{{tag}}, parts...)...)
}

func i64(v int64) []byte { return ledger.U64(uint64(v)) }

// GetGrant returns a grant.
func GetGrant(st ledger.Store, id uint64) (*datav1.Grant, bool) {
	b := st.Get(key(tagGrant, ledger.U64(id)))
	if b == nil {
		return nil, false
	}
	g := new(datav1.Grant)
	ledger.DecodeState(b, g)
	return g, true
}

func putGrant(st ledger.Store, g *datav1.Grant) {
	st.Set(key(tagGrant, ledger.U64(g.Id)), ledger.Encode(g))
}

func open(s datav1.Status) bool {
	return s == datav1.Status_STATUS_PENDING || s == datav1.Status_STATUS_ACTIVE
}

// ids lists the grant ids under an index prefix, ascending.
func ids(st ledger.Store, prefix []byte) []uint64 {
	var out []uint64
	ledger.IteratePrefix(st, prefix, func(k, _ []byte) bool {
		out = append(out, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	return out
}

// DeviceGrants returns a device's grants, by id.
func DeviceGrants(st ledger.Store, device ledger.Address) []*datav1.Grant {
	return load(st, ids(st, key(tagDevice, device[:])))
}

// GranteeGrants returns a grantee's grants, by id.
func GranteeGrants(st ledger.Store, grantee ledger.Address) []*datav1.Grant {
	return load(st, ids(st, key(tagGrantee, grantee[:])))
}

func load(st ledger.Store, ids []uint64) []*datav1.Grant {
	out := make([]*datav1.Grant, 0, len(ids))
	for _, id := range ids {
		if g, ok := GetGrant(st, id); ok {
			out = append(out, g)
		}
	}
	return out
}

func openCount(st ledger.Store, device ledger.Address) uint64 {
	n := uint64(0)
	for _, g := range DeviceGrants(st, device) {
		if open(g.Status) {
			n++
		}
	}
	return n
}

// present is the value of an index entry.
var present = []byte{1}
