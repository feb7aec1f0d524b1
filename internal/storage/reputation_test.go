package storage

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

func repStore(t interface{ Fatal(...any) }) *ledger.MemStore {
	st := ledger.NewMemStore()
	if err := params.NewRegistry(Specs()).InitGenesis(st, ledger.ModuleAddress("authority"), nil); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestReputationMatchesStorj: with the defaults (Storj's λ 0.999, w 1,
// α₀ 1000, DQ 0.96) a perfect provider scores 0.999ⁿ after n failures in
// a row: suspended (≤ 0.98) at the 21st and disqualified (≤ 0.96) at the
// 41st, as reference/markets.md §2.2 says; disqualification is permanent.
func TestReputationMatchesStorj(t *testing.T) {
	st := repStore(t)
	p := ledger.ModuleAddress("prov")
	ctx := &ledger.Context{Store: st, Height: 1}
	suspendedAt, dqAt := 0, 0
	for n := 1; n <= 60 && dqAt == 0; n++ {
		if record(ctx, p, false, "missed_proof") {
			dqAt = n
		}
		if r, _ := GetReputation(st, p); r.Status == storagev1.ProviderStatus_PROVIDER_STATUS_SUSPENDED && suspendedAt == 0 {
			suspendedAt = n
		}
	}
	if suspendedAt != 21 || dqAt != 41 {
		t.Fatalf("suspended after %d failures (want 21), disqualified after %d (want 41)", suspendedAt, dqAt)
	}
	before, _ := GetReputation(st, p)
	for range 100 {
		if record(ctx, p, true, "proof_passed") {
			t.Fatalf("disqualified again")
		}
	}
	if after, _ := GetReputation(st, p); after.Status != storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED || after.Alpha != before.Alpha {
		t.Fatalf("a disqualified provider's reputation moved: %+v", after)
	}
}

// TestReputationProperties: the score stays in [0, 10^6]; a success never
// lowers it and a failure never raises it; the integer update stays within
// a few millionths of the real-valued one.
func TestReputationProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		st := repStore(t)
		p := ledger.ModuleAddress("prov")
		ctx := &ledger.Context{Store: st, Height: 1}
		alpha, beta := 1000.0, 0.0
		prev := uint64(ScaleOne)
		outcomes := rapid.SliceOfN(rapid.Bool(), 1, 200).Draw(t, "outcomes")
		for i, ok := range outcomes {
			record(ctx, p, ok, "x")
			r, _ := GetReputation(st, p)
			if r.Status == storagev1.ProviderStatus_PROVIDER_STATUS_DISQUALIFIED {
				return
			}
			s := Score(r)
			if s > ScaleOne || (ok && s < prev) || (!ok && s > prev) {
				t.Fatalf("outcome %d (%v): score %d after %d", i, ok, s, prev)
			}
			prev = s
			alpha, beta = alpha*0.999, beta*0.999
			if ok {
				alpha++
			} else {
				beta++
			}
			want := alpha / (alpha + beta) * ScaleOne
			if d := float64(s) - want; d > 5 || d < -5 {
				t.Fatalf("outcome %d: score %d, real-valued %.1f", i, s, want)
			}
		}
	})
}
