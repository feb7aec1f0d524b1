package proof

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
)

func TestOperatorMessages(t *testing.T) {
	f := newFixture(t, map[string]uint64{MaxOperators.Name: 2})
	a := addr("second")
	tests := []struct {
		name   string
		signer ledger.Address
		typ    string
		op     []byte
		code   ledger.Code
	}{
		{"add by stranger", stranger, TypeAddOperator, a[:], ledger.CodeUnauthorized},
		{"add by operator", operator, TypeAddOperator, a[:], ledger.CodeUnauthorized},
		{"short address", authority, TypeAddOperator, a[:10], ledger.CodeInvalidAddress},
		{"zero address", authority, TypeAddOperator, make([]byte, 20), ledger.CodeInvalidAddress},
		{"add existing", authority, TypeAddOperator, operator[:], CodeOperatorExists},
		{"add", authority, TypeAddOperator, a[:], ledger.CodeOK},
		{"add beyond max", authority, TypeAddOperator, stranger[:], CodeOperatorSetFull},
		{"remove by stranger", stranger, TypeRemoveOperator, a[:], ledger.CodeUnauthorized},
		{"remove unknown", authority, TypeRemoveOperator, stranger[:], CodeUnknownOperator},
		{"remove", authority, TypeRemoveOperator, a[:], ledger.CodeOK},
		{"remove again", authority, TypeRemoveOperator, a[:], CodeUnknownOperator},
	}
	for _, tc := range tests {
		before := f.dump()
		var e *ledger.Error
		if tc.typ == TypeAddOperator {
			e = f.exec(tc.signer, tc.typ, &proofv1.MsgAddOperator{Operator: tc.op})
		} else {
			e = f.exec(tc.signer, tc.typ, &proofv1.MsgRemoveOperator{Operator: tc.op})
		}
		wantCode(t, tc.name, e, tc.code)
		if tc.code != ledger.CodeOK && f.dump() != before {
			t.Fatalf("%s: rejection changed state", tc.name)
		}
	}
	ops := Operators(f.st)
	if len(ops) != 1 || string(ops[0].Address) != string(operator[:]) {
		t.Fatalf("operators %v, want only the genesis operator", ops)
	}
}
