package dataaccess

import (
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

// Genesis is the module's genesis section: every grant and the last id.
type Genesis struct {
	LastID uint64      `json:"last_id,string"`
	Grants []GrantView `json:"grants"`
}

// InitGenesis writes the grants of a genesis section (nil: none).
func InitGenesis(st ledger.Store, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var g Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	status := map[string]datav1.Status{"pending": datav1.Status_STATUS_PENDING, "active": datav1.Status_STATUS_ACTIVE,
		"revoked": datav1.Status_STATUS_REVOKED, "expired": datav1.Status_STATUS_EXPIRED}
	var last uint64
	for i, v := range g.Grants {
		dev, e1 := ledger.ParseAddress(v.Device)
		own, e2 := ledger.ParseAddress(v.Owner)
		gr, e3 := ledger.ParseAddress(v.Grantee)
		s, ok := status[v.Status]
		if e1 != nil || e2 != nil || e3 != nil || !ok || v.ID <= last || v.ID > g.LastID || v.NotAfter <= v.NotBefore ||
			v.OwnerReceived > v.Price || v.Refunded > v.OwnerReceived {
			return fmt.Errorf("grant %d: bad addresses, status, id order, window or amounts", i)
		}
		last = v.ID
		gg := &datav1.Grant{Id: v.ID, Device: dev[:], Owner: own[:], Grantee: gr[:], Channels: v.Channels,
			NotBefore: v.NotBefore, NotAfter: v.NotAfter, Price: v.Price, Status: s, CreatedHeight: v.CreatedHeight,
			OwnerReceived: v.OwnerReceived, Refunded: v.Refunded}
		if len(gg.Channels) == 0 {
			gg.Channels = nil
		}
		putGrant(st, gg)
		st.Set(key(tagDevice, dev[:], ledger.U64(v.ID)), present)
		st.Set(key(tagGrantee, gr[:], ledger.U64(v.ID)), present)
		if open(s) {
			st.Set(key(tagExpiry, i64(v.NotAfter), ledger.U64(v.ID)), present)
		}
	}
	if g.LastID > 0 {
		ledger.SetU64(st, key(tagNext), g.LastID)
	}
	return nil
}

// ExportGenesis returns the grants (nil when none was ever made).
func ExportGenesis(st ledger.Store) (json.RawMessage, error) {
	last := ledger.GetU64(st, key(tagNext))
	if last == 0 {
		return nil, nil
	}
	g := Genesis{LastID: last, Grants: []GrantView{}}
	ledger.IteratePrefix(st, key(tagGrant), func(_, v []byte) bool {
		x := new(datav1.Grant)
		ledger.DecodeState(v, x)
		g.Grants = append(g.Grants, View(x))
		return true
	})
	return json.Marshal(g)
}

// Invariants: every grant is indexed by device and grantee, open grants
// (and only they) by expiry, and no id exceeds the last.
func Invariants(st ledger.Store) error {
	last := ledger.GetU64(st, key(tagNext))
	var err error
	ledger.IteratePrefix(st, key(tagGrant), func(_, v []byte) bool {
		g := new(datav1.Grant)
		ledger.DecodeState(v, g)
		id := ledger.U64(g.Id)
		switch {
		case g.Id == 0 || g.Id > last:
			err = fmt.Errorf("data: grant %d beyond the last id %d", g.Id, last)
		case st.Get(key(tagDevice, g.Device, id)) == nil || st.Get(key(tagGrantee, g.Grantee, id)) == nil:
			err = fmt.Errorf("data: grant %d not indexed", g.Id)
		case open(g.Status) != (st.Get(key(tagExpiry, i64(g.NotAfter), id)) != nil):
			err = fmt.Errorf("data: grant %d expiry index disagrees with its status", g.Id)
		}
		return err == nil
	})
	return err
}
