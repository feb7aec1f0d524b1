package stake

import (
	"strconv"
	"unicode/utf8"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// PubKeyLen is the length of an ed25519 consensus key.
const PubKeyLen = 32

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// MaxMonikerLen bounds a validator's moniker in bytes.
const MaxMonikerLen = 70

func checkMoniker(m string) *ledger.Error {
	if len(m) > MaxMonikerLen || !utf8.ValidString(m) {
		return ledger.Errorf(ledger.CodeMalformed, "moniker must be valid UTF-8 of at most %d bytes", MaxMonikerLen)
	}
	return nil
}

// CreateValidator makes op the operator of a new validator with the
// consensus key pub and a self-bond of m.Amount.
func CreateValidator(ctx *ledger.Context, op ledger.Address, m *stakev1.MsgCreateValidator) *ledger.Error {
	st := ctx.Store
	if !Enabled(st) {
		return ledger.Errorf(CodeStakingDisabled, "this chain's validator set is fixed in genesis; staking is not enabled")
	}
	if e := checkMoniker(m.Moniker); e != nil {
		return e
	}
	if len(m.PubKey) != PubKeyLen || allZero(m.PubKey) {
		return ledger.Errorf(CodeConsensusKeyUsed, "consensus key must be a %d-byte ed25519 public key", PubKeyLen)
	}
	if m.MaxCommissionBps > 10_000 || m.CommissionBps > m.MaxCommissionBps || m.MaxChangeBps > m.MaxCommissionBps {
		return ledger.Errorf(CodeBadCommission, "need commission ≤ max commission ≤ 10000 bps and max change ≤ max commission")
	}
	if min := params.Get(st, MinCommissionBps); uint64(m.CommissionBps) < min {
		return ledger.Errorf(CodeBadCommission, "commission %d bps below the minimum %d", m.CommissionBps, min)
	}
	if min := params.Get(st, MinSelfBond); m.Amount < min {
		return ledger.Errorf(CodeSelfBondTooLow, "self-bond %d upin below the minimum %d", m.Amount, min)
	}
	if _, ok := GetValidator(st, op); ok {
		return ledger.Errorf(CodeValidatorExists, "%s operates a validator already", op)
	}
	ca := ConsAddress(m.PubKey)
	if st.Get(key(tagConsensus, ca[:])) != nil {
		return ledger.Errorf(CodeConsensusKeyUsed, "consensus key is used by another validator")
	}
	if bal := bank.Balance(st, op); bal < m.Amount {
		return ledger.Errorf(ledger.CodeInsufficientFunds, "%s has %d upin, needs %d", op, bal, m.Amount)
	}
	v := &stakev1.Validator{Operator: op[:], PubKey: m.PubKey, Moniker: m.Moniker, CommissionBps: m.CommissionBps,
		MaxCommissionBps: m.MaxCommissionBps, MaxChangeBps: m.MaxChangeBps, CommissionTime: ctx.Time, CreatedHeight: ctx.Height}
	st.Set(key(tagConsensus, ca[:]), op[:])
	if _, e := addShares(ctx, op, v, m.Amount); e != nil {
		return e
	}
	if e := bank.Transfer(st, op, BondedPool, m.Amount); e != nil {
		return e
	}
	putValidator(st, v)
	ctx.Emit("stake.create_validator", ledger.Attr{Key: "validator", Value: op.String()},
		ledger.Attr{Key: "amount", Value: strconv.FormatUint(m.Amount, 10)},
		ledger.Attr{Key: "commission_bps", Value: strconv.FormatUint(uint64(m.CommissionBps), 10)})
	return nil
}

// EditValidator changes op's validator's commission or moniker.
func EditValidator(ctx *ledger.Context, op ledger.Address, m *stakev1.MsgEditValidator) *ledger.Error {
	st := ctx.Store
	v, ok := GetValidator(st, op)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "%s operates no validator", op)
	}
	if !m.SetCommission && !m.SetMoniker {
		return ledger.Errorf(ledger.CodeMalformed, "edit changes nothing")
	}
	if m.SetMoniker {
		if e := checkMoniker(m.Moniker); e != nil {
			return e
		}
		v.Moniker = m.Moniker
	}
	if m.SetCommission && m.CommissionBps != v.CommissionBps {
		if m.CommissionBps > v.MaxCommissionBps {
			return ledger.Errorf(CodeBadCommission, "commission %d bps above the validator's maximum %d", m.CommissionBps, v.MaxCommissionBps)
		}
		if min := params.Get(st, MinCommissionBps); uint64(m.CommissionBps) < min {
			return ledger.Errorf(CodeBadCommission, "commission %d bps below the minimum %d", m.CommissionBps, min)
		}
		diff := int64(m.CommissionBps) - int64(v.CommissionBps)
		if diff < 0 {
			diff = -diff
		}
		if diff > int64(v.MaxChangeBps) {
			return ledger.Errorf(CodeBadCommission, "commission change of %d bps above the validator's maximum change %d", diff, v.MaxChangeBps)
		}
		if next := v.CommissionTime + seconds(st, CommissionChangeSeconds); ctx.Time < next {
			return ledger.Errorf(CodeCommissionTooSoon, "commission changed at %d; next change allowed from %d", v.CommissionTime, next)
		}
		v.CommissionBps = m.CommissionBps
		v.CommissionTime = ctx.Time
	}
	putValidator(st, v)
	ctx.Emit("stake.edit_validator", ledger.Attr{Key: "validator", Value: op.String()},
		ledger.Attr{Key: "commission_bps", Value: strconv.FormatUint(uint64(v.CommissionBps), 10)})
	return nil
}

// Unjail returns op's validator to the candidates of the active set.
func Unjail(ctx *ledger.Context, op ledger.Address) *ledger.Error {
	st := ctx.Store
	v, ok := GetValidator(st, op)
	if !ok {
		return ledger.Errorf(CodeUnknownValidator, "%s operates no validator", op)
	}
	if v.Tombstoned {
		return ledger.Errorf(CodeTombstoned, "validator %s is tombstoned for double signing and can never unjail", op)
	}
	if !v.Jailed {
		return ledger.Errorf(CodeNotJailed, "validator %s is not jailed", op)
	}
	if ctx.Time < v.JailedUntil {
		return ledger.Errorf(CodeJailNotOver, "validator %s is jailed until %d, block time is %d", op, v.JailedUntil, ctx.Time)
	}
	if sb, min := SelfBond(st, v), params.Get(st, MinSelfBond); sb < min {
		return ledger.Errorf(CodeSelfBondTooLow, "self-bond %d upin below the minimum %d", sb, min)
	}
	v.Jailed = false
	v.Missed, v.MissedWindow = 0, 0
	putValidator(st, v)
	markDirty(st)
	ctx.Emit("stake.unjail", ledger.Attr{Key: "validator", Value: op.String()})
	return nil
}
