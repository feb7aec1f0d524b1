package dataaccess

import (
	"slices"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

// Message type names.
const (
	TypeGrant  = "data/grant"
	TypeAccept = "data/accept"
	TypeRevoke = "data/revoke"
)

// Register adds the module's messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeGrant, handleGrant)
	rt.Add(TypeAccept, handleAccept)
	rt.Add(TypeRevoke, handleRevoke)
}

func seconds(ctx *ledger.Context) int64 { return ctx.Time / 1_000_000_000 }

// handleGrant: the signer owns an active, allowed sensor device with
// asserted attributes; the channels are known, declared by the device,
// ascending and unique; the window ends in the future, after it starts,
// and is at most data.max_window_seconds; the grantee is someone else; the
// device has fewer than data.max_open_grants open grants. A free grant is
// active at once, a priced one pending until the grantee accepts.
func handleGrant(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m datav1.MsgGrant
	if e := ledger.Unmarshal(TypeGrant, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	id, err := ledger.AddressFromBytes(m.GetDevice())
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device: %v", err)
	}
	grantee, err := ledger.AddressFromBytes(m.GetGrantee())
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "grantee: %v", err)
	}
	d, ok := device.GetDevice(st, id)
	if !ok || d.Kind != sensor.Name || !device.IsActive(d) || d.Location == nil {
		return ledger.Errorf(CodeNotSensor, "%s is not an active sensor device with asserted attributes", id)
	}
	owner, _ := ledger.AddressFromBytes(d.Owner)
	if owner != ctx.Signer {
		return ledger.Errorf(CodeNotOwner, "signer %s does not own device %s", ctx.Signer, id)
	}
	if why, denied := device.Denied(st, id); denied {
		return ledger.Errorf(CodeDeviceDenied, "device %s is denied: %s", id, why)
	}
	if grantee == owner {
		return ledger.Errorf(CodeSelfGrant, "an owner needs no grant to its own device")
	}
	attrs, err := sensor.DecodeAttributes(d.Location.Attributes)
	if err != nil {
		return ledger.Errorf(CodeNotSensor, "device %s attributes: %v", id, err)
	}
	if e := checkChannels(m.GetChannels(), attrs.Channels); e != nil {
		return e
	}
	now := seconds(ctx)
	nb, na := m.GetNotBefore(), m.GetNotAfter()
	switch {
	case na <= nb:
		return ledger.Errorf(CodeBadWindow, "not_after %d must be after not_before %d", na, nb)
	case na <= now:
		return ledger.Errorf(CodeBadWindow, "not_after %d is not after the block time %d", na, now)
	case uint64(na-nb) > params.Get(st, MaxWindowSeconds) || nb < 0:
		return ledger.Errorf(CodeBadWindow, "window of %d s outside 0 to data.max_window_seconds %d", na-nb, params.Get(st, MaxWindowSeconds))
	}
	if n, limit := openCount(st, id), params.Get(st, MaxOpenGrants); n >= limit {
		return ledger.Errorf(CodeTooMany, "device %s has %d open grants, the maximum", id, limit)
	}
	next := ledger.GetU64(st, key(tagNext)) + 1
	ledger.SetU64(st, key(tagNext), next)
	g := &datav1.Grant{Id: next, Device: id[:], Owner: owner[:], Grantee: grantee[:], Channels: m.GetChannels(),
		NotBefore: nb, NotAfter: na, Price: m.GetPrice(), Status: datav1.Status_STATUS_ACTIVE, CreatedHeight: ctx.Height}
	if g.Price > 0 {
		g.Status = datav1.Status_STATUS_PENDING
	}
	putGrant(st, g)
	st.Set(key(tagDevice, id[:], ledger.U64(next)), present)
	st.Set(key(tagGrantee, grantee[:], ledger.U64(next)), present)
	st.Set(key(tagExpiry, i64(na), ledger.U64(next)), present)
	ctx.Emit("data.grant", ledger.AU64("grant", next), ledger.A("device", id.String()), ledger.A("owner", owner.String()),
		ledger.A("grantee", grantee.String()), ledger.A("status", statusName(g.Status)), ledger.AU64("price", g.Price))
	return nil
}

func checkChannels(chs []string, declared uint16) *ledger.Error {
	if len(chs) == 0 || len(chs) > sensor.NumChannels {
		return ledger.Errorf(CodeBadChannels, "a grant names 1 to %d channels", sensor.NumChannels)
	}
	if !slices.IsSorted(chs) {
		return ledger.Errorf(CodeBadChannels, "channels must be in ascending order")
	}
	for i, c := range chs {
		if i > 0 && chs[i-1] == c {
			return ledger.Errorf(CodeBadChannels, "channel %s named twice", c)
		}
		n, ok := sensor.ChannelIndex(c)
		if !ok {
			return ledger.Errorf(CodeBadChannels, "unknown channel %q", c)
		}
		if declared&(1<<n) == 0 {
			return ledger.Errorf(CodeBadChannels, "the device does not report channel %s", c)
		}
	}
	return nil
}

