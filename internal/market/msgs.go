package market

import (
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
)

// Message type names.
const (
	TypeCreateProvider = "market/create-provider"
	TypeUpdateProvider = "market/update-provider"
	TypeSetAuditor     = "market/set-auditor"
	TypeAttest         = "market/attest"
	TypeCreateOrder    = "market/create-order"
	TypeCloseOrder     = "market/close-order"
	TypeBid            = "market/bid"
	TypeCloseBid       = "market/close-bid"
	TypeAccept         = "market/accept"
	TypeDeposit        = "market/deposit"
	TypeCloseLease     = "market/close-lease"
	TypeSubmitReceipts = "market/submit-receipts"
)

// Register adds the market messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeCreateProvider, handleCreateProvider)
	rt.Add(TypeSetAuditor, handleSetAuditor)
	rt.Add(TypeAttest, handleAttest)
	rt.Add(TypeCreateOrder, handleCreateOrder)
	rt.Add(TypeCloseOrder, handleCloseOrder)
	rt.Add(TypeBid, handleBid)
	rt.Add(TypeCloseBid, handleCloseBid)
	rt.Add(TypeAccept, handleAccept)
	rt.Add(TypeDeposit, handleDeposit)
	rt.Add(TypeCloseLease, handleCloseLease)
	rt.Add(TypeSubmitReceipts, handleSubmitReceipts)
	rt.Add(TypeUpdateProvider, handleUpdateProvider)
}

// move transfers amount between accounts and emits a bank.transfer event,
// so that every upin the market moves is in the events (deposits into
// escrow, payments, the take, refunds, collateral).
func move(ctx *ledger.Context, from, to ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return nil
	}
	if e := bank.Transfer(ctx.Store, from, to, amount); e != nil {
		return e
	}
	if !ctx.NoEvents {
		ctx.Emit("bank.transfer", attr("from", from.String()), attr("to", to.String()), attr("amount", u64(amount)))
	}
	return nil
}
