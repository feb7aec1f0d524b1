package stake

import (
	"math/big"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
)

// TestPropertyStakeConservation drives random delegations, undelegations,
// redelegations, withdrawals, fees, double signs and downtime through
// blocks and checks after every step: the supply equals all balances; the
// module accounts match the records; a slash burns at most its fraction of
// the stake at the infraction; and every fee allocated is either paid out,
// still owed, or sent to the treasury as a remainder, to the unit.
func TestPropertyStakeConservation(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		k := newKit(rt, 4)
		var fees, paid, remainders uint64
		naive := newNaive()
		count := func(evs []ledger.Event) {
			naive.apply(rt, k.st, evs)
			for _, e := range evs {
				for _, a := range e.Attrs {
					n, _ := strconv.ParseUint(a.Value, 10, 64)
					switch {
					case (e.Type == "stake.rewards" || e.Type == "stake.commission") && a.Key == "amount":
						paid += n
					case e.Type == "stake.allocate" && a.Key == "remainder":
						remainders += n
					case e.Type == "stake.sweep" && a.Key == "rewards":
						remainders += n
					}
				}
			}
		}
		run := func(signer ledger.Address, f func(c *ledger.Context) *ledger.Error) {
			o := ledger.NewOverlay(k.st)
			ctx := &ledger.Context{Store: o, ChainID: "test", Height: k.height, Time: k.time, Signer: signer}
			if e := f(ctx); e == nil {
				o.Flush()
				count(ctx.Events())
			}
		}
		val := func() ledger.Address { return acct(rapid.IntRange(0, 4).Draw(rt, "val")) }
		del := func() ledger.Address { return acct(rapid.IntRange(0, 6).Draw(rt, "del")) }
		amt := func() uint64 { return rapid.Uint64Range(1, 20_000*pin).Draw(rt, "amount") }
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			switch rapid.IntRange(0, 7).Draw(rt, "op") {
			case 0:
				d, v, a := del(), val(), amt()
				run(d, func(c *ledger.Context) *ledger.Error { return Delegate(c, d, v, a) })
			case 1:
				d, v, a := del(), val(), amt()
				run(d, func(c *ledger.Context) *ledger.Error { return Undelegate(c, d, v, a) })
			case 2:
				d, s, v, a := del(), val(), val(), amt()
				run(d, func(c *ledger.Context) *ledger.Error { return Redelegate(c, d, s, v, a) })
			case 3:
				d, v := del(), val()
				run(d, func(c *ledger.Context) *ledger.Error { return WithdrawRewards(c, d, v) })
			case 4:
				f := rapid.Uint64Range(0, 10_000_000).Draw(rt, "fee")
				if e := bank.Transfer(k.st, acct(7), bank.FeeCollector, f); e != nil {
					rt.Fatal(e)
				}
				fees += f
			case 5:
				i := rapid.IntRange(0, 3).Draw(rt, "offender")
				v := k.val(i)
				back := rapid.Int64Range(0, k.height-1).Draw(rt, "age")
				power := int64(v.Tokens/PowerReduction) + rapid.Int64Range(0, 5_000).Draw(rt, "extra")
				info := allSigned(k)
				info.Evidence = []ledger.Misbehavior{{Kind: ledger.MisbehaviorDuplicateVote, Validator: ConsAddress(v.PubKey), Height: k.height - back, Time: k.time, Power: power}}
				before := bank.GetSupply(k.st).Total
				k.run(info, count)
				burned := before - bank.GetSupply(k.st).Total
				if max := uint64(power) * PowerReduction * 500 / 10_000; burned > max {
					rt.Fatalf("double sign burned %d, more than 5%% of %d power (%d)", burned, power, max)
				}
				continue
			case 6:
				i := rapid.IntRange(0, 3).Draw(rt, "absent")
				info := allSigned(k)
				for j := range info.Votes {
					if info.Votes[j].Validator == ConsAddress(consKey(i)) {
						info.Votes[j].Signed = false
					}
				}
				k.run(info, count)
				continue
			case 7:
				d := del()
				run(d, func(c *ledger.Context) *ledger.Error { return Unjail(c, d) })
			}
			k.run(allSigned(k), count)
			for _, v := range Validators(k.st) {
				if v.Tokens > 0 && v.Shares == 0 {
					rt.Fatalf("validator %s has %d tokens and no shares", operatorOf(v), v.Tokens)
				}
			}
			naive.check(rt, k.st)
			if got := bank.Balance(k.st, RewardsPool) + paid + remainders; got != fees {
				rt.Fatalf("fees %d, but rewards pool + paid + remainders = %d", fees, got)
			}
		}
	})
}

