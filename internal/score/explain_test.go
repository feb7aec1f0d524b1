package score

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// explainReference is explain as it was before the explanations were built
// one device at a time (issue 18): every explanation expanded at once. The
// explainer must give the same list.
func explainReference(b *Bundle, kinds []KindOutput, out *reward.Output) []Explanation {
	byDev := map[ledger.Address]*Explanation{}
	var order []ledger.Address
	get := func(dev ledger.Address) *Explanation {
		if e, ok := byDev[dev]; ok {
			return e
		}
		e := &Explanation{Epoch: b.Epoch, ScorerVersion: b.ScorerVersion, Device: dev.String(),
			Stats: []kind.Param{}, Pools: []PoolPayout{}, Reports: []ReportReason{}}
		byDev[dev] = e
		order = append(order, dev)
		return e
	}
	for _, ko := range kinds {
		for i := range ko.Reasons {
			r := &ko.Reasons[i]
			e := get(r.Device)
			e.Reports = append(e.Reports, ReportReason{
				ID: hex.EncodeToString(r.ID[:]), Role: r.Role, Reason: r.Reason, Detail: r.Detail,
				Units: r.Units, Scale: r.Scale, Share: r.Share,
			})
		}
		for _, s := range ko.Stats {
			e := get(s.Device)
			e.Stats = append(e.Stats, s.Values...)
		}
	}
	for _, p := range out.Payouts {
		e := get(p.Device)
		e.Pools = append(e.Pools, PoolPayout{Pool: p.Pool, Units: p.Units, Amount: p.Amount})
		e.Payout += p.Amount
	}
	for _, en := range out.Manifest.Entries {
		get(en.Device).Cumulative = en.Cumulative
	}
	slices.SortFunc(order, func(x, y ledger.Address) int { return bytes.Compare(x[:], y[:]) })
	list := make([]Explanation, len(order))
	for i, dev := range order {
		e := byDev[dev]
		for _, k := range b.Kinds {
			if j, ok := slices.BinarySearchFunc(k.Devices, dev, func(d kind.Device, id ledger.Address) int {
				return bytes.Compare(d.ID[:], id[:])
			}); ok {
				e.Registered, e.Kind = true, k.Name
				e.Owner = k.Devices[j].Owner.String()
				break
			}
		}
		list[i] = *e
	}
	return list
}

// compact holds a kind's verdicts behind kind.Verdicts, as coverage does.
type compact []kind.Reason

func (c compact) Len() int             { return len(c) }
func (c compact) At(i int) kind.Reason { return c[i] }

// compactStats holds a kind's stats behind kind.StatsList, as coverage
// does.
type compactStats []kind.Stats

func (c compactStats) Len() int                    { return len(c) }
func (c compactStats) Device(i int) ledger.Address { return c[i].Device }
func (c compactStats) At(i int) kind.Stats         { return c[i] }

