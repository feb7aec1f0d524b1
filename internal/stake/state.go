package stake

import (
	"crypto/sha256"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// PrefixStake is the staking module's key prefix.
const PrefixStake byte = 0x10

// Key tags under PrefixStake.
const (
	tagValidator    = 'v' // operator → Validator
	tagConsensus    = 'c' // consensus address → operator
	tagDelegation   = 'd' // delegator | validator → Delegation
	tagUnbonding    = 'e' // id → Unbonding
	tagUBDQueue     = 'q' // completion time | id → nil
	tagUBDByVal     = 'E' // validator | id → nil
	tagUBDByPair    = 'p' // delegator | validator | id → nil
	tagRedelegate   = 'r' // id → Redelegation
	tagREDQueue     = 'Q' // completion time | id → nil
	tagREDBySrc     = 'R' // src | id → nil
	tagREDByDst     = 'P' // delegator | dst | id → nil
	tagNextID       = 'n' // next entry id
	tagActiveSet    = 's' // ActiveSet
	tagSetMax       = 'm' // max_validators the active set was computed with
	tagDirty        = 'x' // present when the active set must be recomputed
	tagEnabled      = 'o' // present when staking drives the validator set
	tagEvidence     = 'k' // consensus address | height → Evidence
	tagTreasuryDust = 't' // total rounding remainders sent to the treasury
)

func key(tag byte, parts ...[]byte) []byte {
	return ledger.Key(PrefixStake, append([][]byte{{tag}}, parts...)...)
}

var marshal = proto.MarshalOptions{Deterministic: true}

func encode(m proto.Message) []byte {
	b, err := marshal.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("stake: encode %T: %v", m, err)) // records always encode
	}
	return b
}

// decodeState decodes a stored record; one that does not decode is a broken
// invariant, and the node must halt rather than diverge.
func decodeState(b []byte, m proto.Message) {
	if err := proto.Unmarshal(b, m); err != nil {
		panic(fmt.Sprintf("stake: corrupt %T in state: %v", m, err))
	}
}

// ConsAddress is the CometBFT address of a consensus key: the first 20
// bytes of its SHA-256 (cometbft crypto/ed25519 PubKey.Address).
func ConsAddress(pub []byte) ledger.Address {
	s := sha256.Sum256(pub)
	var a ledger.Address
	copy(a[:], s[:ledger.AddressLen])
	return a
}

// Enabled reports whether staking drives the validator set: the chain's
// genesis named its validators.
func Enabled(st ledger.Store) bool { return st.Get(key(tagEnabled)) != nil }

// GetValidator reads a validator by operator address.
func GetValidator(st ledger.Store, op ledger.Address) (*stakev1.Validator, bool) {
	b := st.Get(key(tagValidator, op[:]))
	if b == nil {
		return nil, false
	}
	v := &stakev1.Validator{}
	decodeState(b, v)
	return v, true
}

func putValidator(st ledger.Store, v *stakev1.Validator) {
	st.Set(key(tagValidator, v.Operator), encode(v))
}

// markDirty asks end block to recompute the active set.
func markDirty(st ledger.Store) { st.Set(key(tagDirty), []byte{1}) }

// ValidatorByConsAddress finds the operator of a consensus address.
func ValidatorByConsAddress(st ledger.Store, ca ledger.Address) (*stakev1.Validator, bool) {
	b := st.Get(key(tagConsensus, ca[:]))
	if b == nil {
		return nil, false
	}
	op, err := ledger.AddressFromBytes(b)
	if err != nil {
		panic(fmt.Sprintf("stake: corrupt consensus index: %v", err))
	}
	return GetValidator(st, op)
}

// Validators returns every validator, by operator address.
func Validators(st ledger.Store) []*stakev1.Validator {
	var out []*stakev1.Validator
	ledger.IteratePrefix(st, key(tagValidator), func(_, b []byte) bool {
		v := &stakev1.Validator{}
		decodeState(b, v)
		out = append(out, v)
		return true
	})
	return out
}

// GetDelegation reads the delegation of a delegator to a validator.
func GetDelegation(st ledger.Store, del, val ledger.Address) (*stakev1.Delegation, bool) {
	b := st.Get(key(tagDelegation, del[:], val[:]))
	if b == nil {
		return nil, false
	}
	d := &stakev1.Delegation{}
	decodeState(b, d)
	return d, true
}

func putDelegation(st ledger.Store, del, val ledger.Address, d *stakev1.Delegation) {
	if d.Shares == 0 {
		st.Delete(key(tagDelegation, del[:], val[:]))
		return
	}
	st.Set(key(tagDelegation, del[:], val[:]), encode(d))
}

// DelegationEntry is one delegation with its validator.
type DelegationEntry struct {
	Validator  ledger.Address
	Delegation *stakev1.Delegation
}

// DelegationsOf lists a delegator's delegations, by validator.
func DelegationsOf(st ledger.Store, del ledger.Address) []DelegationEntry {
	var out []DelegationEntry
	p := key(tagDelegation, del[:])
	ledger.IteratePrefix(st, p, func(k, b []byte) bool {
		val, err := ledger.AddressFromBytes(k[len(p):])
		if err != nil {
			panic(fmt.Sprintf("stake: corrupt delegation key: %v", err))
		}
		d := &stakev1.Delegation{}
		decodeState(b, d)
		out = append(out, DelegationEntry{Validator: val, Delegation: d})
		return true
	})
	return out
}

