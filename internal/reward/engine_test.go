package reward

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

// dev and orc are short names for test addresses: devices 0.., oracles 1000...
func dev(i int) ledger.Address { return testAddr(i) }
func orc(i int) ledger.Address { return testAddr(1000 + i) }

func TestCompute(t *testing.T) {
	type poolWant struct{ amount, paid, rem uint64 }
	tests := []struct {
		name     string
		in       Input
		pools    []poolWant
		devices  map[int]uint64 // device index -> this epoch's payout
		oracles  map[int]uint64
		treasury uint64
		manifest map[int]uint64 // device index -> cumulative
	}{
		{
			name: "pools, oracles and treasury",
			in: Input{Emission: 1000,
				Pools:   []Pool{pl("coverage", 6000), pl("oracles", 1000), pl("treasury", 3000)},
				Shares:  []Share{{dev(1), "coverage", 1}, {dev(2), "coverage", 2}},
				Oracles: []OracleShare{{orc(1), 1}, {orc(2), 2}}},
			pools:    []poolWant{{600, 600, 0}, {100, 99, 1}, {300, 0, 300}},
			devices:  map[int]uint64{1: 200, 2: 400},
			oracles:  map[int]uint64{1: 33, 2: 66},
			treasury: 301,
			manifest: map[int]uint64{1: 200, 2: 400},
		},
		{
			name: "rounding down, remainder to treasury",
			in: Input{Emission: 10, Pools: []Pool{pl("coverage", 10000)},
				Shares: []Share{{dev(1), "coverage", 1}, {dev(2), "coverage", 1}, {dev(3), "coverage", 1}}},
			pools:    []poolWant{{10, 9, 1}},
			devices:  map[int]uint64{1: 3, 2: 3, 3: 3},
			treasury: 1,
			manifest: map[int]uint64{1: 3, 2: 3, 3: 3},
		},
		{
			name: "split remainder to treasury",
			in: Input{Emission: 7, Pools: []Pool{pl("coverage", 5000), pl("data", 5000)},
				Shares: []Share{{dev(1), "coverage", 1}, {dev(1), "data", 1}}},
			pools:    []poolWant{{3, 3, 0}, {3, 3, 0}},
			devices:  map[int]uint64{1: 6},
			treasury: 1,
			manifest: map[int]uint64{1: 6},
		},
		{
			name: "pool without shares goes to treasury",
			in: Input{Emission: 1000, Pools: []Pool{pl("coverage", 5000), pl("data", 5000)},
				Shares: []Share{{dev(1), "data", 5}}},
			pools:    []poolWant{{500, 0, 500}, {500, 500, 0}},
			devices:  map[int]uint64{1: 500},
			treasury: 500,
			manifest: map[int]uint64{1: 500},
		},
		{
			name: "oracles pool without oracles goes to treasury",
			in: Input{Emission: 1000, Pools: []Pool{pl("coverage", 9000), pl("oracles", 1000)},
				Shares: []Share{{dev(1), "coverage", 5}}},
			pools:    []poolWant{{900, 900, 0}, {100, 0, 100}},
			devices:  map[int]uint64{1: 900},
			treasury: 100,
			manifest: map[int]uint64{1: 900},
		},
		{
			name: "all-zero shares pay nothing and leave no entry",
			in: Input{Emission: 1000, Pools: []Pool{pl("coverage", 10000)},
				Shares: []Share{{dev(1), "coverage", 0}, {dev(2), "coverage", 0}}},
			pools:    []poolWant{{1000, 0, 1000}},
			devices:  map[int]uint64{1: 0, 2: 0},
			treasury: 1000,
			manifest: map[int]uint64{},
		},
		{
			name: "prior totals carried and added",
			in: Input{Emission: 1000, Pools: []Pool{pl("coverage", 10000)},
				Shares: []Share{{dev(1), "coverage", 1}},
				Prior:  sortedEntries(Entry{dev(1), 10}, Entry{dev(3), 50})},
			pools:    []poolWant{{1000, 1000, 0}},
			devices:  map[int]uint64{1: 1000},
			manifest: map[int]uint64{1: 1010, 3: 50},
		},
		{
			name: "zero emission keeps prior",
			in: Input{Emission: 0, Pools: []Pool{pl("coverage", 10000)},
				Shares: []Share{{dev(1), "coverage", 7}},
				Prior:  sortedEntries(Entry{dev(3), 50})},
			pools:    []poolWant{{0, 0, 0}},
			devices:  map[int]uint64{1: 0},
			manifest: map[int]uint64{3: 50},
		},
		{
			name: "128-bit intermediates at the uint64 limit",
			in: Input{Emission: math.MaxUint64, Pools: []Pool{pl("coverage", 10000)},
				Shares: []Share{{dev(1), "coverage", math.MaxUint64 - 1}, {dev(2), "coverage", 1}}},
			pools:    []poolWant{{math.MaxUint64, math.MaxUint64, 0}},
			devices:  map[int]uint64{1: math.MaxUint64 - 1, 2: 1},
			manifest: map[int]uint64{1: math.MaxUint64 - 1, 2: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Compute(tt.in)
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			for i, w := range tt.pools {
				p := out.Pools[i]
				if p.Amount != w.amount || p.Paid != w.paid || p.Remainder != w.rem {
					t.Errorf("pool %s: got amount %d paid %d remainder %d, want %d %d %d",
						p.Name, p.Amount, p.Paid, p.Remainder, w.amount, w.paid, w.rem)
				}
			}
			if got, want := deviceTotals(out.Devices), byAddr(tt.devices, dev); !reflect.DeepEqual(got, want) {
				t.Errorf("devices: got %v, want %v", got, want)
			}
			gotOracles := map[ledger.Address]uint64{}
			for _, o := range out.Oracles {
				gotOracles[o.Oracle] = o.Amount
			}
			if want := byAddr(tt.oracles, orc); !reflect.DeepEqual(gotOracles, want) {
				t.Errorf("oracles: got %v, want %v", gotOracles, want)
			}
			if out.Treasury != tt.treasury {
				t.Errorf("treasury: got %d, want %d", out.Treasury, tt.treasury)
			}
			gotManifest := map[ledger.Address]uint64{}
			for _, e := range out.Manifest.Entries {
				gotManifest[e.Device] = e.Cumulative
			}
			if want := byAddr(tt.manifest, dev); !reflect.DeepEqual(gotManifest, want) {
				t.Errorf("manifest: got %v, want %v", gotManifest, want)
			}
			checkInvariants(t, tt.in, out)
		})
	}
}

