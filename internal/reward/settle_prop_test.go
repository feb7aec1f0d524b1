package reward

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// TestSettlementProperties runs random epochs with random shares, honest
// and dishonest oracles and random (valid, stale and forged) claims, and
// checks after every step:
//   - what a device was paid never exceeds its total in the latest settled
//     manifest, and a valid claim brings it to exactly that total;
//   - the supply grew by exactly the emissions of the settled epochs;
//   - the reward pool holds exactly what it owes;
//   - a rejected message changes nothing (the fixture checks that).
func TestSettlementProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		devices := rapid.IntRange(1, 6).Draw(rt, "devices")
		weights := rapid.SliceOfN(rapid.Uint64Range(1, 5), 1, 4).Draw(rt, "weights")
		honest := rapid.SliceOfN(rapid.Bool(), len(weights), len(weights)).Draw(rt, "honest")
		f := newFixture(rt, devices, weights...)
		supply0 := bank.GetSupply(f.st).Total
		var emitted uint64
		var latest Manifest
		var stale []Manifest
		honestRoot := true // the latest settled root is the honest manifest's
		paid := make(map[ledger.Address]uint64)

		check := func(step string) {
			if got, want := bank.GetSupply(f.st).Total-supply0, emitted; got != want {
				rt.Fatalf("%s: supply grew %d, settled emissions %d", step, got, want)
			}
			if got, want := bank.Balance(f.st, RewardPool), Owed(f.st); got != want {
				rt.Fatalf("%s: reward pool %d, owed %d", step, got, want)
			}
			for i := 0; i < devices; i++ {
				d := deviceAddr(i)
				var total uint64
				if j, ok := latest.Find(d); ok {
					total = latest.Entries[j].Cumulative
				}
				if !honestRoot && Claimed(f.st, d) > 0 {
					total = Claimed(f.st, d) // claimed under an earlier honest root
				}
				if Claimed(f.st, d) > total || paid[d] != Claimed(f.st, d) {
					rt.Fatalf("%s: device %d claimed %d (owners paid %d), manifest total %d", step, i, Claimed(f.st, d), paid[d], total)
				}
			}
		}

		epochs := rapid.IntRange(1, 4).Draw(rt, "epochs")
		for n := uint64(0); n < uint64(epochs); n++ {
			f.openFor(n)
			shares := rapid.SliceOfN(rapid.Uint64Range(0, 1000), devices, devices).Draw(rt, fmt.Sprintf("shares%d", n))
			out := f.epochResult(n, latest.Entries, shares)
			good := submitMsg(out)
			// Honest oracles submit first, then each dishonest one a root of
			// its own. A dishonest oracle holding the quorum alone settles
			// its root: then no claim can prove anything until an honest
			// epoch settles.
			for _, wantHonest := range []bool{true, false} {
				for i := range weights {
					if honest[i] != wantHonest {
						continue
					}
					m := good
					if !honest[i] {
						m = submitMsg(out)
						m.Root[0] ^= byte(i + 1)
					}
					if _, settled := GetSettlement(f.st, n); settled {
						wantCode(rt, "submit after settlement", f.exec(oracleAddr(i), TypeSubmitRoot, m), CodeEpochSettled)
						continue
					}
					if e := f.exec(oracleAddr(i), TypeSubmitRoot, m); e != nil {
						rt.Fatalf("epoch %d oracle %d: %v", n, i, e)
					}
				}
			}
			// Dishonest oracles that blocked the quorum correct themselves.
			for i := range weights {
				if _, settled := GetSettlement(f.st, n); settled {
					break
				}
				if !honest[i] {
					if e := f.exec(oracleAddr(i), TypeSubmitRoot, good); e != nil {
						rt.Fatalf("epoch %d oracle %d resubmits: %v", n, i, e)
					}
				}
			}
			set, settled := GetSettlement(f.st, n)
			if !settled {
				rt.Fatalf("epoch %d not settled with every oracle agreeing", n)
			}
			emitted += out.Emission
			if len(latest.Entries) > 0 {
				stale = append(stale, latest)
			}
			latest = out.Manifest
			honestRoot = string(set.Root) == string(out.Root[:])
			check(fmt.Sprintf("epoch %d settled", n))

			claims := rapid.IntRange(0, 2*devices).Draw(rt, fmt.Sprintf("claims%d", n))
			for c := 0; c < claims; c++ {
				i := rapid.IntRange(0, devices-1).Draw(rt, "device")
				d := deviceAddr(i)
				if _, ok := latest.Find(d); !ok {
					continue
				}
				kind := rapid.IntRange(0, 2).Draw(rt, "kind")
				var m *rewardv1.MsgClaim
				valid := false
				switch {
				case kind == 1 && len(stale) > 0:
					old := stale[len(stale)-1]
					if _, ok := old.Find(d); !ok {
						continue
					}
					m = claimMsg(rt, old, d)
					// An epoch that changed nothing has the same root.
					valid = old.Root() == latest.Root()
				case kind == 2:
					m = claimMsg(rt, latest, d)
					m.Cumulative += rapid.Uint64Range(1, 1000).Draw(rt, "forged")
				default:
					m = claimMsg(rt, latest, d)
					valid = true
				}
				claimedBefore := Claimed(f.st, d)
				e := f.exec(stranger, TypeClaim, m)
				switch {
				case e == nil:
					if !honestRoot || !valid {
						rt.Fatalf("a claim succeeded against a root it cannot prove (honest root %v, kind %d)", honestRoot, kind)
					}
					paid[d] += m.Cumulative - claimedBefore
					if Claimed(f.st, d) != m.Cumulative {
						rt.Fatalf("claimed %d after a claim of %d", Claimed(f.st, d), m.Cumulative)
					}
				case e.Code == CodeBadProof || e.Code == CodeNothingToClaim:
					if Claimed(f.st, d) != claimedBefore {
						rt.Fatalf("a rejected claim changed the claimed total")
					}
				default:
					rt.Fatalf("claim: unexpected %v", e)
				}
				check(fmt.Sprintf("epoch %d claim %d", n, c))
			}
		}
		if !honestRoot {
			return
		}
		// Everyone claims: the pool owes exactly what nobody claimed.
		for _, e := range latest.Entries {
			_ = f.exec(stranger, TypeClaim, claimMsg(rt, latest, e.Device))
			paid[e.Device] = e.Cumulative
		}
		check("all claimed")
		if Owed(f.st) != 0 {
			rt.Fatalf("after every device claimed its total, %d is still owed", Owed(f.st))
		}
	})
}