// run ends a block like block does, passing its events to count.
func (k *kit) run(info ledger.BlockInfo, count func([]ledger.Event)) {
	k.t.Helper()
	ctx := k.ctx(ledger.Address{})
	if e := BeginBlock(ctx, info); e != nil {
		k.t.Fatal(e)
	}
	if e := EndBlock(ctx); e != nil {
		k.t.Fatal(e)
	}
	if _, e := ValidatorUpdates(ctx); e != nil {
		k.t.Fatal(e)
	}
	count(ctx.Events())
	k.check()
	k.height++
	k.time += 1_000_000_000
}

// naive keeps each delegation's reward since its last payout as an exact
// fraction, crediting every delegator at every allocation: the O(delegators)
// computation the lazy scheme replaces.
type naive struct{ acc map[string]*big.Rat }

func newNaive() *naive { return &naive{acc: make(map[string]*big.Rat)} }

func (n *naive) get(del, val ledger.Address) *big.Rat {
	k := string(del[:]) + string(val[:])
	r, ok := n.acc[k]
	if !ok {
		r = new(big.Rat)
		n.acc[k] = r
	}
	return r
}

func attr(e ledger.Event, key string) string {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

func (n *naive) apply(rt *rapid.T, st ledger.Store, evs []ledger.Event) {
	for _, e := range evs {
		switch e.Type {
		case "stake.validator_rewards":
			val, _ := ledger.ParseAddress(attr(e, "validator"))
			amt, _ := strconv.ParseUint(attr(e, "delegators"), 10, 64)
			v, _ := GetValidator(st, val)
			ledger.IteratePrefix(st, key(tagDelegation), func(k, _ []byte) bool {
				dv, _ := ledger.AddressFromBytes(k[len(k)-ledger.AddressLen:])
				if dv != val {
					return true
				}
				del, _ := ledger.AddressFromBytes(k[len(k)-2*ledger.AddressLen : len(k)-ledger.AddressLen])
				d, _ := GetDelegation(st, del, val)
				share := new(big.Rat).SetFrac(new(big.Int).Mul(new(big.Int).SetUint64(amt), new(big.Int).SetUint64(d.Shares)), new(big.Int).SetUint64(v.Shares))
				r := n.get(del, val)
				r.Add(r, share)
				return true
			})
		case "stake.rewards":
			del, _ := ledger.ParseAddress(attr(e, "delegator"))
			val, _ := ledger.ParseAddress(attr(e, "validator"))
			amt, _ := strconv.ParseUint(attr(e, "amount"), 10, 64)
			r := n.get(del, val)
			r.Sub(r, new(big.Rat).SetUint64(amt))
			if r.Sign() < 0 {
				rt.Fatalf("%s was paid %d by %s, more than it accrued", del, amt, val)
			}
		}
	}
}

// check compares every delegation's pending reward with the exact amount:
// never more, and less by under two units (two roundings down).
func (n *naive) check(rt *rapid.T, st ledger.Store) {
	two := new(big.Rat).SetInt64(2)
	live := make(map[string]bool)
	ledger.IteratePrefix(st, key(tagDelegation), func(k, _ []byte) bool {
		val, _ := ledger.AddressFromBytes(k[len(k)-ledger.AddressLen:])
		del, _ := ledger.AddressFromBytes(k[len(k)-2*ledger.AddressLen : len(k)-ledger.AddressLen])
		live[string(del[:])+string(val[:])] = true
		r := n.get(del, val)
		p := new(big.Rat).SetUint64(PendingRewards(st, del, val))
		if p.Cmp(r) > 0 {
			rt.Fatalf("%s pending %s from %s, exact %s", del, p.FloatString(3), val, r.FloatString(3))
		}
		if new(big.Rat).Sub(r, p).Cmp(two) >= 0 {
			rt.Fatalf("%s pending %s from %s, exact %s: lost more than rounding", del, p.FloatString(3), val, r.FloatString(3))
		}
		if d, _ := GetDelegation(st, del, val); d != nil {
			if v, _ := GetValidator(st, val); string(d.RewardStart) == string(v.RewardPerShare) {
				r.SetInt64(0) // just settled: the rounding left behind is forgiven
			}
		}
		return true
	})
	for k, r := range n.acc {
		if !live[k] {
			if r.Cmp(two) >= 0 {
				rt.Fatalf("a closed delegation left %s unpaid", r.FloatString(3))
			}
			delete(n.acc, k)
		}
	}
}
