package credit

import (
	"strconv"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
)

// TypeBuy is the message type of MsgBuy.
const TypeBuy = "credits/buy"

// Register adds the credit messages to a router.
func Register(rt *ledger.Router) { rt.Add(TypeBuy, handleBuy) }

func handleBuy(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m creditv1.MsgBuy
	if e := ledger.Unmarshal(TypeBuy, raw, &m); e != nil {
		return e
	}
	to := ctx.Signer
	if len(m.Beneficiary) > 0 {
		a, err := ledger.AddressFromBytes(m.Beneficiary)
		if err != nil {
			return ledger.Errorf(ledger.CodeInvalidAddress, "beneficiary: %v", err)
		}
		to = a
	}
	if m.Credits == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "credits must be positive")
	}
	st := ctx.Store
	if max := params.Get(st, MaxBuy); m.Credits > max {
		return ledger.Errorf(ledger.CodeTooLarge, "%d credits in one purchase, at most %d allowed", m.Credits, max)
	}
	price := params.Get(st, PriceUpin)
	cost, ok := ledger.MulDiv(m.Credits, price, 1)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "%d credits × %d upin overflows", m.Credits, price)
	}
	t := GetTotals(st)
	nb, ok1 := ledger.Add(Balance(st, to), m.Credits)
	out, ok2 := ledger.Add(t.Outstanding, m.Credits)
	bought, ok3 := ledger.Add(t.Bought, m.Credits)
	burned, ok4 := ledger.Add(t.BurnedUpin, cost)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return ledger.Errorf(ledger.CodeOverflow, "credit totals would overflow")
	}
	if e := bank.Burn(st, ctx.Signer, cost); e != nil {
		return e
	}
	t.Outstanding, t.Bought, t.BurnedUpin = out, bought, burned
	t.PendingRemintUpin += cost // at most BurnedUpin, which did not overflow
	setBalance(st, to, nb)
	putTotals(st, t)
	if !ctx.NoEvents {
		ctx.Emit("credits.buy",
			ledger.Attr{Key: "buyer", Value: ctx.SignerString()},
			ledger.Attr{Key: "beneficiary", Value: to.String()},
			ledger.Attr{Key: "credits", Value: strconv.FormatUint(m.Credits, 10)},
			ledger.Attr{Key: "burned", Value: strconv.FormatUint(cost, 10)})
	}
	return nil
}

// Remint is called at a reward epoch's end: it returns the upin to re-mint
// into the epoch's emission, credit.remint_bps of the PIN burned for
// credits since the last call, capped by credit.remint_cap_upin, and
// clears the pending total. The rest of the burn stays burned.
func Remint(st ledger.Store) uint64 {
	t := GetTotals(st)
	if t.PendingRemintUpin == 0 {
		return 0
	}
	share, _ := ledger.MulDiv(t.PendingRemintUpin, params.Get(st, RemintBps), 10_000)
	if c := params.Get(st, RemintCap); share > c {
		share = c
	}
	t.PendingRemintUpin = 0
	// reminted <= burned, which fits.
	t.RemintedUpin += share
	putTotals(st, t)
	return share
}
