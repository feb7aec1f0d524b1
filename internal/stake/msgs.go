package stake

import (
	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// Message type names.
const (
	TypeCreateValidator = "stake/create-validator"
	TypeEditValidator   = "stake/edit-validator"
	TypeDelegate        = "stake/delegate"
	TypeUndelegate      = "stake/undelegate"
	TypeRedelegate      = "stake/redelegate"
	TypeWithdrawRewards = "stake/withdraw-rewards"
	TypeUnjail          = "stake/unjail"
)

// Register adds the staking messages to a router.
func Register(rt *ledger.Router) {
	rt.Add(TypeCreateValidator, handleCreateValidator)
	rt.Add(TypeEditValidator, handleEditValidator)
	rt.Add(TypeDelegate, handleDelegate)
	rt.Add(TypeUndelegate, handleUndelegate)
	rt.Add(TypeRedelegate, handleRedelegate)
	rt.Add(TypeWithdrawRewards, handleWithdrawRewards)
	rt.Add(TypeUnjail, handleUnjail)
}

func address(what string, b []byte) (ledger.Address, *ledger.Error) {
	a, err := ledger.AddressFromBytes(b)
	if err != nil {
		return a, ledger.Errorf(ledger.CodeInvalidAddress, "%s: %v", what, err)
	}
	return a, nil
}

func handleCreateValidator(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgCreateValidator
	if e := ledger.Unmarshal(TypeCreateValidator, raw, &m); e != nil {
		return e
	}
	return CreateValidator(ctx, ctx.Signer, &m)
}

func handleEditValidator(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgEditValidator
	if e := ledger.Unmarshal(TypeEditValidator, raw, &m); e != nil {
		return e
	}
	return EditValidator(ctx, ctx.Signer, &m)
}

func handleDelegate(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgDelegate
	if e := ledger.Unmarshal(TypeDelegate, raw, &m); e != nil {
		return e
	}
	val, e := address("validator", m.Validator)
	if e != nil {
		return e
	}
	return Delegate(ctx, ctx.Signer, val, m.Amount)
}

func handleUndelegate(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgUndelegate
	if e := ledger.Unmarshal(TypeUndelegate, raw, &m); e != nil {
		return e
	}
	val, e := address("validator", m.Validator)
	if e != nil {
		return e
	}
	return Undelegate(ctx, ctx.Signer, val, m.Amount)
}

func handleRedelegate(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgRedelegate
	if e := ledger.Unmarshal(TypeRedelegate, raw, &m); e != nil {
		return e
	}
	src, e := address("source validator", m.Src)
	if e != nil {
		return e
	}
	dst, e := address("destination validator", m.Dst)
	if e != nil {
		return e
	}
	return Redelegate(ctx, ctx.Signer, src, dst, m.Amount)
}

func handleWithdrawRewards(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgWithdrawRewards
	if e := ledger.Unmarshal(TypeWithdrawRewards, raw, &m); e != nil {
		return e
	}
	if len(m.Validator) != 0 {
		val, e := address("validator", m.Validator)
		if e != nil {
			return e
		}
		return WithdrawRewards(ctx, ctx.Signer, val)
	}
	ents := DelegationsOf(ctx.Store, ctx.Signer)
	if len(ents) == 0 {
		if _, ok := GetValidator(ctx.Store, ctx.Signer); !ok {
			return ledger.Errorf(CodeUnknownDelegation, "%s has no delegations", ctx.Signer)
		}
	}
	for _, d := range ents {
		if e := WithdrawRewards(ctx, ctx.Signer, d.Validator); e != nil {
			return e
		}
	}
	if _, ok := GetDelegation(ctx.Store, ctx.Signer, ctx.Signer); !ok {
		if _, isOp := GetValidator(ctx.Store, ctx.Signer); isOp {
			return WithdrawRewards(ctx, ctx.Signer, ctx.Signer)
		}
	}
	return nil
}

func handleUnjail(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m stakev1.MsgUnjail
	if e := ledger.Unmarshal(TypeUnjail, raw, &m); e != nil {
		return e
	}
	return Unjail(ctx, ctx.Signer)
}
