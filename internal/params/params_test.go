package params

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

var (
	specA = Spec{Name: "m.a", Default: 5, Min: 1, Max: 10}
	specB = Spec{Name: "m.b", Default: 0, Min: 0, Max: 0}
)

func TestRegistryCheck(t *testing.T) {
	r := NewRegistry([]Spec{specB, specA})
	if got := r.Specs(); got[0].Name != "m.a" || got[1].Name != "m.b" {
		t.Fatalf("specs: got %v, want sorted by name", got)
	}
	for _, c := range []struct {
		name string
		v    uint64
		want ledger.Code
	}{
		{"m.a", 1, ledger.CodeOK},
		{"m.a", 10, ledger.CodeOK},
		{"m.a", 0, ledger.CodeParamOutOfBounds},
		{"m.a", 11, ledger.CodeParamOutOfBounds},
		{"m.b", 0, ledger.CodeOK},
		{"m.c", 1, ledger.CodeUnknownParam},
	} {
		got := ledger.CodeOK
		if e := r.Check(c.name, c.v); e != nil {
			got = e.Code
		}
		if got != c.want {
			t.Errorf("check %s=%d: got %v, want %v", c.name, c.v, got, c.want)
		}
	}
}

func TestRegistryPanicsOnBadSpecs(t *testing.T) {
	for _, c := range []struct {
		name  string
		specs []Spec
	}{
		{"duplicate", []Spec{specA, specA}},
		{"default below min", []Spec{{Name: "x", Default: 0, Min: 1, Max: 2}}},
		{"default above max", []Spec{{Name: "x", Default: 3, Min: 1, Max: 2}}},
		{"min above max", []Spec{{Name: "x", Default: 3, Min: 4, Max: 2}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: got no panic, want one", c.name)
				}
			}()
			NewRegistry(c.specs)
		}()
	}
}

func TestGenesisAndGet(t *testing.T) {
	r := NewRegistry([]Spec{specA, specB})
	st := ledger.NewMemStore()
	if got := Get(st, specA); got != 5 {
		t.Fatalf("default: got %d, want 5", got)
	}
	auth := ledger.Address{9}
	if err := r.InitGenesis(st, auth, map[string]uint64{"m.a": 7}); err != nil {
		t.Fatal(err)
	}
	if got := Get(st, specA); got != 7 {
		t.Errorf("after genesis: got %d, want 7", got)
	}
	if got := Authority(st); got != auth {
		t.Errorf("authority: got %s, want %s", got, auth)
	}
	if err := r.InitGenesis(ledger.NewMemStore(), auth, map[string]uint64{"m.a": 11}); err == nil {
		t.Error("out-of-bounds genesis value: got no error, want one")
	}
	if err := r.InitGenesis(ledger.NewMemStore(), ledger.Address{}, nil); err == nil {
		t.Error("zero authority: got no error, want one")
	}
	vals := r.Values(st)
	if len(vals) != 2 || vals[0].Value != 7 || vals[1].Value != 0 {
		t.Errorf("values: got %+v, want m.a=7 m.b=0", vals)
	}
}
