package chain_test

import (
	"fmt"
	"math"
	"slices"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// valid plans a tx that must succeed. Authority-only messages are planned
// only when name holds the authority.
func (g *gen) valid(name string) planned {
	ok := func(label string, msgs ...msg) planned {
		return planned{raw: g.tx(name, msgs...), want: ledger.CodeOK, label: label}
	}
	to := addrFor(g.otherAccount(name))
	active, _ := g.devices(name)
	if g.chance(15) {
		if p, ok := g.energyValid(name); ok {
			return p
		}
	}
	switch r := g.pick(100); {
	case r < 10 && g.isAuthority(name):
		p := safeParams[g.pick(len(safeParams))]
		v := p.lo + uint64(g.pick(int(p.hi-p.lo+1)))
		return ok("params/set", setParamsMsg([]string{p.spec.Name}, []uint64{v}))
	case r < 16 && g.isAuthority(name):
		next := g.oneOf(g.admins)
		if next == name {
			return ok("bank/send", sendMsg(to, 1))
		}
		a := addrFor(next)
		return ok("params/set-authority", setAuthorityMsg(a[:]))
	case r < 25 && g.isAuthority(name):
		mk := g.fresh("maker")
		typ, v := registerMakerMsg(mk, g.randomKinds(), uint64(g.pick(1_000_001)))
		return ok("device/register-maker", msg{typ, v})
	case r < 31 && (g.isAuthority(name) || proof.IsOperator(g.st, addrFor(name))):
		if p, ok := g.proofRewardValid(name); ok {
			return p
		}
		return ok("bank/send", sendMsg(to, uint64(1+g.pick(1_000_000))))
	case r < 35:
		makers := g.makers()
		mk := makers[g.pick(len(makers))]
		kind := mk.Kinds[g.pick(len(mk.Kinds))]
		dev := g.fresh("dev")
		return ok("device/onboard", g.onboardMsg(g.keyName(mk.Id), dev, kind, fmt.Sprintf("SN-%d", g.counter), name))
	case r < 50 && len(active) > 0:
		return ok("device/assert-location", g.assertDeviceMsg(active[g.pick(len(active))]))
	case r < 57 && len(active) > 0:
		return ok("device/transfer", transferMsg(active[g.pick(len(active))].Id, to))
	case r < 60 && len(active) > 0:
		return ok("device/decommission", decommissionMsg(active[g.pick(len(active))].Id))
	case r < 70:
		n := 1 + g.pick(4)
		tos := make([]ledger.Address, n)
		amounts := make([]uint64, n)
		for i := range tos {
			tos[i], amounts[i] = addrFor(g.otherAccount(name)), uint64(1+g.pick(1_000_000))
		}
		return ok("bank/multi-send", multiSendMsg(tos, amounts))
	case r < 75:
		return ok("multi-message", sendMsg(to, uint64(1+g.pick(1000))), sendMsg(addrFor(g.otherAccount(name)), 1))
	case r < 95:
		if p, ok := g.marketValid(name); ok {
			return p
		}
	}
	// Compute and relay txs replace some plain sends of regular accounts,
	// so the other messages keep their share of the blocks.
	if !slices.Contains(g.admins, name) {
		switch g.side(name, "module", 3) {
		case 0:
			if p, ok := g.computeValid(name); ok {
				return p
			}
		case 1:
			if p, ok := g.relayValid(name); ok {
				return p
			}
		}
	}
	return ok("bank/send", sendMsg(to, uint64(1+g.pick(1_000_000))))
}

// invalid plans a tx that must be rejected with a known code.
func (g *gen) invalid(name string) planned {
	bad := func(label string, code ledger.Code, raw []byte) planned {
		return planned{raw: raw, want: code, label: "bad:" + label}
	}
	me := addrFor(name)
	to := addrFor(g.otherAccount(name))
	send := sendMsg(to, 1)
	seq := g.seqOf(name)
	active, retired := g.devices(name)
	makers := g.makers()
	if g.chance(8) {
		if p, ok := g.energyInvalid(name); ok {
			return p
		}
	}
	switch g.pick(30) {
	case 0:
		junk := make([]byte, 1+g.pick(64))
		for i := range junk {
			junk[i] = byte(g.pick(256))
		}
		junk[0] = 0xff // field 31, wire type 7: never a valid tag
		return bad("malformed", ledger.CodeMalformed, junk)
	case 1:
		raw := g.tx(name, send)
		return bad("truncated", ledger.CodeMalformed, raw[:len(raw)-1-g.pick(10)])
	case 2:
		return bad("bad_signature", ledger.CodeBadSignature, badSignature(g.tx(name, send)))
	case 3:
		return bad("wrong_chain", ledger.CodeWrongChainID, buildTx(keyFor(name), txOpts{chainID: "depin-other", seq: seq, fee: genFee}, send))
	case 4:
		if seq == 0 {
			return bad("skipped", ledger.CodeSequenceSkipped, buildTx(keyFor(name), txOpts{chainID: g.chainID, seq: 7, fee: genFee}, send))
		}
		return bad("replay", ledger.CodeSequenceUsed, buildTx(keyFor(name), txOpts{chainID: g.chainID, seq: seq - 1, fee: genFee}, send))
	case 5:
		return bad("skipped", ledger.CodeSequenceSkipped, buildTx(keyFor(name), txOpts{chainID: g.chainID, seq: seq + 1 + uint64(g.pick(5)), fee: genFee}, send))
	case 6:
		return bad("fee_too_low", ledger.CodeFeeTooLow, buildTx(keyFor(name), txOpts{chainID: g.chainID, seq: seq, fee: 0}, send))
	case 7:
		pauper := g.fresh("pauper")
		return bad("no_funds_for_fee", ledger.CodeInsufficientFunds, g.tx(pauper, send))
	case 8:
		total := bank.GetSupply(g.st).Total
		return bad("insufficient_funds", ledger.CodeInsufficientFunds, g.tx(name, sendMsg(to, total+1)))
	case 9:
		return bad("overflow", ledger.CodeOverflow, g.tx(name, multiSendMsg([]ledger.Address{to, me}, []uint64{math.MaxUint64, 1})))
	case 10:
		return bad("unknown_message", ledger.CodeUnknownMessage, g.tx(name, msg{"nope/nothing", nil}))
	case 11:
		return bad("too_many_msgs", ledger.CodeTooLarge, g.tx(name, slices.Repeat([]msg{send}, 65)...))
	case 12:
		return bad("atomic_second_msg", ledger.CodeInvalidAmount, g.tx(name, send, sendMsg(to, 0)))
	case 13:
		// Only funded accounts: an admin may become the authority earlier
		// in the same block.
		if slices.Contains(g.funded, name) {
			return bad("unauthorized_params", ledger.CodeUnauthorized, g.tx(name, setParamsMsg([]string{bank.MinFee.Name}, []uint64{1})))
		}
	case 14:
		if slices.Contains(g.funded, name) {
			typ, v := registerMakerMsg(g.fresh("maker"), []string{"coverage"}, 0)
			return bad("unauthorized_maker", ledger.CodeUnauthorized, g.tx(name, msg{typ, v}))
		}
	case 15:
		ghost := g.fresh("ghost-maker")
		return bad("unknown_maker", ledger.CodeUnknownMaker, g.tx(name, g.onboardMsg(ghost, g.fresh("dev"), "coverage", "X", name)))
	case 16:
		for _, mk := range makers {
			for _, k := range allKinds {
				if !slices.Contains(mk.Kinds, k) {
					return bad("kind_not_certified", ledger.CodeKindNotCertified, g.tx(name, g.onboardMsg(g.keyName(mk.Id), g.fresh("dev"), k, "X", name)))
				}
			}
		}
	case 17:
		if len(active) > 0 {
			cell := []uint64{1, cellLisbon7, cellLisbon12 + 1}[g.pick(3)]
			return bad("invalid_cell", ledger.CodeInvalidCell, g.tx(name, assertMsg(active[0].Id, cell, 0, 0)))
		}
	case 18:
		if d := g.foreignDevice(me); d != nil {
			return bad("unauthorized_device", ledger.CodeUnauthorized, g.tx(name, assertMsg(d.Id, g.cells[0], 0, 0)))
		}
	case 19:
		for _, d := range active {
			if l := d.Location; l != nil {
				return bad("location_unchanged", device.CodeLocationUnchanged, g.tx(name, assertAttrsMsg(d.Id, l.Cell, l.Attributes)))
			}
		}
	case 20:
		if len(retired) > 0 {
			return bad("decommissioned", ledger.CodeDeviceDecommissioned, g.tx(name, transferMsg(retired[0].Id, to)))
		}
	case 21:
		ghost := addrFor(g.fresh("ghost-dev"))
		return bad("unknown_device", ledger.CodeUnknownDevice, g.tx(name, decommissionMsg(ghost[:])))
	case 22:
		if d := g.anyDevice(); d != nil {
			mk := g.makerOf(d)
			return bad("device_exists", ledger.CodeDeviceExists, g.tx(name, g.onboardMsg(g.keyName(mk.Id), g.keyName(d.Id), mk.Kinds[0], fmt.Sprintf("NEW-%d", g.counter), name)))
		}
	case 23:
		if d := g.anyDevice(); d != nil {
			mk := g.makerOf(d)
			return bad("serial_used", ledger.CodeSerialUsed, g.tx(name, g.onboardMsg(g.keyName(mk.Id), g.fresh("dev"), mk.Kinds[0], d.Serial, name)))
		}
	case 28, 29:
		if p, ok := g.proofRewardInvalid(name); ok {
			return p
		}
	case 24, 25, 26, 27:
		if p, ok := g.marketInvalid(name); ok {
			return p
		}
	}
	// Fallbacks: the compute and relay refusals, or a bad signature.
	switch g.side(name, "invalid-module", 4) {
	case 0:
		return must(g.computeInvalid(name))
	case 1:
		return must(g.relayInvalid(name))
	}
	return bad("bad_signature", ledger.CodeBadSignature, badSignature(g.tx(name, send)))
}

func registerMakerMsg(name string, kinds []string, fee uint64) (string, []byte) {
	return device.RegisterMakerMsg(name, sig.PublicOf(keyFor(name)), kinds, fee)
}

// allDevices lists every device in committed state.
func (g *gen) allDevices() []*devicev1.Device {
	ds, _ := device.ListDevices(g.st, device.Filter{}, device.Page{Limit: device.MaxLimit})
	return ds
}

// anyDevice picks a committed device, or nil if there is none.
func (g *gen) anyDevice() *devicev1.Device {
	ds := g.allDevices()
	if len(ds) == 0 {
		return nil
	}
	return ds[g.pick(len(ds))]
}

// foreignDevice picks an active device that me does not own and whose
// owner has not signed in this block; the owner is then kept out of the
// block, so that the device cannot change hands before me's tx.
func (g *gen) foreignDevice(me ledger.Address) *devicev1.Device {
	var cands []*devicev1.Device
	for _, d := range g.allDevices() {
		owner, _ := ledger.AddressFromBytes(d.Owner)
		if owner != me && !g.used[owner] && device.IsActive(d) {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	d := cands[g.pick(len(cands))]
	owner, _ := ledger.AddressFromBytes(d.Owner)
	g.used[owner] = true
	return d
}

func (g *gen) makerOf(d *devicev1.Device) *devicev1.Maker {
	id, _ := ledger.AddressFromBytes(d.Maker)
	mk, ok := device.GetMaker(g.st, id)
	if !ok {
		panic("gen: device with an unknown maker")
	}
	return mk
}
