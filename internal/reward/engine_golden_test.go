package reward

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites the golden files and the fuzz seed corpora:
// go test ./internal/reward -run 'Golden|Corpus' -update
var update = flag.Bool("update", false, "rewrite testdata golden files and fuzz seed corpora")

// goldenInput is a fixed epoch with Helium's IoT split (beacon 6%, witness
// 24%, data 50%, oracles 7%; operations 7% and veHNT 6% folded into the
// treasury; helium/oracles iot_verifier/src/reward_share.rs) and the HNT
// emission of 2024-08-01 in 6-decimal base units, halved once
// (helium-program-library packages/helium-admin-cli/emissions/hnt.json).
func goldenInput() Input {
	in := Input{
		Epoch:         731,
		ScorerVersion: 2,
		Emission:      EpochEmission(Schedule{Initial: 41_095_890_000, HalvingEpochs: 730}, 731),
		Pools: []Pool{
			pl("beacon", 600), pl("witness", 2400), pl("data", 5000), pl("oracles", 700), pl("treasury", 1300),
		},
		Oracles: []OracleShare{{orc(0), 1}, {orc(1), 1}, {orc(2), 2}},
	}
	for i := range 12 {
		if i%4 != 3 {
			in.Shares = append(in.Shares, Share{dev(i), "beacon", uint64(i%3+1) * 250_000})
		}
		in.Shares = append(in.Shares, Share{dev(i), "witness", uint64(i*i+1) * 76_000})
		if i%5 == 0 {
			in.Shares = append(in.Shares, Share{dev(i), "data", uint64(i+1) * 24})
		}
	}
	for _, i := range []int{0, 2, 5, 20, 21, 22} {
		in.Prior = append(in.Prior, Entry{dev(i), uint64(i+1) * 1_000_003})
	}
	sortEntries(in.Prior)
	return in
}

// render prints an output as reviewable text.
func render(out Output) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "epoch %d scorer %d emission %d split_remainder %d treasury %d\n",
		out.Epoch, out.ScorerVersion, out.Emission, out.SplitRemainder, out.Treasury)
	for _, p := range out.Pools {
		fmt.Fprintf(&b, "pool %s bps %d amount %d units %d paid %d remainder %d\n",
			p.Name, p.Bps, p.Amount, p.Units, p.Paid, p.Remainder)
	}
	for _, p := range out.Payouts {
		fmt.Fprintf(&b, "payout %s %s units %d amount %d\n", p.Device, p.Pool, p.Units, p.Amount)
	}
	for _, d := range out.Devices {
		fmt.Fprintf(&b, "device %s amount %d\n", d.Device, d.Amount)
	}
	for _, o := range out.Oracles {
		fmt.Fprintf(&b, "oracle %s weight %d amount %d\n", o.Oracle, o.Weight, o.Amount)
	}
	for _, e := range out.Manifest.Entries {
		fmt.Fprintf(&b, "entry %s cumulative %d\n", e.Device, e.Cumulative)
	}
	fmt.Fprintf(&b, "root %s\n", out.Root)
	enc := hex.EncodeToString(EncodeManifest(&out.Manifest))
	for len(enc) > 0 {
		n := min(len(enc), 96)
		fmt.Fprintf(&b, "manifest %s\n", enc[:n])
		enc = enc[n:]
	}
	return b.Bytes()
}

func TestGoldenEpoch(t *testing.T) {
	in := goldenInput()
	out, err := Compute(in)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	checkInvariants(t, in, out)
	got := render(out)
	path := filepath.Join("testdata", "golden_epoch.txt")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (review and rerun with -update if intended):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
