package reward

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

func TestRecipientNames(t *testing.T) {
	for r := RecipientDevices; r <= recipientLast; r++ {
		got, ok := ParseRecipient(r.String())
		if !ok || got != r {
			t.Errorf("ParseRecipient(%q) = %v, %v, want %v", r.String(), got, ok, r)
		}
		if rewardv1.Recipient(r).String() != "RECIPIENT_"+map[Recipient]string{
			RecipientDevices: "DEVICES", RecipientUsage: "USAGE", RecipientOracles: "ORACLES",
			RecipientValidators: "VALIDATORS", RecipientTreasury: "TREASURY", RecipientCompute: "COMPUTE",
			RecipientRelay: "RELAY", RecipientStorage: "STORAGE", RecipientEnergy: "ENERGY"}[r] {
			t.Errorf("recipient %v does not match the proto enum %v", r, rewardv1.Recipient(r))
		}
	}
	if _, ok := ParseRecipient("hotspots"); ok {
		t.Errorf("ParseRecipient accepted an unknown name")
	}
	if Recipient(0).Valid() || (recipientLast + 1).Valid() {
		t.Errorf("recipients 0 and %d are valid", recipientLast+1)
	}
}

// forwardedPools adds a usage and a validators pool to the defaults.
var forwardedPools = []Pool{
	{Name: "coverage", Bps: 7_000, Recipient: RecipientDevices, Kind: "coverage"},
	{Name: "usage", Bps: 1_000, Recipient: RecipientUsage},
	{Name: "validators", Bps: 600, Recipient: RecipientValidators},
	{Name: "oracles", Bps: 700, Recipient: RecipientOracles},
	{Name: "treasury", Bps: 700, Recipient: RecipientTreasury},
}

// settleWithForwarded settles epoch 0 under forwardedPools and returns the
// engine's output.
func settleWithForwarded(t *testing.T, f *fixture) Output {
	t.Helper()
	if e := f.exec(authority, TypeSetPools, &rewardv1.MsgSetPools{Pools: PoolsToProto(forwardedPools)}); e != nil {
		t.Fatal(e)
	}
	f.openFor(0)
	out := f.epochResult(0, nil, []uint64{5, 3})
	if e := f.exec(oracleAddr(0), TypeSubmitRoot, submitMsg(out)); e != nil {
		t.Fatal(e)
	}
	if _, ok := GetSettlement(f.st, 0); !ok {
		t.Fatal("epoch 0 did not settle")
	}
	return out
}

// A pool is paid by its recipient, not its name: a usage or validators
// pool never reaches devices, and without a payer it goes to the treasury.
func TestForwardedPoolsWithoutPayerGoToTreasury(t *testing.T) {
	f := newFixture(t, 2, 1)
	out := settleWithForwarded(t, f)
	amounts, rest := splitEmission(out.Emission, forwardedPools)
	var deviceTotal uint64
	for _, d := range out.Devices {
		deviceTotal += d.Amount
	}
	if deviceTotal > amounts[0] {
		t.Fatalf("devices earned %d, more than the coverage pool %d", deviceTotal, amounts[0])
	}
	if out.Forwarded != amounts[1]+amounts[2] {
		t.Errorf("engine forwarded %d, want usage %d + validators %d", out.Forwarded, amounts[1], amounts[2])
	}
	s, _ := GetSettlement(f.st, 0)
	want := out.Emission - deviceTotal - amounts[3]
	if got := bank.Balance(f.st, Treasury); got != want || s.Treasury != want {
		t.Errorf("treasury holds %d (settlement %d), want %d (usage, validators, treasury, remainders %d)", got, s.Treasury, want, rest)
	}
	if len(s.Forwarded) != 0 {
		t.Errorf("settlement forwarded %v with no payer", s.Forwarded)
	}
}

func TestForwardedPoolsGoToTheirPayer(t *testing.T) {
	f := newFixture(t, 2, 1)
	market := ledger.ModuleAddress("test_usage_payer")
	var calls []string
	f.payers = Payers{RecipientUsage: func(ctx *ledger.Context, epoch uint64, p Pool, amount uint64) *ledger.Error {
		calls = append(calls, p.Name)
		return bank.Mint(ctx.Store, market, amount)
	}}
	out := settleWithForwarded(t, f)
	amounts, _ := splitEmission(out.Emission, forwardedPools)
	if len(calls) != 1 || calls[0] != "usage" {
		t.Fatalf("payer called for %v, want [usage]", calls)
	}
	if got := bank.Balance(f.st, market); got != amounts[1] {
		t.Errorf("usage payer received %d, want the usage pool %d", got, amounts[1])
	}
	s, _ := GetSettlement(f.st, 0)
	if len(s.Forwarded) != 1 || s.Forwarded[0].Name != "usage" || s.Forwarded[0].Paid != amounts[1] {
		t.Errorf("settlement forwarded %v, want usage %d", s.Forwarded, amounts[1])
	}
	var deviceTotal uint64
	for _, d := range out.Devices {
		deviceTotal += d.Amount
	}
	if got, want := bank.Balance(f.st, Treasury), out.Emission-deviceTotal-amounts[3]-amounts[1]; got != want {
		t.Errorf("treasury holds %d, want %d (validators have no payer)", got, want)
	}
	if got, want := bank.GetSupply(f.st).Total, out.Emission; got != want {
		t.Errorf("supply %d, want the emission %d", got, want)
	}
}

func TestSharesInNonDevicePoolRefused(t *testing.T) {
	for _, pool := range []string{"usage", "validators", "oracles", "treasury"} {
		in := Input{Emission: 1000, Pools: forwardedPools, Shares: []Share{{Device: testAddr(1), Pool: pool, Units: 1}}}
		if _, err := Compute(in); err == nil {
			t.Errorf("a device share in the %s pool was accepted", pool)
		}
	}
}
