package coverage

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// goldenInput is a small fleet with one of each common failure mixed in.
func goldenInput(t *testing.T) Input {
	in := genFleet(t, 25, 6)
	in.Hotspots[3].Denied = true
	in.Hotspots[7].Cell = 0
	in.Activity[11].LastWitness = 0
	in.Beacons[5].Payload = append([]byte(nil), in.Beacons[5].Payload...)
	in.Beacons[5].Payload[3] ^= 0x40
	in.Witnesses[10].SignalDdBm = 0
	in.Witnesses[50].Received += int64(5 * time.Second)
	in.Witnesses[80].FrequencyHz += 250_000
	in.Witnesses = append(in.Witnesses, in.Witnesses[100])
	return in
}

func renderResult(res Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "scorer_version %d epoch %d beaconer_shares %d witness_shares %d\n",
		res.ScorerVersion, res.Epoch, res.BeaconerShares, res.WitnessShares)
	for _, c := range res.Counts {
		fmt.Fprintf(&b, "count %s %s %d\n", c.Role, c.Reason, c.Count)
	}
	for _, s := range res.Shares {
		fmt.Fprintf(&b, "share %s beaconer %d witness %d beacons %d witnesses %d\n",
			s.Device, s.Beaconer, s.Witness, s.ValidBeacons, s.ValidWitnesses)
	}
	for _, r := range res.Reports.All() {
		fmt.Fprintf(&b, "report %s %x %s %s units %d scale %d share %d %q\n",
			r.Role, r.ID[:6], r.Device, r.Reason, r.Units, r.HexScale, r.Share, r.Detail)
	}
	for _, a := range res.Activity {
		fmt.Fprintf(&b, "activity %s beacon %d recip %d witness %d\n", a.Device, a.LastBeacon, a.LastBeaconRecip, a.LastWitness)
	}
	return b.Bytes()
}

// TestGoldenEpoch pins the full result of a small epoch. Regenerate with
// go test ./internal/coverage -run TestGoldenEpoch -update and review the diff.
func TestGoldenEpoch(t *testing.T) {
	res, err := Score(goldenInput(t), geo.H3{})
	if err != nil {
		t.Fatal(err)
	}
	got := renderResult(res)
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
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("golden mismatch at line %d:\ngot  %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("golden mismatch: got %d lines, want %d", len(gl), len(wl))
	}
}