// handleAccept: the signer is the grantee of a pending grant whose window
// has not ended; it pays the price to the owner, the market's take rate to
// the treasury, and the grant becomes active.
func handleAccept(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m datav1.MsgAccept
	if e := ledger.Unmarshal(TypeAccept, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	g, ok := GetGrant(st, m.GetId())
	if !ok {
		return ledger.Errorf(CodeNoGrant, "no grant %d", m.GetId())
	}
	if grantee, _ := ledger.AddressFromBytes(g.Grantee); grantee != ctx.Signer {
		return ledger.Errorf(CodeNotGrantee, "signer %s is not the grantee of grant %d", ctx.Signer, g.Id)
	}
	if g.Status != datav1.Status_STATUS_PENDING {
		return ledger.Errorf(CodeNotPending, "grant %d is %s, not pending", g.Id, statusName(g.Status))
	}
	if g.NotAfter <= seconds(ctx) {
		return ledger.Errorf(CodeWindowExpired, "grant %d's window ended", g.Id)
	}
	owner, _ := ledger.AddressFromBytes(g.Owner)
	take, _ := ledger.MulDiv(g.Price, params.Get(st, market.TakeRateBps), 10_000)
	if e := bank.Transfer(st, ctx.Signer, market.Treasury, take); e != nil {
		return e
	}
	if e := bank.Transfer(st, ctx.Signer, owner, g.Price-take); e != nil {
		return e
	}
	g.Status, g.OwnerReceived = datav1.Status_STATUS_ACTIVE, g.Price-take
	putGrant(st, g)
	ctx.Emit("bank.transfer", ledger.A("from", ctx.SignerString()), ledger.A("to", market.Treasury.String()), ledger.AU64("amount", take))
	ctx.Emit("bank.transfer", ledger.A("from", ctx.SignerString()), ledger.A("to", owner.String()), ledger.AU64("amount", g.Price-take))
	ctx.Emit("data.accept", ledger.AU64("grant", g.Id), ledger.A("grantee", ctx.SignerString()), ledger.AU64("price", g.Price), ledger.AU64("take", take))
	return nil
}

// handleRevoke: the signer owns the grant's device and the grant is
// pending or active; it becomes revoked. If the grant was paid (accepted
// with a price), the owner refunds the grantee the unexpired share of what
// the owner received at accept (owner_received, recorded then so a later
// change of the take rate does not change it): Refund. The market's take
// stays with the treasury (as the market's take on a settled payment is
// final). An owner whose balance cannot cover the refund cannot revoke
// (the bank's insufficient-funds code; nothing changes).
func handleRevoke(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m datav1.MsgRevoke
	if e := ledger.Unmarshal(TypeRevoke, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	g, ok := GetGrant(st, m.GetId())
	if !ok {
		return ledger.Errorf(CodeNoGrant, "no grant %d", m.GetId())
	}
	if owner, _ := ledger.AddressFromBytes(g.Owner); owner != ctx.Signer {
		return ledger.Errorf(CodeNotOwner, "signer %s did not grant %d", ctx.Signer, g.Id)
	}
	if !open(g.Status) {
		return ledger.Errorf(CodeClosed, "grant %d is already %s", g.Id, statusName(g.Status))
	}
	var refund uint64
	if g.Status == datav1.Status_STATUS_ACTIVE && g.OwnerReceived > 0 {
		refund = Refund(g.OwnerReceived, g.NotBefore, g.NotAfter, seconds(ctx))
		g.Refunded = refund
		grantee, _ := ledger.AddressFromBytes(g.Grantee)
		if e := bank.Transfer(st, ctx.Signer, grantee, refund); e != nil {
			return e
		}
		ctx.Emit("bank.transfer", ledger.A("from", ctx.SignerString()), ledger.A("to", grantee.String()), ledger.AU64("amount", refund))
	}
	g.Status = datav1.Status_STATUS_REVOKED
	putGrant(st, g)
	st.Delete(key(tagExpiry, i64(g.NotAfter), ledger.U64(g.Id)))
	ctx.Emit("data.revoke", ledger.AU64("grant", g.Id), ledger.A("owner", ctx.SignerString()), ledger.AU64("refund", refund))
	return nil
}

// Refund is the unexpired share of net (what the owner received for the
// window [notBefore, notAfter)) at time now: net × (notAfter − max(now,
// notBefore)) / (notAfter − notBefore), rounded down; the remainder of the
// division stays with the owner. Nothing once the window has ended, all of
// net before it starts.
func Refund(net uint64, notBefore, notAfter, now int64) uint64 {
	if notAfter <= notBefore || now >= notAfter {
		return 0
	}
	left := notAfter - max(now, notBefore)
	r, _ := ledger.MulDiv(net, uint64(left), uint64(notAfter-notBefore))
	return r
}

// EndBlock expires the open grants whose window ended by the block time.
func EndBlock(ctx *ledger.Context) *ledger.Error {
	st := ctx.Store
	now := seconds(ctx)
	var due [][]byte
	ledger.IteratePrefix(st, key(tagExpiry), func(k, _ []byte) bool {
		if int64(ledger.ReadU64(k[2:10])) > now {
			return false
		}
		due = append(due, append([]byte(nil), k...))
		return true
	})
	for _, k := range due {
		id := ledger.ReadU64(k[10:18])
		st.Delete(k)
		if g, ok := GetGrant(st, id); ok && open(g.Status) {
			g.Status = datav1.Status_STATUS_EXPIRED
			putGrant(st, g)
			ctx.Emit("data.expire", ledger.AU64("grant", id))
		}
	}
	return nil
}

func statusName(s datav1.Status) string {
	switch s {
	case datav1.Status_STATUS_PENDING:
		return "pending"
	case datav1.Status_STATUS_ACTIVE:
		return "active"
	case datav1.Status_STATUS_REVOKED:
		return "revoked"
	case datav1.Status_STATUS_EXPIRED:
		return "expired"
	}
	return "unknown"
}
