package chain_test

import (
	"fmt"
	"strings"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/stake"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// dump prints a part of the committed state, in key order.
func (s *scenario) dump(what string, a args) string {
	s.requireApp()
	st := s.app.Committed()
	var b strings.Builder
	switch what {
	case "balances":
		ledger.IteratePrefix(st, bank.BalancePrefix, func(k, v []byte) bool {
			addr, err := ledger.AddressFromBytes(k[len(bank.BalancePrefix):])
			if err != nil {
				s.t.Fatalf("balance key %x: %v", k, err)
			}
			fmt.Fprintf(&b, "%s %d\n", addr, ledger.ReadU64(v))
			return true
		})
	case "validators":
		for _, v := range stake.QueryValidators(st).Validators {
			fmt.Fprintf(&b, "%s %s power=%d tokens=%d shares=%d self_bond=%d commission=%d outstanding=%d\n", v.Operator, v.Status, v.Power,
				v.Tokens, v.Shares, v.SelfBond, v.Commission, v.Outstanding)
		}
	case "proposals":
		for _, p := range gov.Proposals(st, 0, 1000) {
			v := gov.View(p)
			fmt.Fprintf(&b, "%d %s deposit=%d reason=%q\n", v.ID, v.Status, v.TotalDeposit, v.FailedReason)
		}
	case "sequences":
		ledger.IteratePrefix(st, []byte{ledger.PrefixAuth}, func(k, v []byte) bool {
			addr, err := ledger.AddressFromBytes(k[1:])
			if err != nil {
				s.t.Fatalf("sequence key %x: %v", k, err)
			}
			fmt.Fprintf(&b, "%s %d\n", addr, ledger.ReadU64(v))
			return true
		})
	case "makers":
		makers, _ := device.ListMakers(st, device.Page{Limit: device.MaxLimit})
		for _, m := range makers {
			id, _ := ledger.AddressFromBytes(m.Id)
			fmt.Fprintf(&b, "%s name=%q kinds=%s onboard_fee=%d devices=%d registered=%d\n",
				id, m.Name, kindNames(m.Kinds), m.OnboardFee, m.Devices, m.RegisteredHeight)
		}
	case "devices":
		devices, _ := device.ListDevices(st, device.Filter{}, device.Page{Limit: device.MaxLimit})
		for _, d := range devices {
			b.WriteString(deviceLine(d) + "\n")
		}
	case "locations":
		var id ledger.Address
		copy(id[:], s.addrBytes(a.take("device")))
		locs, _ := device.Locations(st, id, device.Page{Limit: device.MaxLimit})
		for _, l := range locs {
			fmt.Fprintf(&b, "cell=%s %s height=%d\n", device.CellString(l.Cell), attrsString(l.Attributes), l.Height)
		}
	case "params":
		for _, v := range s.app.Params().Values(st) {
			fmt.Fprintf(&b, "%s=%d\n", v.Name, v.Value)
		}
	default:
		if !s.marketDump(&b, what) && !s.rewardDump(&b, what, a) && !s.storageDump(&b, what) && !s.computeDump(&b, what) &&
			!s.energyDump(&b, what) && !s.relayDump(&b, what) && !s.dataDump(&b, what, a) {
			s.t.Fatalf("dump %s: want balances, sequences, makers, devices, locations, params, providers, orders, bids, leases, credits, deals, reputation, energy, channels or grants", what)
		}
	}
	a.done()
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

func kindNames(kinds []string) string {
	return strings.Join(kinds, "+")
}

func deviceLine(d *devicev1.Device) string {
	id, _ := ledger.AddressFromBytes(d.Id)
	maker, _ := ledger.AddressFromBytes(d.Maker)
	owner, _ := ledger.AddressFromBytes(d.Owner)
	line := fmt.Sprintf("%s kind=%s maker=%s serial=%s owner=%s onboarded=%d assertions=%d",
		id, d.Kind, maker, d.Serial, owner, d.OnboardedHeight, d.Assertions)
	if l := d.Location; l != nil {
		line += fmt.Sprintf(" location=%s %s asserted=%d", device.CellString(l.Cell), attrsString(l.Attributes), l.Height)
	}
	if d.DecommissionedHeight != 0 {
		line += fmt.Sprintf(" decommissioned=%d", d.DecommissionedHeight)
	}
	return line
}

// attrsString shows a location's attributes as a coverage antenna.
func attrsString(b []byte) string {
	a, err := coverage.DecodeAttributes(b)
	if err != nil {
		return fmt.Sprintf("attributes=%x", b)
	}
	return fmt.Sprintf("gain=%d elevation=%d", a.GetGain(), a.GetElevation())
}
