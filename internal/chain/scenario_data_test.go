package chain_test

import (
	"fmt"
	"strings"

	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/ledger"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

// Data access commands of the scenario files (a genesis with sensor=real
// runs the real sensor kind, whose stations carry attributes):
//
//	tx <owner> device/assert-location device=<d> cell=<hex> attrs=sensor
//	tx <owner> data/grant device=<d> grantee=<g> channels=<c>,.. not_before=<s> not_after=<s> [price=<upin>]
//	tx <grantee> data/accept id=<n>
//	tx <owner> data/revoke id=<n>
//	dump grants device=<d>   (what the data service reads before serving a grantee)

func (s *scenario) dataMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case dataaccess.TypeGrant:
		return mustMarshal(&datav1.MsgGrant{Device: s.addrBytes(a.take("device")), Grantee: s.addrBytes(a.take("grantee")),
			Channels: a.list("channels"), NotBefore: int64(a.optU64("not_before", 0)), NotAfter: int64(a.optU64("not_after", 0)),
			Price: a.optU64("price", 0)}), true
	case dataaccess.TypeAccept:
		return mustMarshal(&datav1.MsgAccept{Id: a.optU64("id", 0)}), true
	case dataaccess.TypeRevoke:
		return mustMarshal(&datav1.MsgRevoke{Id: a.optU64("id", 0)}), true
	}
	return nil, false
}

// dataDump prints a device's grants as the data service sees them.
func (s *scenario) dataDump(b *strings.Builder, what string, a args) bool {
	if what != "grants" {
		return false
	}
	var dev ledger.Address
	copy(dev[:], s.addrBytes(a.take("device")))
	for _, g := range dataaccess.DeviceGrants(s.app.Committed(), dev) {
		v := dataaccess.View(g)
		fmt.Fprintf(b, "grant %d %s grantee=%s channels=%s window=[%d,%d) price=%d owner_received=%d refunded=%d\n", v.ID, v.Status,
			v.Grantee, strings.Join(v.Channels, "+"), v.NotBefore, v.NotAfter, v.Price, v.OwnerReceived, v.Refunded)
	}
	return true
}