func sortedEntries(e ...Entry) []Entry {
	sortEntries(e)
	return e
}

func deviceTotals(d []DeviceTotal) map[ledger.Address]uint64 {
	m := map[ledger.Address]uint64{}
	for _, x := range d {
		m[x.Device] = x.Amount
	}
	return m
}

func byAddr(m map[int]uint64, addr func(int) ledger.Address) map[ledger.Address]uint64 {
	out := map[ledger.Address]uint64{}
	for k, v := range m {
		out[addr(k)] = v
	}
	return out
}

func TestComputeRejects(t *testing.T) {
	pools := []Pool{pl("coverage", 8000), pl("oracles", 1000), pl("treasury", 1000)}
	tests := []struct {
		name string
		in   Input
		code ledger.Code
	}{
		{"invalid pools", Input{Pools: []Pool{pl("coverage", 9000)}}, ledger.CodeParamOutOfBounds},
		{"no pools", Input{}, ledger.CodeParamOutOfBounds},
		{"unknown pool", Input{Pools: pools, Shares: []Share{{dev(1), "storage", 1}}}, ledger.CodeMalformed},
		{"share in oracles pool", Input{Pools: pools, Shares: []Share{{dev(1), "oracles", 1}}}, ledger.CodeMalformed},
		{"share in treasury pool", Input{Pools: pools, Shares: []Share{{dev(1), "treasury", 1}}}, ledger.CodeMalformed},
		{"zero device", Input{Pools: pools, Shares: []Share{{ledger.Address{}, "coverage", 1}}}, ledger.CodeInvalidAddress},
		{"duplicate share", Input{Pools: pools,
			Shares: []Share{{dev(1), "coverage", 1}, {dev(2), "coverage", 1}, {dev(1), "coverage", 2}}}, ledger.CodeMalformed},
		{"units overflow", Input{Pools: pools,
			Shares: []Share{{dev(1), "coverage", math.MaxUint64}, {dev(2), "coverage", 1}}}, ledger.CodeOverflow},
		{"zero oracle", Input{Pools: pools, Oracles: []OracleShare{{ledger.Address{}, 1}}}, ledger.CodeInvalidAddress},
		{"duplicate oracle", Input{Pools: pools, Oracles: []OracleShare{{orc(1), 1}, {orc(1), 2}}}, ledger.CodeMalformed},
		{"oracle weights overflow", Input{Pools: pools,
			Oracles: []OracleShare{{orc(1), math.MaxUint64}, {orc(2), 1}}}, ledger.CodeOverflow},
		{"prior unsorted", Input{Pools: pools, Prior: reversed(testEntries(3))}, ledger.CodeMalformed},
		{"prior duplicate", Input{Pools: pools, Prior: []Entry{{dev(1), 1}, {dev(1), 2}}}, ledger.CodeMalformed},
		{"prior zero total", Input{Pools: pools, Prior: []Entry{{dev(1), 0}}}, ledger.CodeMalformed},
		{"cumulative overflow", Input{Emission: 100, Pools: pools,
			Shares: []Share{{dev(1), "coverage", 1}},
			Prior:  []Entry{{dev(1), math.MaxUint64 - 5}}}, ledger.CodeOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cloneInput(tt.in)
			out, err := Compute(tt.in)
			var le *ledger.Error
			if !errors.As(err, &le) {
				t.Fatalf("Compute = %+v, %v; want a *ledger.Error", out.Manifest, err)
			}
			if le.Code != tt.code {
				t.Errorf("got code %v (%v), want %v", le.Code, err, tt.code)
			}
			if le.Msg == "" {
				t.Errorf("got an empty message for code %v", le.Code)
			}
			if !reflect.DeepEqual(tt.in, before) {
				t.Errorf("Compute modified its input")
			}
		})
	}
}

func cloneInput(in Input) Input {
	in.Pools = slices.Clone(in.Pools)
	in.Shares = slices.Clone(in.Shares)
	in.Oracles = slices.Clone(in.Oracles)
	in.Prior = slices.Clone(in.Prior)
	return in
}

func TestComputeDoesNotModifyInput(t *testing.T) {
	in := Input{Epoch: 4, Emission: 12345, Pools: []Pool{pl("coverage", 7000), pl("oracles", 3000)},
		Shares:  []Share{{dev(5), "coverage", 3}, {dev(1), "coverage", 9}, {dev(3), "coverage", 1}},
		Oracles: []OracleShare{{orc(2), 1}, {orc(1), 1}},
		Prior:   testEntries(4)}
	before := cloneInput(in)
	if _, err := Compute(in); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, before) {
		t.Fatalf("Compute modified its input: got %+v, want %+v", in, before)
	}
}
