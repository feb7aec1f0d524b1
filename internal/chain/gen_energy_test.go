package chain_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/energy"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Energy market messages for the determinism generator. Intervals are 10
// s (blocks are 1 s apart), orders close 2 s before an interval starts and
// reads are taken until 5 s after it ends, so runs of a few hundred blocks
// clear and settle many intervals. A device's orders and reads are signed
// by its owner, who signs one tx per block, so no other tx of the block
// changes what a prediction relies on.

const genInterval = 10

func energyGenParams() map[string]uint64 {
	return map[string]uint64{kenergy.IntervalSeconds.Name: genInterval, energy.GateSeconds.Name: 2, energy.ReadWindow.Name: 5,
		energy.CertificateWh.Name: 100, energy.ImbalancePrice.Name: 500}
}

// energyAttrs are a 100 kW connection (277 Wh per interval), renewable or
// a load, without battery.
func energyAttrs(cell uint64, renewable bool) []byte {
	return kenergy.EncodeAttributes(&kenergyv1.Attributes{RatedPowerW: 100_000, GridCell: cell, FeederId: 1, Renewable: renewable})
}

// energyDevices lists name's active energy devices with attributes.
func (g *gen) energyDevices(name string) []*devicev1.Device {
	active, _ := g.devices(name)
	var out []*devicev1.Device
	for _, d := range active {
		if d.Kind == kenergy.Name && d.Location != nil && len(d.Location.Attributes) > 0 {
			if _, denied := device.Denied(g.st, ledger.Address(d.Id)); !denied {
				out = append(out, d)
			}
		}
	}
	return out
}

// signedRead is a read of device d signed with its key.
func (g *gen) signedRead(d *devicev1.Device, r *kenergyv1.Read, corrupt bool) []byte {
	return g.signRead(d, r, uint64(g.pick(1<<30)), corrupt)
}

// signedReadAt is a read of device d with a nonce that draws nothing from
// the random stream.
func (g *gen) signedReadAt(d *devicev1.Device, r *kenergyv1.Read, nonce uint64) []byte {
	return g.signRead(d, r, nonce, false)
}

func (g *gen) signRead(d *devicev1.Device, r *kenergyv1.Read, nonce uint64, corrupt bool) []byte {
	key := keyFor(g.keyName(d.Id))
	rep := &reportv1.Report{PubKey: sig.PublicOf(key), Nonce: nonce, Kind: kenergy.Name, Type: kenergy.TypeRead,
		Body: kenergy.EncodeRead(r)}
	raw := mustMarshal(rep)
	s := sig.Sign(key, segment.Domain, raw)
	if corrupt {
		s[0] ^= 1
	}
	return mustMarshal(&reportv1.SignedReport{Report: raw, Signature: s})
}

func energyMsg(typ string, m proto.Message) msg { return msg{typ, mustMarshal(m)} }

// energyValid plans an energy tx that must succeed, if name has an energy
// device: a read of the interval that just ended when its window is open
// and the device has not read it, else an ask or a bid for an interval
// ahead, and now and then the retirement of a certificate it holds.
func (g *gen) energyValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	now := uint64(g.height()) // block time in seconds
	if g.chance(30) {
		if c, found := g.retirable(name); found {
			return ok(energy.TypeRetire, energyMsg(energy.TypeRetire, &energyv1.MsgRetire{Certificate: c}))
		}
	}
	devs := g.energyDevices(name)
	if len(devs) == 0 {
		if !g.chance(50) {
			return planned{}, false
		}
		// A meter onboarded by initech (an energy maker without fee) and
		// its attributes asserted, in one tx.
		dev := g.fresh("meter")
		cell := g.cells[g.pick(len(g.cells))]
		id := addrFor(dev)
		return planned{raw: g.tx(name, g.onboardMsg("initech", dev, kenergy.Name, fmt.Sprintf("SN-%d", g.counter), name),
			assertAttrsMsg(id[:], cell, energyAttrs(cell, g.chance(60)))), want: ledger.CodeOK, label: "energy/onboard-meter"}, true
	}
	d := devs[g.pick(len(devs))]
	if now >= genInterval && now%genInterval < 5 && g.chance(70) {
		iv := now/genInterval - 1
		m, known := energy.GetMeter(g.st, ledger.Address(d.Id))
		if !known || m.Interval < iv {
			imp, prod := uint64(g.pick(200)), uint64(g.pick(270))
			r := &kenergyv1.Read{Interval: iv, ImportedWh: m.GetImportedWh() + imp, ProducedWh: m.GetProducedWh() + prod,
				ExportedWh: m.GetExportedWh() + uint64(g.pick(int(prod)+1))}
			return ok(energy.TypeRead, energyMsg(energy.TypeRead, &energyv1.MsgRead{Report: g.signedRead(d, r, false)}))
		}
	}
	iv := now/genInterval + 1 + uint64(g.pick(3))
	if (iv*genInterval - 2) <= now {
		iv++
	}
	wh, price := uint64(50+g.pick(220)), uint64(100+g.pick(900))
	if g.chance(50) {
		return ok(energy.TypeAsk, energyMsg(energy.TypeAsk, &energyv1.MsgAsk{Device: d.Id, Interval: iv, Wh: wh, Price: price}))
	}
	return ok(energy.TypeBid, energyMsg(energy.TypeBid, &energyv1.MsgBid{Device: d.Id, Interval: iv, Wh: wh, Price: price}))
}

// retirable returns a certificate name holds that it may retire now.
func (g *gen) retirable(name string) (uint64, bool) {
	certs, consumed, retired := energy.Holdings(g.st, addrFor(name))
	for _, c := range certs {
		if !c.Retired && retired+c.Wh <= consumed {
			return c.Id, true
		}
	}
	return 0, false
}

// energyInvalid plans an energy tx that must fail with a known code.
func (g *gen) energyInvalid(name string) (planned, bool) {
	bad := func(label string, code ledger.Code, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: code, label: "bad:" + label}, true
	}
	now := uint64(g.height())
	devs := g.energyDevices(name)
	switch g.pick(4) {
	case 0:
		return bad("unknown_certificate", energy.CodeUnknownCert, energyMsg(energy.TypeRetire, &energyv1.MsgRetire{Certificate: 1 << 40}))
	case 1:
		if len(devs) > 0 {
			iv := now / genInterval
			return bad("gate_closed", energy.CodeGateClosed, energyMsg(energy.TypeBid, &energyv1.MsgBid{Device: devs[0].Id, Interval: iv, Wh: 100, Price: 500}))
		}
	case 2:
		// A meter whose owner has not signed in this block (and is then
		// kept out of it), so that it cannot be decommissioned or change
		// hands before this tx, as foreignDevice does.
		for _, d := range g.allDevices() {
			owner := ledger.Address(d.Owner)
			if d.Kind == kenergy.Name && d.Location != nil && device.IsActive(d) && owner != addrFor(name) && !g.used[owner] {
				g.used[owner] = true
				return bad("not_device_owner", energy.CodeNotDeviceOwner, energyMsg(energy.TypeAsk, &energyv1.MsgAsk{Device: d.Id, Interval: now/genInterval + 2, Wh: 100, Price: 500}))
			}
		}
	case 3:
		if len(devs) > 0 {
			r := &kenergyv1.Read{Interval: now / genInterval}
			return bad("bad_read_signature", energy.CodeBadSignature, energyMsg(energy.TypeRead, &energyv1.MsgRead{Report: g.signedRead(devs[0], r, true)}))
		}
	}
	return planned{}, false
}