// TestExplainerMatchesReference: the explanations built one device at a
// time (EachExplanation, Explanation) are those the old expansion gave, as
// JSON, for kinds with verdicts in a list or compact, stats and payouts in
// any order, devices registered with none, one or several kinds, and
// devices only in the manifest.
func TestExplainerMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pool := rapid.SliceOfNDistinct(rapid.SliceOfN(rapid.Byte(), ledger.AddressLen, ledger.AddressLen), 1, 12,
			func(b []byte) string { return string(b) }).Draw(t, "devices")
		addrs := make([]ledger.Address, len(pool))
		for i, b := range pool {
			copy(addrs[i][:], b)
		}
		dev := rapid.SampledFrom(addrs)
		b := &Bundle{Epoch: rapid.Uint64().Draw(t, "epoch"), ScorerVersion: 1}
		var kinds []KindOutput
		for k := range rapid.IntRange(0, 3).Draw(t, "kinds") {
			name := string(rune('a' + k))
			ki := KindInputs{Name: name}
			for _, d := range rapid.SliceOfDistinct(dev, func(a ledger.Address) string { return string(a[:]) }).Draw(t, "registered") {
				ki.Devices = append(ki.Devices, kind.Device{ID: d, Owner: addrs[0]})
			}
			slices.SortFunc(ki.Devices, func(x, y kind.Device) int { return bytes.Compare(x.ID[:], y.ID[:]) })
			b.Kinds = append(b.Kinds, ki)
			ko := KindOutput{Name: name}
			for i := range rapid.IntRange(0, 30).Draw(t, "reasons") {
				ko.Reasons = append(ko.Reasons, kind.Reason{ID: [32]byte{byte(k), byte(i)}, Device: dev.Draw(t, "reason device"),
					Role:   rapid.SampledFrom([]string{"beaconer", "witness"}).Draw(t, "role"),
					Reason: rapid.SampledFrom([]string{"valid", "too_late"}).Draw(t, "reason"), Detail: rapid.StringN(0, 3, 3).Draw(t, "detail"),
					Units: rapid.Uint64().Draw(t, "units"), Scale: rapid.Uint64().Draw(t, "scale"), Share: rapid.Uint64().Draw(t, "share")})
			}
			for range rapid.IntRange(0, 8).Draw(t, "stats") {
				ko.Stats = append(ko.Stats, kind.Stats{Device: dev.Draw(t, "stat device"),
					Values: []kind.Param{{Name: name + "_n", Value: rapid.Uint64().Draw(t, "stat")}}})
			}
			if rapid.Bool().Draw(t, "sorted stats") {
				slices.SortStableFunc(ko.Stats, func(x, y kind.Stats) int { return bytes.Compare(x.Device[:], y.Device[:]) })
			}
			kinds = append(kinds, ko)
		}
		out := &reward.Output{}
		for range rapid.IntRange(0, 20).Draw(t, "payouts") {
			out.Payouts = append(out.Payouts, reward.Payout{Device: dev.Draw(t, "payout device"),
				Pool: rapid.SampledFrom([]string{"p", "q"}).Draw(t, "pool"), Units: rapid.Uint64().Draw(t, "pay units"),
				Amount: rapid.Uint64Range(0, 1<<40).Draw(t, "amount")})
		}
		for _, d := range rapid.SliceOfDistinct(dev, func(a ledger.Address) string { return string(a[:]) }).Draw(t, "manifest") {
			out.Manifest.Entries = append(out.Manifest.Entries, reward.Entry{Device: d, Cumulative: rapid.Uint64().Draw(t, "cumulative")})
		}
		slices.SortFunc(out.Manifest.Entries, func(x, y reward.Entry) int { return bytes.Compare(x.Device[:], y.Device[:]) })

		want := explainReference(b, kinds, out)
		for k := range kinds {
			if rapid.Bool().Draw(t, "compact") {
				kinds[k].Verdicts, kinds[k].Reasons = compact(kinds[k].Reasons), nil
			}
			if rapid.Bool().Draw(t, "compact stats") {
				kinds[k].DeviceStats, kinds[k].Stats = compactStats(kinds[k].Stats), nil
			}
		}
		eo := EpochOutput{Kinds: kinds, Reward: *out, explain: newExplainer(b, kinds, out)}
		wj, _ := json.Marshal(want)
		if gj, _ := json.Marshal(eo.Explanations()); !bytes.Equal(gj, wj) {
			t.Fatalf("explanations:\ngot  %s\nwant %s", gj, wj)
		}
		if eo.ExplainedDevices() != len(want) {
			t.Fatalf("explained devices: got %d, want %d", eo.ExplainedDevices(), len(want))
		}
		for _, d := range addrs {
			w, wok := FindExplanation(want, d)
			g, gok := eo.Explanation(d)
			wj, _ := json.Marshal(w)
			if gj, _ := json.Marshal(g); gok != wok || !bytes.Equal(gj, wj) {
				t.Fatalf("explanation of %s: got %v %s, want %v %s", d, gok, gj, wok, wj)
			}
		}
	})
}