func nextID(st ledger.Store) uint64 {
	id := ledger.ReadU64(st.Get(key(tagNextID))) + 1
	st.Set(key(tagNextID), ledger.U64(id))
	return id
}

func timeKey(t int64) []byte {
	if t < 0 {
		t = 0
	}
	return ledger.U64(uint64(t))
}

// GetUnbonding reads an unbonding entry by id.
func GetUnbonding(st ledger.Store, id uint64) (*stakev1.Unbonding, bool) {
	b := st.Get(key(tagUnbonding, ledger.U64(id)))
	if b == nil {
		return nil, false
	}
	u := &stakev1.Unbonding{}
	decodeState(b, u)
	return u, true
}

func putUnbonding(st ledger.Store, u *stakev1.Unbonding, isNew bool) {
	st.Set(key(tagUnbonding, ledger.U64(u.Id)), encode(u))
	if isNew {
		id := ledger.U64(u.Id)
		st.Set(key(tagUBDQueue, timeKey(u.CompletionTime), id), []byte{})
		st.Set(key(tagUBDByVal, u.Validator, id), []byte{})
		st.Set(key(tagUBDByPair, u.Delegator, u.Validator, id), []byte{})
	}
}

func deleteUnbonding(st ledger.Store, u *stakev1.Unbonding) {
	id := ledger.U64(u.Id)
	st.Delete(key(tagUnbonding, id))
	st.Delete(key(tagUBDQueue, timeKey(u.CompletionTime), id))
	st.Delete(key(tagUBDByVal, u.Validator, id))
	st.Delete(key(tagUBDByPair, u.Delegator, u.Validator, id))
}

// idsUnder lists the entry ids that end the keys under prefix p.
func idsUnder(st ledger.Store, p []byte) []uint64 {
	var ids []uint64
	ledger.IteratePrefix(st, p, func(k, _ []byte) bool {
		ids = append(ids, ledger.ReadU64(k[len(k)-8:]))
		return true
	})
	return ids
}

// UnbondingsOf lists a delegator's unbonding entries, by validator and id.
func UnbondingsOf(st ledger.Store, del ledger.Address) []*stakev1.Unbonding {
	var out []*stakev1.Unbonding
	for _, id := range idsUnder(st, key(tagUBDByPair, del[:])) {
		if u, ok := GetUnbonding(st, id); ok {
			out = append(out, u)
		}
	}
	return out
}

func getRedelegation(st ledger.Store, id uint64) (*stakev1.Redelegation, bool) {
	b := st.Get(key(tagRedelegate, ledger.U64(id)))
	if b == nil {
		return nil, false
	}
	r := &stakev1.Redelegation{}
	decodeState(b, r)
	return r, true
}

func putRedelegation(st ledger.Store, r *stakev1.Redelegation, isNew bool) {
	st.Set(key(tagRedelegate, ledger.U64(r.Id)), encode(r))
	if isNew {
		id := ledger.U64(r.Id)
		st.Set(key(tagREDQueue, timeKey(r.CompletionTime), id), []byte{})
		st.Set(key(tagREDBySrc, r.Src, id), []byte{})
		st.Set(key(tagREDByDst, r.Delegator, r.Dst, id), []byte{})
	}
}

func deleteRedelegation(st ledger.Store, r *stakev1.Redelegation) {
	id := ledger.U64(r.Id)
	st.Delete(key(tagRedelegate, id))
	st.Delete(key(tagREDQueue, timeKey(r.CompletionTime), id))
	st.Delete(key(tagREDBySrc, r.Src, id))
	st.Delete(key(tagREDByDst, r.Delegator, r.Dst, id))
}

// ActiveSet returns the active set as last sent to CometBFT.
func ActiveSet(st ledger.Store) []*stakev1.SetMember {
	b := st.Get(key(tagActiveSet))
	if b == nil {
		return nil
	}
	s := &stakev1.ActiveSet{}
	decodeState(b, s)
	return s.Members
}

func putActiveSet(st ledger.Store, members []*stakev1.SetMember) {
	st.Set(key(tagActiveSet), encode(&stakev1.ActiveSet{Members: members}))
}

// TreasuryDust is the total of distribution rounding remainders sent to
// the treasury.
func TreasuryDust(st ledger.Store) uint64 { return ledger.ReadU64(st.Get(key(tagTreasuryDust))) }

func addTreasuryDust(st ledger.Store, v uint64) {
	if v == 0 {
		return
	}
	t, _ := ledger.Add(TreasuryDust(st), v) // bounded by the supply
	st.Set(key(tagTreasuryDust), ledger.U64(t))
}

func operatorOf(v *stakev1.Validator) ledger.Address {
	a, err := ledger.AddressFromBytes(v.Operator)
	if err != nil {
		panic(fmt.Sprintf("stake: corrupt validator operator: %v", err))
	}
	return a
}

// RedelegationsInto counts a delegator's immature redelegations into a
// validator.
func RedelegationsInto(st ledger.Store, del, dst ledger.Address) uint64 {
	return countUnder(st, key(tagREDByDst, del[:], dst[:]))
}

// UnbondingsFrom counts a delegator's unbonding entries from a validator.
func UnbondingsFrom(st ledger.Store, del, val ledger.Address) uint64 {
	return countUnder(st, key(tagUBDByPair, del[:], val[:]))
}
