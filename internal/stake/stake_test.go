package stake

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

func TestGenesisSetAndDelegationMovesPower(t *testing.T) {
	k := newKit(t, 3)
	ups := GenesisUpdates(k.st)
	if len(ups) != 3 || ups[0].Power != 10_000 {
		t.Fatalf("genesis updates %+v", ups)
	}
	if ups := k.block(allSigned(k)); len(ups) != 0 {
		t.Fatalf("got updates %+v without a change", ups)
	}
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(5), acct(1), 500*pin) }), ledger.CodeOK)
	ups = k.block(allSigned(k))
	if len(ups) != 1 || ups[0].Power != 10_500 || string(ups[0].PubKey) != string(consKey(1)) {
		t.Fatalf("got updates %+v, want validator 1 at 10500", ups)
	}
	if got := bank.Balance(k.st, acct(5)); got != 1_000_000*pin-500*pin {
		t.Fatalf("delegator balance %d", got)
	}
}

func TestUndelegatePaysAfterUnbonding(t *testing.T) {
	k := newKit(t, 2)
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(5), acct(0), 1000*pin) }), ledger.CodeOK)
	k.block(allSigned(k))
	before := bank.Balance(k.st, acct(5))
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Undelegate(c, acct(5), acct(0), 200*pin) }), ledger.CodeOK)
	k.block(allSigned(k))
	if got := bank.Balance(k.st, acct(5)); got != before {
		t.Fatalf("paid before the unbonding period: %d, was %d", got, before)
	}
	for i := 0; i < 100; i++ {
		k.block(allSigned(k))
	}
	if got := bank.Balance(k.st, acct(5)); got != before+200*pin {
		t.Fatalf("after unbonding balance %d, want %d", got, before+200*pin)
	}
	if d := QueryDelegations(k.st, acct(5)); d.Total != 800*pin || len(d.Unbonding) != 0 {
		t.Fatalf("delegations %+v", d)
	}
}

func TestRejections(t *testing.T) {
	k := newKit(t, 2)
	pub := consKey(9)
	cases := []struct {
		name   string
		signer ledger.Address
		f      func(c *ledger.Context) *ledger.Error
		want   ledger.Code
	}{
		{"self bond below minimum", acct(4), func(c *ledger.Context) *ledger.Error {
			return CreateValidator(c, acct(4), &stakev1.MsgCreateValidator{PubKey: pub, Amount: 999 * pin, MaxCommissionBps: 100})
		}, CodeSelfBondTooLow},
		{"consensus key used", acct(4), func(c *ledger.Context) *ledger.Error {
			return CreateValidator(c, acct(4), &stakev1.MsgCreateValidator{PubKey: consKey(0), Amount: 1000 * pin, MaxCommissionBps: 100})
		}, CodeConsensusKeyUsed},
		{"short consensus key", acct(4), func(c *ledger.Context) *ledger.Error {
			return CreateValidator(c, acct(4), &stakev1.MsgCreateValidator{PubKey: pub[:31], Amount: 1000 * pin})
		}, CodeConsensusKeyUsed},
		{"commission above max", acct(4), func(c *ledger.Context) *ledger.Error {
			return CreateValidator(c, acct(4), &stakev1.MsgCreateValidator{PubKey: pub, Amount: 1000 * pin, CommissionBps: 500, MaxCommissionBps: 100})
		}, CodeBadCommission},
		{"operator twice", acct(0), func(c *ledger.Context) *ledger.Error {
			return CreateValidator(c, acct(0), &stakev1.MsgCreateValidator{PubKey: pub, Amount: 1000 * pin, MaxCommissionBps: 100})
		}, CodeValidatorExists},
		{"delegate to nobody", acct(4), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(4), acct(6), pin) }, CodeUnknownValidator},
		{"delegate zero", acct(4), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(4), acct(0), 0) }, ledger.CodeInvalidAmount},
		{"delegate more than balance", acct(4), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(4), acct(0), 2_000_000*pin) }, ledger.CodeInsufficientFunds},
		{"undelegate without delegation", acct(4), func(c *ledger.Context) *ledger.Error { return Undelegate(c, acct(4), acct(0), pin) }, CodeUnknownDelegation},
		{"undelegate more than delegated", acct(0), func(c *ledger.Context) *ledger.Error { return Undelegate(c, acct(0), acct(0), 10_001*pin) }, CodeInsufficientShares},
		{"redelegate to itself", acct(0), func(c *ledger.Context) *ledger.Error { return Redelegate(c, acct(0), acct(0), acct(0), pin) }, CodeSelfRedelegation},
		{"unjail when not jailed", acct(0), func(c *ledger.Context) *ledger.Error { return Unjail(c, acct(0)) }, CodeNotJailed},
		{"commission change above max change", acct(0), func(c *ledger.Context) *ledger.Error {
			return EditValidator(c, acct(0), &stakev1.MsgEditValidator{SetCommission: true, CommissionBps: 1200})
		}, CodeBadCommission},
		{"commission change too soon", acct(0), func(c *ledger.Context) *ledger.Error {
			return EditValidator(c, acct(0), &stakev1.MsgEditValidator{SetCommission: true, CommissionBps: 1050})
		}, CodeCommissionTooSoon},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(k.st)
			wantCode(t, k.tx(c.signer, c.f), c.want)
			if after := snapshot(k.st); after != before {
				t.Fatal("a rejected message changed state")
			}
		})
	}
}

