package energy

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// Message type names.
const (
	TypeAsk    = "energy/ask"
	TypeBid    = "energy/bid"
	TypeRead   = "energy/read"
	TypeRetire = "energy/retire"
)

// Register adds the energy market's messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeAsk, handleAsk)
	rt.Add(TypeBid, handleBid)
	rt.Add(TypeRead, handleRead)
	rt.Add(TypeRetire, handleRetire)
}

// kindParams reads the energy kind's params from the chain.
func kindParams(st ledger.Store) kenergy.Params {
	return kenergy.Lookup(func(s params.Spec) uint64 { return params.Get(st, s) })
}

// meterInfo is an energy device as the market sees it.
type meterInfo struct {
	id    ledger.Address
	owner ledger.Address
	attrs *kenergyv1.Attributes
	zone  uint64
}

// energyDevice loads an active, allowed energy device with valid attributes.
func energyDevice(st ledger.Store, kp kenergy.Params, id ledger.Address) (*meterInfo, *ledger.Error) {
	d, ok := device.GetDevice(st, id)
	if !ok || d.Kind != kenergy.Name || !device.IsActive(d) || d.Location == nil {
		return nil, ledger.Errorf(CodeNotEnergyDevice, "%s is not an active energy device with asserted attributes", id)
	}
	if why, denied := device.Denied(st, id); denied {
		return nil, ledger.Errorf(CodeMeterDenied, "device %s is denied: %s", id, why)
	}
	a, err := kenergy.DecodeAttributes(d.Location.Attributes)
	if err == nil {
		err = kenergy.CheckAttributes(kp, a)
	}
	if err != nil {
		return nil, ledger.Errorf(CodeNotEnergyDevice, "device %s attributes: %v", id, err)
	}
	z, _ := kenergy.Zone(a.GridCell, kp.ZoneResolution)
	owner, _ := ledger.AddressFromBytes(d.Owner)
	return &meterInfo{id: id, owner: owner, attrs: a, zone: z}, nil
}

func addrOf(b []byte) ledger.Address {
	a, _ := ledger.AddressFromBytes(b)
	return a
}

type orderMsg interface {
	GetDevice() []byte
	GetInterval() uint64
	GetWh() uint64
	GetPrice() uint64
}

func handleAsk(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m energyv1.MsgAsk
	if e := ledger.Unmarshal(TypeAsk, raw, &m); e != nil {
		return e
	}
	return placeOrder(ctx, energyv1.Side_SIDE_ASK, &m)
}

func handleBid(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m energyv1.MsgBid
	if e := ledger.Unmarshal(TypeBid, raw, &m); e != nil {
		return e
	}
	return placeOrder(ctx, energyv1.Side_SIDE_BID, &m)
}

