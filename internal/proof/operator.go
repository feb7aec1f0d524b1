package proof

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
)

// operatorSet is the ingest operator set, bounded by proof.max_operators.
var operatorSet = ledger.BoundedSet{Prefix: key(tagOperator), Noun: "operator", FullCode: CodeOperatorSetFull}

// IsOperator reports whether a is a registered ingest operator.
func IsOperator(st ledger.Store, a ledger.Address) bool { return operatorSet.Has(st, a[:]) }

// Operators returns the registered operators sorted by address.
func Operators(st ledger.Store) []*proofv1.Operator {
	var out []*proofv1.Operator
	operatorSet.Each(st, func(_, v []byte) bool {
		o := new(proofv1.Operator)
		ledger.DecodeState(v, o)
		out = append(out, o)
		return true
	})
	return out
}

// addOperator checks and registers an operator.
func addOperator(st ledger.Store, a ledger.Address, height int64) *ledger.Error {
	if a.IsZero() {
		return ledger.Errorf(ledger.CodeInvalidAddress, "operator address is zero")
	}
	if IsOperator(st, a) {
		return ledger.Errorf(CodeOperatorExists, "%s is an operator already", a)
	}
	if e := operatorSet.CheckRoom(st, a[:], params.Get(st, MaxOperators)); e != nil {
		return e
	}
	operatorSet.Put(st, a[:], ledger.Encode(&proofv1.Operator{Address: a[:], AddedHeight: height}))
	return nil
}

func handleAddOperator(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m proofv1.MsgAddOperator
	if e := ledger.Unmarshal(TypeAddOperator, raw, &m); e != nil {
		return e
	}
	a, err := ledger.AddressFromBytes(m.Operator)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "operator: %v", err)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	if e := addOperator(ctx.Store, a, ctx.Height); e != nil {
		return e
	}
	ctx.Emit("proof.operator_added", ledger.A("operator", a.String()))
	return nil
}

func handleRemoveOperator(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m proofv1.MsgRemoveOperator
	if e := ledger.Unmarshal(TypeRemoveOperator, raw, &m); e != nil {
		return e
	}
	a, err := ledger.AddressFromBytes(m.Operator)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "operator: %v", err)
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	if !IsOperator(ctx.Store, a) {
		return ledger.Errorf(CodeUnknownOperator, "%s is not an operator", a)
	}
	operatorSet.Remove(ctx.Store, a[:])
	ctx.Emit("proof.operator_removed", ledger.A("operator", a.String()))
	return nil
}
