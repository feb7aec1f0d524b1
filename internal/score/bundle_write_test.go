package score

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
)

// encodeBundleReference is EncodeBundle as it was before it streamed the
// devices (issue 18): the whole bundle in one json.Marshal.
func encodeBundleReference(b *Bundle) ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	j := bundleJSON{
		Format: BundleFormat, Epoch: b.Epoch, ScorerVersion: b.ScorerVersion,
		StartHeight: b.StartHeight, EndHeight: b.EndHeight, Start: b.Start, End: b.End,
		Emission: b.Emission,
		Pools:    make([]poolJSON, len(b.Pools)),
		Kinds:    make([]kindJSON, len(b.Kinds)),
		Entropy:  make([]entropyJSON, len(b.Entropy)),
		Segments: make([]segmentJSON, len(b.Segments)),
	}
	for i, p := range b.Pools {
		j.Pools[i] = poolJSON{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient.String(), Kind: p.Kind}
	}
	for i, k := range b.Kinds {
		kj := kindJSON{Name: k.Name, ScorerVersion: k.ScorerVersion, Params: make([]paramJSON, len(k.Params)),
			Devices: make([]deviceJSON, len(k.Devices)), State: hex.EncodeToString(k.State)}
		for n, p := range k.Params {
			kj.Params[n] = paramJSON{Name: p.Name, Value: p.Value}
		}
		for n, d := range k.Devices {
			kj.Devices[n] = deviceJSON{Device: d.ID.String(), Owner: d.Owner.String(), Cell: strconv.FormatUint(d.Cell, 16),
				Attributes: hex.EncodeToString(d.Attributes), Denied: d.Denied}
		}
		j.Kinds[i] = kj
	}
	for i, e := range b.Entropy {
		j.Entropy[i] = entropyJSON{Height: e.Height, Hash: hex.EncodeToString(e.Hash[:]), Time: e.Time}
	}
	if b.HasPrior {
		pe := b.PriorEpoch
		j.PriorEpoch = &pe
		j.PriorRoot = b.PriorRoot.String()
	}
	for i, s := range b.Segments {
		j.Segments[i] = segmentJSON{Hash: hex.EncodeToString(s.Hash[:]), MerkleRoot: hex.EncodeToString(s.MerkleRoot[:]), Count: s.Count}
	}
	return json.Marshal(&j)
}

// TestWriteBundleMatchesReference: the streamed bundle is the old one byte
// for byte (so the inputs hash agreed on chain is unchanged), whatever the
// kinds' and pools' names hold (quotes, `"devices":[]` itself, HTML
// characters the encoder escapes) and however many devices each kind has.
func TestWriteBundleMatchesReference(t *testing.T) {
	name := rapid.SampledFrom([]string{"coverage", "toy", `"devices":[]`, `a"b`, "<&>", "", `\`, "x\n"})
	rapid.Check(t, func(t *rapid.T) {
		b := &Bundle{Epoch: rapid.Uint64().Draw(t, "epoch"), ScorerVersion: 1, StartHeight: 1, EndHeight: 9, Start: 1, End: 2,
			Emission: rapid.Uint64().Draw(t, "emission")}
		if rapid.Bool().Draw(t, "pool") {
			b.Pools = []reward.Pool{{Name: name.Draw(t, "pool name"), Bps: 10000, Recipient: reward.RecipientTreasury}}
		}
		seen := map[string]bool{}
		for range rapid.IntRange(0, 3).Draw(t, "kinds") {
			ki := KindInputs{Name: name.Draw(t, "kind"), ScorerVersion: 1, State: rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "state"),
				Params: kind.Params{{Name: name.Draw(t, "param"), Value: rapid.Uint64().Draw(t, "value")}}}
			if seen[ki.Name] {
				continue
			}
			seen[ki.Name] = true
			for n := range rapid.IntRange(0, 5).Draw(t, "devices") {
				var id ledger.Address
				id[0], id[19] = byte(n), rapid.Byte().Draw(t, "id")
				ki.Devices = append(ki.Devices, kind.Device{ID: id, Cell: rapid.Uint64().Draw(t, "cell"),
					Attributes: rapid.SliceOfN(rapid.Byte(), 0, 4).Draw(t, "attrs"), Denied: rapid.Bool().Draw(t, "denied")})
			}
			b.Kinds = append(b.Kinds, ki)
		}
		b.Entropy = []kind.Entropy{{Height: 3, Time: 5}}
		b.Segments = []segment.Ref{{Count: 4}}
		if rapid.Bool().Draw(t, "prior") {
			b.HasPrior, b.PriorEpoch = true, 4
		}
		want, werr := encodeBundleReference(b)
		got, gerr := EncodeBundle(b)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("got %v\n%s\nwant %v\n%s", gerr, got, werr, want)
		}
	})
}
