package reward

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
)

// naiveCompute is the reference implementation: arbitrary-precision
// arithmetic, maps, no attention to speed. It assumes a valid input.
func naiveCompute(in Input) Output {
	bigU := func(v uint64) *big.Int { return new(big.Int).SetUint64(v) }
	floorMulDiv := func(a, b, c uint64) uint64 {
		if c == 0 {
			return 0
		}
		q := new(big.Int).Mul(bigU(a), bigU(b))
		return q.Quo(q, bigU(c)).Uint64()
	}
	out := Output{Epoch: in.Epoch, ScorerVersion: in.ScorerVersion, Emission: in.Emission}
	treasury := new(big.Int)
	split := uint64(0)
	for _, p := range in.Pools {
		pt := PoolTotal{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient, Kind: p.Kind, Amount: floorMulDiv(in.Emission, uint64(p.Bps), 10000)}
		split += pt.Amount
		for _, s := range in.Shares {
			if s.Pool == p.Name {
				pt.Units += s.Units
			}
		}
		if p.Recipient == RecipientOracles {
			for _, o := range in.Oracles {
				pt.Units += o.Weight
			}
		}
		out.Pools = append(out.Pools, pt)
	}
	out.SplitRemainder = in.Emission - split
	treasury.Add(treasury, bigU(out.SplitRemainder))

	poolOf := map[string]*PoolTotal{}
	for i := range out.Pools {
		poolOf[out.Pools[i].Name] = &out.Pools[i]
	}
	perDevice := map[ledger.Address]uint64{}
	for _, s := range in.Shares {
		pt := poolOf[s.Pool]
		amt := floorMulDiv(pt.Amount, s.Units, pt.Units)
		pt.Paid += amt
		perDevice[s.Device] += amt
		out.Payouts = append(out.Payouts, Payout{Device: s.Device, Pool: s.Pool, Units: s.Units, Amount: amt})
	}
	slices.SortFunc(out.Payouts, func(a, b Payout) int {
		if c := bytes.Compare(a.Device[:], b.Device[:]); c != 0 {
			return c
		}
		return strings.Compare(a.Pool, b.Pool)
	})
	for d, amt := range perDevice {
		out.Devices = append(out.Devices, DeviceTotal{Device: d, Amount: amt})
	}
	slices.SortFunc(out.Devices, func(a, b DeviceTotal) int { return bytes.Compare(a.Device[:], b.Device[:]) })
	var oraclePool *PoolTotal
	for i, p := range in.Pools {
		if p.Recipient == RecipientOracles {
			oraclePool = &out.Pools[i]
		}
	}
	if pt := oraclePool; pt != nil {
		for _, o := range in.Oracles {
			amt := floorMulDiv(pt.Amount, o.Weight, pt.Units)
			pt.Paid += amt
			out.Oracles = append(out.Oracles, OraclePayout{Oracle: o.Oracle, Weight: o.Weight, Amount: amt})
		}
	} else {
		for _, o := range in.Oracles {
			out.Oracles = append(out.Oracles, OraclePayout{Oracle: o.Oracle, Weight: o.Weight})
		}
	}
	slices.SortFunc(out.Oracles, func(a, b OraclePayout) int { return bytes.Compare(a.Oracle[:], b.Oracle[:]) })
	for i := range out.Pools {
		if in.Pools[i].Recipient == RecipientUsage || in.Pools[i].Recipient == RecipientValidators {
			out.Pools[i].Paid = out.Pools[i].Amount
			out.Forwarded += out.Pools[i].Amount
		}
		out.Pools[i].Remainder = out.Pools[i].Amount - out.Pools[i].Paid
		treasury.Add(treasury, bigU(out.Pools[i].Remainder))
	}
	out.Treasury = treasury.Uint64()

	cum := map[ledger.Address]uint64{}
	for _, e := range in.Prior {
		cum[e.Device] = e.Cumulative
	}
	for d, amt := range perDevice {
		cum[d] += amt
	}
	out.Manifest = Manifest{Epoch: in.Epoch, ScorerVersion: in.ScorerVersion}
	for d, c := range cum {
		if c > 0 {
			out.Manifest.Entries = append(out.Manifest.Entries, Entry{Device: d, Cumulative: c})
		}
	}
	sortEntries(out.Manifest.Entries)
	out.Root = Hash(rfcRoot(out.Manifest.Entries))
	return out
}

