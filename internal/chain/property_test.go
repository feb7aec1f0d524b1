package chain_test

import (
	"bytes"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/storage"
)

// TestSupplyProperty runs random sequences of blocks of valid and invalid
// txs of every message type and checks after every block:
//   - app.CheckInvariants holds on committed state;
//   - nothing is minted, and minted - burned equals the sum of all balances,
//     which all sit in accounts the generator knows (no funds vanish into
//     or appear from an unknown account);
//   - every balance moved exactly as the accepted txs' events say (fees to
//     the fee collector, transfers, burns), so no message moves money
//     without accounting for it and none can drive a balance below zero
//     (a uint64 underflow would break the sum);
//   - burned grew by exactly the fees burned by onboardings and assertions
//     and the PIN burned for credits;
//   - every tx got the code the generator predicted, and a twin instance
//     fed only the accepted txs reaches the same app hash: rejected txs
//     write nothing.
func TestSupplyProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		g := newGen(func(n int) int { return rapid.IntRange(0, n-1).Draw(rt, "pick") }, 6)
		a, twin := chain.NewWithKinds(app.NewMemBackend(), genKinds()), chain.NewWithKinds(app.NewMemBackend(), genKinds())
		for _, x := range []*app.App{a, twin} {
			if _, err := x.InitChain(g.chainID, g.genesis()); err != nil {
				rt.Fatalf("init chain: %v", err)
			}
			finalize(rt, x, nil)
		}
		minted := bank.GetSupply(a.Committed()).Minted
		blocks := rapid.IntRange(1, 8).Draw(rt, "blocks")
		for b := 0; b < blocks; b++ {
			st := a.Committed()
			plan := g.block(st, rapid.IntRange(1, 6).Draw(rt, "txs"))
			before := balancesOf(st, g)
			supplyBefore := bank.GetSupply(st)
			txs := make([][]byte, len(plan))
			for i, p := range plan {
				txs[i] = p.raw
			}
			res := finalize(rt, a, txs)
			st = a.Committed()
			var accepted [][]byte
			for i, p := range plan {
				if got := res.Txs[i].Code; got != p.want {
					rt.Fatalf("tx %d (%s): got %v (%s), want %v", i, p.label, got, res.Txs[i].Log, p.want)
				}
				// A paid tx (accepted, or failed after the ante step) goes to
				// the twin too; an unpaid one changed nothing and has no events.
				if res.Txs[i].Paid {
					accepted = append(accepted, p.raw)
				} else if n := len(res.Txs[i].Events); n != 0 {
					rt.Fatalf("tx %d (%s) rejected unpaid with %d events, want none", i, p.label, n)
				}
			}
			if tw := finalize(rt, twin, accepted); !bytes.Equal(tw.AppHash, res.AppHash) {
				rt.Fatalf("app hash %X, but %X without the %d unpaid txs", res.AppHash, tw.AppHash, len(plan)-len(accepted))
			}
			want, burned := applyEvents(rt, before, res)
			got := balancesOf(st, g)
			for addr, w := range want {
				if got[addr] != w {
					rt.Fatalf("balance of %s: got %d, want %d from the events", addr, got[addr], w)
				}
			}
			sup := bank.GetSupply(st)
			if sup.Minted != minted {
				rt.Fatalf("minted: got %d, want %d (no message mints)", sup.Minted, minted)
			}
			if sup.Burned != supplyBefore.Burned+burned {
				rt.Fatalf("burned: got %d, want %d + %d burned by this block", sup.Burned, supplyBefore.Burned, burned)
			}
			sum, err := bank.SumBalances(st)
			if err != nil {
				rt.Fatal(err)
			}
			var known uint64
			for _, v := range got {
				known += v
			}
			if sum != sup.Minted-sup.Burned || known != sum {
				rt.Fatalf("supply: minted %d - burned %d, balances sum to %d, known accounts hold %d", sup.Minted, sup.Burned, sum, known)
			}
		}
	})
}

// balancesOf reads the balance of every key the generator made and of the
// fee collector.
func balancesOf(st ledger.Store, g *gen) map[ledger.Address]uint64 {
	out := map[ledger.Address]uint64{bank.FeeCollector: bank.Balance(st, bank.FeeCollector)}
	for _, a := range []ledger.Address{market.Escrow, market.Collateral, market.Treasury, energy.Escrow, energy.Balancing,
		compute.Escrow, compute.Bond, storage.Collateral, relay.Escrow} {
		out[a] = bank.Balance(st, a)
	}
	for a := range g.keys {
		out[a] = bank.Balance(st, a)
	}
	return out
}

// applyEvents moves the balances as the accepted txs' events say and
// returns them with the total burned.
func applyEvents(rt *rapid.T, before map[ledger.Address]uint64, res *app.BlockResult) (map[ledger.Address]uint64, uint64) {
	bal := make(map[ledger.Address]uint64, len(before))
	for k, v := range before {
		bal[k] = v
	}
	sub := func(a ledger.Address, v uint64, why string) {
		if bal[a] < v {
			rt.Fatalf("%s: %s would go below zero (%d - %d)", why, a, bal[a], v)
		}
		bal[a] -= v
	}
	var burned uint64
	evs := [][]ledger.Event{res.Events} // end-block events: market settlements
	for _, r := range res.Txs {
		evs = append(evs, r.Events)
	}
	for _, events := range evs {
		for _, e := range events {
			at := attrs(rt, e)
			switch e.Type {
			case "tx":
				fee := at.u64("fee")
				sub(at.addr("signer"), fee, "fee")
				bal[bank.FeeCollector] += fee
			case "bank.transfer":
				amount := at.u64("amount")
				sub(at.addr("from"), amount, "transfer")
				bal[at.addr("to")] += amount
			case "device.onboarded", "device.location_asserted":
				b := at.u64("burned")
				sub(at.addr("owner"), b, e.Type)
				burned += b
			case "credits.buy":
				b := at.u64("burned")
				sub(at.addr("buyer"), b, e.Type)
				burned += b
			case "storage.slash":
				b := at.u64("burned")
				sub(storage.Collateral, b, e.Type)
				burned += b
			}
		}
	}
	return bal, burned
}

type eventAttrs struct {
	rt *rapid.T
	m  map[string]string
}

func attrs(rt *rapid.T, e ledger.Event) eventAttrs {
	m := make(map[string]string, len(e.Attrs))
	for _, a := range e.Attrs {
		m[a.Key] = a.Value
	}
	return eventAttrs{rt, m}
}

func (e eventAttrs) u64(k string) uint64 {
	v, err := strconv.ParseUint(e.m[k], 10, 64)
	if err != nil {
		e.rt.Fatalf("event attribute %s=%q: %v", k, e.m[k], err)
	}
	return v
}

func (e eventAttrs) addr(k string) ledger.Address {
	a, err := ledger.ParseAddress(e.m[k])
	if err != nil {
		e.rt.Fatalf("event attribute %s=%q: %v", k, e.m[k], err)
	}
	return a
}