func snapshot(st *ledger.MemStore) string {
	var s []byte
	st.Iterate(nil, nil, func(k, v []byte) bool {
		s = append(s, k...)
		s = append(s, v...)
		return true
	})
	return string(s)
}

func TestDowntimeJailsAndUnjails(t *testing.T) {
	k := newKit(t, 3)
	k.block(allSigned(k))
	absent := func() ledger.BlockInfo {
		info := allSigned(k)
		for i := range info.Votes {
			if info.Votes[i].Validator == ConsAddress(consKey(2)) {
				info.Votes[i].Signed = false
			}
		}
		return info
	}
	tokens := k.val(2).Tokens
	var removed bool
	for i := 0; i < 20 && !removed; i++ {
		for _, u := range k.block(absent()) {
			if string(u.PubKey) == string(consKey(2)) && u.Power == 0 {
				removed = true
			}
		}
	}
	if !removed {
		t.Fatal("validator 2 missed 20 blocks and is still in the set")
	}
	v := k.val(2)
	if !v.Jailed || v.Tokens != tokens-tokens/100 {
		t.Fatalf("jailed %v tokens %d, want jailed with %d", v.Jailed, v.Tokens, tokens-tokens/100)
	}
	wantCode(t, k.tx(acct(2), func(c *ledger.Context) *ledger.Error { return Unjail(c, acct(2)) }), CodeJailNotOver)
	for i := 0; i < 50; i++ {
		k.block(allSigned(k))
	}
	wantCode(t, k.tx(acct(2), func(c *ledger.Context) *ledger.Error { return Unjail(c, acct(2)) }), ledger.CodeOK)
	ups := k.block(allSigned(k))
	if len(ups) != 1 || ups[0].Power != int64(v.Tokens/PowerReduction) {
		t.Fatalf("after unjail got updates %+v", ups)
	}
}