// normalize makes empty slices nil so that outputs compare by content.
func normalize(o Output) Output {
	if len(o.Payouts) == 0 {
		o.Payouts = nil
	}
	if len(o.Devices) == 0 {
		o.Devices = nil
	}
	if len(o.Oracles) == 0 {
		o.Oracles = nil
	}
	if len(o.Manifest.Entries) == 0 {
		o.Manifest.Entries = nil
	}
	return o
}

var devicePoolNames = []string{"coverage", "data", "sensor"}

// genInput draws a valid input: random pools and weights, shares in random
// order over a small address space (so prior and new devices overlap),
// oracles and prior totals that cannot overflow.
func genInput(t *rapid.T) Input {
	var pools []Pool
	for _, name := range devicePoolNames {
		if rapid.Bool().Draw(t, "use_"+name) {
			pools = append(pools, Pool{Name: name, Recipient: RecipientDevices, Kind: name})
		}
	}
	if rapid.Bool().Draw(t, "use_oracles") {
		pools = append(pools, Pool{Name: "oracles", Recipient: RecipientOracles})
	}
	if rapid.Bool().Draw(t, "use_usage") {
		pools = append(pools, Pool{Name: "usage", Recipient: RecipientUsage})
	}
	if rapid.Bool().Draw(t, "use_validators") {
		pools = append(pools, Pool{Name: "validators", Recipient: RecipientValidators})
	}
	pools = append(pools, Pool{Name: "treasury", Recipient: RecipientTreasury})
	pools = rapid.Permutation(pools).Draw(t, "pool_order")
	cuts := make([]uint32, len(pools)-1)
	for i := range cuts {
		cuts[i] = rapid.Uint32Range(0, BpsTotal).Draw(t, "cut")
	}
	slices.Sort(cuts)
	prev := uint32(0)
	for i := range pools {
		end := uint32(BpsTotal)
		if i < len(cuts) {
			end = cuts[i]
		}
		pools[i].Bps = end - prev
		prev = end
	}

	nDev := rapid.IntRange(0, 40).Draw(t, "devices")
	unitMax := rapid.SampledFrom([]uint64{10, 1 << 20, math.MaxUint64 / 64}).Draw(t, "unit_max")
	var shares []Share
	for d := range nDev {
		for _, p := range pools {
			if !p.PaysDevices() || !rapid.Bool().Draw(t, "has_share") {
				continue
			}
			shares = append(shares, Share{Device: testAddr(d), Pool: p.Name, Units: rapid.Uint64Range(0, unitMax).Draw(t, "units")})
		}
	}
	shares = rapid.Permutation(shares).Draw(t, "share_order")

	var oracles []OracleShare
	for o := range rapid.IntRange(0, 5).Draw(t, "oracles") {
		oracles = append(oracles, OracleShare{Oracle: testAddr(1000 + o), Weight: rapid.Uint64Range(0, 1<<40).Draw(t, "weight")})
	}

	var prior []Entry
	for d := range rapid.IntRange(0, 60).Draw(t, "prior_space") {
		if rapid.Bool().Draw(t, "has_prior") {
			prior = append(prior, Entry{Device: testAddr(d), Cumulative: rapid.Uint64Range(1, math.MaxUint64/2).Draw(t, "prior")})
		}
	}
	sortEntries(prior)

	return Input{
		Epoch:         rapid.Uint64().Draw(t, "epoch"),
		ScorerVersion: rapid.Uint32().Draw(t, "scorer"),
		Emission: rapid.OneOf(rapid.Uint64Range(0, 1000), rapid.Uint64Range(0, math.MaxUint64/2)).
			Draw(t, "emission"),
		Pools:   pools,
		Shares:  shares,
		Oracles: oracles,
		Prior:   prior,
	}
}

func TestComputeMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		got, err := Compute(in)
		if err != nil {
			t.Fatalf("Compute on a valid input: %v", err)
		}
		want := naiveCompute(in)
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("Compute differs from the reference:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestComputeInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t)
		out, err := Compute(in)
		if err != nil {
			t.Fatalf("Compute on a valid input: %v", err)
		}
		checkInvariants(t, in, out)

		// The order of shares and oracles does not matter.
		in2 := cloneInput(in)
		in2.Shares = rapid.Permutation(in2.Shares).Draw(t, "reorder")
		in2.Oracles = rapid.Permutation(in2.Oracles).Draw(t, "reorder_oracles")
		out2, err := Compute(in2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, out2) {
			t.Fatalf("reordering the shares changed the output")
		}
	})
}