// placeOrder checks and books an ask or a bid, moving its escrow (a bid's
// value, an ask's collateral) from the signer into Escrow.
func placeOrder(ctx *ledger.Context, side energyv1.Side, m orderMsg) *ledger.Error {
	st := ctx.Store
	id, err := ledger.AddressFromBytes(m.GetDevice())
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device: %v", err)
	}
	kp := kindParams(st)
	dev, e := energyDevice(st, kp, id)
	if e != nil {
		return e
	}
	if dev.owner != ctx.Signer {
		return ledger.Errorf(CodeNotDeviceOwner, "signer %s does not own device %s", ctx.Signer, id)
	}
	if m.GetWh() == 0 || m.GetPrice() == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "wh and price must be positive")
	}
	if max := params.Get(st, MaxPrice); m.GetPrice() > max {
		return ledger.Errorf(ledger.CodeTooLarge, "price %d upin/kWh above the maximum %d", m.GetPrice(), max)
	}
	now := uint64(max(ctx.Time, 0) / 1e9)
	iv := m.GetInterval()
	start := iv * kp.IntervalSeconds
	if iv != 0 && start/iv != kp.IntervalSeconds || start < params.Get(st, GateSeconds) || now >= start-params.Get(st, GateSeconds) {
		return ledger.Errorf(CodeGateClosed, "orders for interval %d closed (gate %d s before its start)", iv, params.Get(st, GateSeconds))
	}
	if cur := now / kp.IntervalSeconds; iv > cur+params.Get(st, MaxAhead) {
		return ledger.Errorf(CodeTooFarAhead, "interval %d is more than %d intervals after the current %d", iv, params.Get(st, MaxAhead), cur)
	}
	if lim, _ := ledger.MulDiv(dev.attrs.RatedPowerW, kp.IntervalSeconds, 3600); m.GetWh() > lim {
		return ledger.Errorf(CodeAboveRated, "%d Wh above the %d Wh device %s's rated %d W gives in an interval", m.GetWh(), lim, id, dev.attrs.RatedPowerW)
	}
	value, ok := ledger.MulDiv(m.GetWh(), m.GetPrice(), 1000)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "%d Wh × %d upin/kWh overflows", m.GetWh(), m.GetPrice())
	}
	escrow := value
	if side == energyv1.Side_SIDE_ASK {
		escrow, _ = ledger.MulDiv(value, params.Get(st, CollateralBps), 10_000)
	}
	if value == 0 {
		return ledger.Errorf(CodeOrderTooSmall, "%d Wh at %d upin/kWh is worth less than 1 upin", m.GetWh(), m.GetPrice())
	}
	c, found := GetClearing(st, iv, dev.zone)
	if !found {
		c.Interval, c.Zone = iv, dev.zone
		st.Set(key(tagToClear, iz(iv, dev.zone)), []byte{})
	}
	if c.Asks+c.Bids >= params.Get(st, MaxOrders) {
		return ledger.Errorf(CodeBookFull, "zone %x interval %d has %d orders, the most allowed", dev.zone, iv, c.Asks+c.Bids)
	}
	if e := move(ctx, ctx.Signer, Escrow, escrow); e != nil {
		return e
	}
	if side == energyv1.Side_SIDE_ASK {
		c.Asks++
	} else {
		c.Bids++
	}
	putClearing(st, c)
	o := &energyv1.Order{Id: nextID(st, tagOrder), Side: side, Owner: ctx.Signer[:], Device: id[:], Zone: dev.zone, Interval: iv,
		Wh: m.GetWh(), Price: m.GetPrice(), Escrow: escrow, State: energyv1.OrderState_ORDER_STATE_OPEN, Height: ctx.Height}
	putOrder(st, o)
	st.Set(key(tagBook, iz(iv, dev.zone), []byte{byte(side)}, ledger.U64(o.Id)), []byte{})
	ctx.Emit("energy.order", ledger.AU64("order", o.Id), ledger.A("side", sideName(side)), ledger.A("owner", ctx.SignerString()),
		ledger.A("device", id.String()), ledger.AU64("zone", o.Zone), ledger.AU64("interval", iv), ledger.AU64("wh", o.Wh),
		ledger.AU64("price", o.Price), ledger.AU64("escrow", escrow))
	return nil
}

func sideName(s energyv1.Side) string {
	if s == energyv1.Side_SIDE_ASK {
		return "ask"
	}
	return "bid"
}

// move transfers amount and emits a bank.transfer event.
func move(ctx *ledger.Context, from, to ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return nil
	}
	if e := bank.Transfer(ctx.Store, from, to, amount); e != nil {
		return e
	}
	ctx.Emit("bank.transfer", ledger.A("from", from.String()), ledger.A("to", to.String()), ledger.AU64("amount", amount))
	return nil
}

func handleRetire(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m energyv1.MsgRetire
	if e := ledger.Unmarshal(TypeRetire, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	c, ok := GetCertificate(st, m.Certificate)
	if !ok {
		return ledger.Errorf(CodeUnknownCert, "no certificate %d", m.Certificate)
	}
	if addrOf(c.Holder) != ctx.Signer {
		return ledger.Errorf(CodeNotHolder, "signer %s does not hold certificate %d", ctx.Signer, c.Id)
	}
	if c.Retired {
		return ledger.Errorf(CodeCertRetired, "certificate %d was retired at height %d", c.Id, c.RetiredHeight)
	}
	consumed := ledger.GetU64(st, key(tagConsumed, ctx.Signer[:]))
	retired := ledger.GetU64(st, key(tagRetired, ctx.Signer[:]))
	if total, ok := ledger.Add(retired, c.Wh); !ok || total > consumed {
		return ledger.Errorf(CodeRetireConsumption, "retiring %d Wh more than the %d Wh metered consumption not yet covered (%d retired)", c.Wh, consumed, retired)
	}
	c.Retired, c.RetiredHeight = true, ctx.Height
	putCertificate(st, c)
	ledger.SetU64(st, key(tagRetired, ctx.Signer[:]), retired+c.Wh)
	ctx.Emit("energy.retire", ledger.AU64("certificate", c.Id), ledger.A("holder", ctx.SignerString()), ledger.AU64("wh", c.Wh))
	return nil
}