func TestDoubleSignSlashesUnbondingAndTombstones(t *testing.T) {
	k := newKit(t, 3)
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(5), acct(1), 1000*pin) }), ledger.CodeOK)
	k.block(allSigned(k))
	infraction, infTime := k.height, k.time
	k.block(allSigned(k))
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Undelegate(c, acct(5), acct(1), 400*pin) }), ledger.CodeOK)
	k.block(allSigned(k))
	power := int64(11_000)
	info := allSigned(k)
	info.Evidence = []ledger.Misbehavior{{Kind: ledger.MisbehaviorDuplicateVote, Validator: ConsAddress(consKey(1)), Height: infraction, Time: infTime, Power: power}}
	supply := bank.GetSupply(k.st).Total
	ups := k.block(info)
	if len(ups) != 1 || ups[0].Power != 0 {
		t.Fatalf("got updates %+v, want validator 1 removed", ups)
	}
	burned := supply - bank.GetSupply(k.st).Total
	if want := uint64(power) * PowerReduction * 5 / 100; burned != want {
		t.Fatalf("burned %d, want %d", burned, want)
	}
	u := UnbondingsOf(k.st, acct(5))
	if len(u) != 1 || u[0].Balance != 400*pin-20*pin {
		t.Fatalf("unbonding %+v, want 5%% slashed", u)
	}
	v := k.val(1)
	if !v.Tombstoned || !v.Jailed {
		t.Fatal("not tombstoned")
	}
	wantCode(t, k.tx(acct(1), func(c *ledger.Context) *ledger.Error { return Unjail(c, acct(1)) }), CodeTombstoned)
	wantCode(t, k.tx(acct(6), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(6), acct(1), pin) }), CodeTombstoned)
	// The same evidence again changes nothing.
	info.Evidence[0].Height = infraction
	supply = bank.GetSupply(k.st).Total
	k.block(info)
	if bank.GetSupply(k.st).Total != supply {
		t.Fatal("evidence punished twice")
	}
}

func TestRedelegationSlashedAndNotTransitive(t *testing.T) {
	k := newKit(t, 3)
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(5), acct(0), 1000*pin) }), ledger.CodeOK)
	k.block(allSigned(k))
	infraction, infTime := k.height, k.time
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Redelegate(c, acct(5), acct(0), acct(1), 1000*pin) }), ledger.CodeOK)
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Redelegate(c, acct(5), acct(1), acct(2), 10*pin) }), CodeTransitiveRedelegation)
	k.block(allSigned(k))
	info := allSigned(k)
	info.Evidence = []ledger.Misbehavior{{Kind: ledger.MisbehaviorDuplicateVote, Validator: ConsAddress(consKey(0)), Height: infraction, Time: infTime, Power: 11_000}}
	k.block(info)
	d, _ := GetDelegation(k.st, acct(5), acct(1))
	if got := TokensOf(k.val(1), d.Shares); got != 950*pin {
		t.Fatalf("redelegated stake worth %d after the source's slash, want %d", got, 950*pin)
	}
	if got := k.val(0).Tokens; got != 10_000*pin-(550-50)*pin {
		t.Fatalf("source tokens %d", got)
	}
}

func TestRewardsSplitByPowerCommissionAndShares(t *testing.T) {
	k := newKit(t, 2)
	wantCode(t, k.tx(acct(5), func(c *ledger.Context) *ledger.Error { return Delegate(c, acct(5), acct(0), 10_000*pin) }), ledger.CodeOK)
	k.block(allSigned(k))
	// Validator 0 has 20,000 PIN of power, validator 1 10,000: fees of 3,000,000 upin split 2:1.
	if e := bank.Transfer(k.st, acct(6), bank.FeeCollector, 3_000_000); e != nil {
		t.Fatal(e)
	}
	k.block(allSigned(k))
	v0 := k.val(0)
	if v0.Commission != 200_000 || v0.Outstanding != 1_800_000 {
		t.Fatalf("validator 0 commission %d outstanding %d", v0.Commission, v0.Outstanding)
	}
	if got := PendingRewards(k.st, acct(5), acct(0)); got != 900_000 {
		t.Fatalf("delegator pending %d, want 900000", got)
	}
	before := bank.Balance(k.st, acct(0))
	wantCode(t, k.tx(acct(0), func(c *ledger.Context) *ledger.Error { return WithdrawRewards(c, acct(0), acct(0)) }), ledger.CodeOK)
	if got := bank.Balance(k.st, acct(0)) - before; got != 200_000+900_000 {
		t.Fatalf("operator withdrew %d", got)
	}
	k.check()
}
