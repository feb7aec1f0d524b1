package bank

import (
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
)

// Message type names.
const (
	TypeSend      = "bank/send"
	TypeMultiSend = "bank/multi-send"
)

// Register adds the bank messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeSend, handleSend)
	rt.Add(TypeMultiSend, handleMultiSend)
}

func handleSend(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m bankv1.MsgSend
	if e := ledger.Unmarshal(TypeSend, raw, &m); e != nil {
		return e
	}
	to, err := ledger.AddressFromBytes(m.To)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "recipient: %v", err)
	}
	if m.Amount == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "amount must be positive")
	}
	if e := Transfer(ctx.Store, ctx.Signer, to, m.Amount); e != nil {
		return e
	}
	if !ctx.NoEvents {
		ctx.Emit("bank.transfer",
			ledger.Attr{Key: "from", Value: ctx.SignerString()},
			ledger.Attr{Key: "to", Value: to.String()},
			ledger.Attr{Key: "amount", Value: strconv.FormatUint(m.Amount, 10)})
	}
	return nil
}

func handleMultiSend(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m bankv1.MsgMultiSend
	if e := ledger.Unmarshal(TypeMultiSend, raw, &m); e != nil {
		return e
	}
	if len(m.Outputs) == 0 {
		return ledger.Errorf(ledger.CodeMalformed, "multi-send has no outputs")
	}
	if max := params.Get(ctx.Store, MaxOutputs); uint64(len(m.Outputs)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "multi-send has %d outputs, at most %d allowed", len(m.Outputs), max)
	}
	var total uint64
	tos := make([]ledger.Address, len(m.Outputs))
	for i, o := range m.Outputs {
		to, err := ledger.AddressFromBytes(o.To)
		if err != nil {
			return ledger.Errorf(ledger.CodeInvalidAddress, "output %d: %v", i, err)
		}
		if o.Amount == 0 {
			return ledger.Errorf(ledger.CodeInvalidAmount, "output %d: amount must be positive", i)
		}
		var ok bool
		if total, ok = ledger.Add(total, o.Amount); !ok {
			return ledger.Errorf(ledger.CodeOverflow, "multi-send total overflows")
		}
		tos[i] = to
	}
	if bal := Balance(ctx.Store, ctx.Signer); bal < total {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, multi-send needs %d", ctx.Signer, bal, total)
	}
	for i, o := range m.Outputs {
		if e := Transfer(ctx.Store, ctx.Signer, tos[i], o.Amount); e != nil {
			return e
		}
		if !ctx.NoEvents {
			ctx.Emit("bank.transfer",
				ledger.Attr{Key: "from", Value: ctx.SignerString()},
				ledger.Attr{Key: "to", Value: tos[i].String()},
				ledger.Attr{Key: "amount", Value: strconv.FormatUint(o.Amount, 10)})
		}
	}
	return nil
}