// tester is what checkInvariants needs of *testing.T and *rapid.T.
type tester interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkInvariants asserts what must hold for every successful Compute.
func checkInvariants(t tester, in Input, out Output) {
	t.Helper()
	var paidByPool = map[string]uint64{}
	for _, p := range out.Payouts {
		paidByPool[p.Pool] += p.Amount
	}
	for i, p := range in.Pools {
		switch {
		case p.Recipient == RecipientOracles:
			for _, o := range out.Oracles {
				paidByPool[p.Name] += o.Amount
			}
		case p.Recipient.Forwarded():
			paidByPool[p.Name] += out.Pools[i].Amount
		}
	}
	var pools, treasury big.Int
	pools.SetUint64(out.SplitRemainder)
	treasury.SetUint64(out.SplitRemainder)
	for _, p := range out.Pools {
		if p.Paid+p.Remainder != p.Amount || p.Paid > p.Amount {
			t.Fatalf("pool %s: paid %d + remainder %d, want amount %d", p.Name, p.Paid, p.Remainder, p.Amount)
		}
		if paidByPool[p.Name] != p.Paid {
			t.Fatalf("pool %s: payouts sum to %d, want paid %d", p.Name, paidByPool[p.Name], p.Paid)
		}
		if p.Units == 0 && p.Paid != 0 && !p.Recipient.Forwarded() {
			t.Fatalf("pool %s: paid %d with no shares, want 0", p.Name, p.Paid)
		}
		pools.Add(&pools, new(big.Int).SetUint64(p.Amount))
		treasury.Add(&treasury, new(big.Int).SetUint64(p.Remainder))
	}
	if pools.Cmp(new(big.Int).SetUint64(in.Emission)) != 0 {
		t.Fatalf("pools + split remainder = %s, want emission %d", &pools, in.Emission)
	}
	if treasury.Cmp(new(big.Int).SetUint64(out.Treasury)) != 0 {
		t.Fatalf("treasury = %d, want %s", out.Treasury, &treasury)
	}
	total := new(big.Int).SetUint64(out.Treasury)
	total.Add(total, new(big.Int).SetUint64(out.Forwarded))
	for _, d := range out.Devices {
		total.Add(total, new(big.Int).SetUint64(d.Amount))
	}
	for _, o := range out.Oracles {
		total.Add(total, new(big.Int).SetUint64(o.Amount))
	}
	if total.Cmp(new(big.Int).SetUint64(in.Emission)) != 0 {
		t.Fatalf("payouts + forwarded + treasury = %s, want emission %d", total, in.Emission)
	}

	m := &out.Manifest
	if err := m.Validate(); err != nil {
		t.Fatalf("manifest invalid: %v", err)
	}
	for _, e := range in.Prior {
		i, ok := m.Find(e.Device)
		if !ok {
			t.Fatalf("device %s with prior total %d dropped from the manifest", e.Device, e.Cumulative)
		}
		if m.Entries[i].Cumulative < e.Cumulative {
			t.Fatalf("device %s: cumulative fell from %d to %d", e.Device, e.Cumulative, m.Entries[i].Cumulative)
		}
	}
	if out.Root != m.Root() || out.Root != Hash(rfcRoot(m.Entries)) {
		t.Fatalf("root %s does not match the manifest's entries", out.Root)
	}
	dec, err := DecodeManifest(EncodeManifest(m))
	if err != nil || dec.Root() != out.Root || dec.Epoch != in.Epoch || dec.ScorerVersion != in.ScorerVersion {
		t.Fatalf("manifest does not survive encode/decode: %v", err)
	}
	tree := NewTree(m.Entries)
	for i, e := range m.Entries {
		p, _ := tree.Proof(uint64(i))
		if !VerifyProof(out.Root, e.Device, e.Cumulative, p) {
			t.Fatalf("proof of entry %d does not verify", i)
		}
		if VerifyProof(out.Root, e.Device, e.Cumulative+1, p) {
			t.Fatalf("proof of entry %d verifies a larger amount", i)
		}
		other := e.Device
		other[0] ^= 0xff
		if VerifyProof(out.Root, other, e.Cumulative, p) {
			t.Fatalf("proof of entry %d verifies another device", i)
		}
		if len(p.Path) > 0 {
			p.Path[len(p.Path)-1][31] ^= 1
			if VerifyProof(out.Root, e.Device, e.Cumulative, p) {
				t.Fatalf("tampered proof of entry %d verifies", i)
			}
		}
	}
}
