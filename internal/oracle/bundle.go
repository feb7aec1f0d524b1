package oracle

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/depin-network/depin/internal/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// BundleFormat is the version of the bundle encoding.
const BundleFormat = 1

// Bundle is an epoch's inputs apart from the reports and the prior
// manifest, frozen as of the epoch: the chain keeps only current state, so
// without it an epoch could not be re-run once the registry or params
// change. The oracle publishes its canonical encoding and commits to its
// SHA-256 (InputsHash) with the root.
type Bundle struct {
	Epoch         uint64
	ScorerVersion uint32
	StartHeight   int64
	EndHeight     int64
	// Start and End bound the receive times of the epoch's reports, in Unix
	// nanoseconds: [Start, End).
	Start int64
	End   int64
	// Emission and Pools are the epoch's, as recorded on chain.
	Emission uint64
	Pools    []reward.Pool
	Params   coverage.Params
	// Hotspots are the registered coverage devices when the epoch was
	// scored, sorted by device.
	Hotspots []coverage.Hotspot
	// Entropy holds the chain blocks the reports answer, sorted by height.
	Entropy []coverage.Entropy
	// Activity is the state left by the previous epoch, sorted by device.
	Activity []coverage.Activity
	// PriorEpoch and PriorRoot name the previous settled manifest whose
	// totals this epoch adds to; HasPrior is false for the first epoch.
	HasPrior   bool
	PriorEpoch uint64
	PriorRoot  reward.Hash
	// Segments are the epoch's committed segments in commit order.
	Segments []SegmentRef
}

// SegmentRef is a segment commitment as recorded on chain.
type SegmentRef struct {
	Hash       [32]byte
	MerkleRoot [32]byte
	Count      uint64
}

// The JSON form. Every field is always written, in declaration order, and
// slices are sorted, so encoding/json gives one byte string per bundle.
type bundleJSON struct {
	Format        uint32         `json:"format"`
	Epoch         uint64         `json:"epoch"`
	ScorerVersion uint32         `json:"scorer_version"`
	StartHeight   int64          `json:"start_height"`
	EndHeight     int64          `json:"end_height"`
	Start         int64          `json:"start"`
	End           int64          `json:"end"`
	Emission      uint64         `json:"emission"`
	Pools         []poolJSON     `json:"pools"`
	Params        []paramJSON    `json:"params"`
	Hotspots      []hotspotJSON  `json:"hotspots"`
	Entropy       []entropyJSON  `json:"entropy"`
	Activity      []activityJSON `json:"activity"`
	PriorEpoch    *uint64        `json:"prior_epoch"`
	PriorRoot     string         `json:"prior_root"`
	Segments      []segmentJSON  `json:"segments"`
}

type poolJSON struct {
	Name      string `json:"name"`
	Bps       uint32 `json:"bps"`
	Recipient string `json:"recipient"`
	Kind      string `json:"kind,omitempty"`
}

type paramJSON struct {
	Name  string `json:"name"`
	Value uint64 `json:"value"`
}

type hotspotJSON struct {
	Device     string          `json:"device"`
	Owner      string          `json:"owner"`
	Cell       string          `json:"cell"` // H3 index in hex, "0" when not asserted
	GainDdBi   int32           `json:"gain_ddbi"`
	ElevationM int32           `json:"elevation_m"`
	Region     coverage.Region `json:"region"`
	Denied     bool            `json:"denied"`
	DataOnly   bool            `json:"data_only"`
}

type entropyJSON struct {
	Height uint64 `json:"height"`
	Hash   string `json:"hash"`
	Time   int64  `json:"time"`
}

type activityJSON struct {
	Device          string `json:"device"`
	LastBeacon      int64  `json:"last_beacon"`
	LastBeaconRecip int64  `json:"last_beacon_recip"`
	LastWitness     int64  `json:"last_witness"`
}

type segmentJSON struct {
	Hash       string `json:"hash"`
	MerkleRoot string `json:"merkle_root"`
	Count      uint64 `json:"count"`
}

// Normalize sorts the bundle's lists into their canonical order.
func (b *Bundle) Normalize() {
	slices.SortFunc(b.Hotspots, func(x, y coverage.Hotspot) int { return bytes.Compare(x.Device[:], y.Device[:]) })
	slices.SortFunc(b.Entropy, func(x, y coverage.Entropy) int { return cmp.Compare(x.Height, y.Height) })
	slices.SortFunc(b.Activity, func(x, y coverage.Activity) int { return bytes.Compare(x.Device[:], y.Device[:]) })
}

// EncodeBundle returns the canonical bytes of b. Lists must be in canonical
// order (Normalize); Validate is run first.
func EncodeBundle(b *Bundle) ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	j := bundleJSON{
		Format: BundleFormat, Epoch: b.Epoch, ScorerVersion: b.ScorerVersion,
		StartHeight: b.StartHeight, EndHeight: b.EndHeight, Start: b.Start, End: b.End,
		Emission: b.Emission,
		Pools:    make([]poolJSON, len(b.Pools)),
		Hotspots: make([]hotspotJSON, len(b.Hotspots)),
		Entropy:  make([]entropyJSON, len(b.Entropy)),
		Activity: make([]activityJSON, len(b.Activity)),
		Segments: make([]segmentJSON, len(b.Segments)),
	}
	for i, p := range b.Pools {
		j.Pools[i] = poolJSON{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient.String(), Kind: p.Kind}
	}
	for _, s := range coverage.Specs() {
		v, _ := b.Params.Get(s.Name)
		j.Params = append(j.Params, paramJSON{Name: s.Name, Value: v})
	}
	for i, h := range b.Hotspots {
		j.Hotspots[i] = hotspotJSON{
			Device: h.Device.String(), Owner: h.Owner.String(), Cell: strconv.FormatUint(h.Cell, 16),
			GainDdBi: h.GainDdBi, ElevationM: h.ElevationM, Region: h.Region, Denied: h.Denied, DataOnly: h.DataOnly,
		}
	}
	for i, e := range b.Entropy {
		j.Entropy[i] = entropyJSON{Height: e.Height, Hash: hex.EncodeToString(e.Hash[:]), Time: e.Time}
	}
	for i, a := range b.Activity {
		j.Activity[i] = activityJSON{Device: a.Device.String(), LastBeacon: a.LastBeacon, LastBeaconRecip: a.LastBeaconRecip, LastWitness: a.LastWitness}
	}
	if b.HasPrior {
		pe := b.PriorEpoch
		j.PriorEpoch = &pe
		j.PriorRoot = b.PriorRoot.String()
	}
	for i, s := range b.Segments {
		j.Segments[i] = segmentJSON{Hash: hex.EncodeToString(s.Hash[:]), MerkleRoot: hex.EncodeToString(s.MerkleRoot[:]), Count: s.Count}
	}
	out, err := json.Marshal(&j)
	if err != nil {
		return nil, fmt.Errorf("oracle: encode bundle: %w", err)
	}
	return out, nil
}

// BundleHash is the SHA-256 of a bundle's canonical bytes.
func BundleHash(encoded []byte) [32]byte { return sha256.Sum256(encoded) }

// DecodeBundle parses canonical bundle bytes. Anything else (unknown
// fields, another format, bad addresses or hashes, unsorted lists, bytes
// that do not re-encode identically) is a *ledger.Error with
// CodeBundleMismatch.
func DecodeBundle(raw []byte) (*Bundle, error) {
	bad := func(format string, args ...any) error {
		return ledger.Errorf(CodeBundleMismatch, "decode bundle: "+format, args...)
	}
	var j bundleJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, bad("%v", err)
	}
	if j.Format != BundleFormat {
		return nil, bad("format %d, want %d", j.Format, BundleFormat)
	}
	b := &Bundle{
		Epoch: j.Epoch, ScorerVersion: j.ScorerVersion, StartHeight: j.StartHeight, EndHeight: j.EndHeight,
		Start: j.Start, End: j.End, Emission: j.Emission, Params: coverage.DefaultParams(),
	}
	for _, p := range j.Pools {
		r, ok := reward.ParseRecipient(p.Recipient)
		if !ok {
			return nil, bad("pool %q: unknown recipient %q", p.Name, p.Recipient)
		}
		b.Pools = append(b.Pools, reward.Pool{Name: p.Name, Bps: p.Bps, Recipient: r, Kind: p.Kind})
	}
	specs := coverage.Specs()
	if len(j.Params) != len(specs) {
		return nil, bad("%d params, want %d", len(j.Params), len(specs))
	}
	for i, p := range j.Params {
		if p.Name != specs[i].Name {
			return nil, bad("param %d is %q, want %q", i, p.Name, specs[i].Name)
		}
		if err := b.Params.Set(p.Name, p.Value); err != nil {
			return nil, bad("%v", err)
		}
	}
	for i, h := range j.Hotspots {
		dev, err1 := ledger.ParseAddress(h.Device)
		own, err2 := ledger.ParseAddress(h.Owner)
		cell, err3 := strconv.ParseUint(h.Cell, 16, 64)
		if err := cmp.Or(err1, err2, err3); err != nil {
			return nil, bad("hotspot %d: %v", i, err)
		}
		b.Hotspots = append(b.Hotspots, coverage.Hotspot{
			Device: dev, Owner: own, Cell: cell, GainDdBi: h.GainDdBi, ElevationM: h.ElevationM,
			Region: h.Region, Denied: h.Denied, DataOnly: h.DataOnly,
		})
	}
	for i, e := range j.Entropy {
		h, err := parseHash(e.Hash)
		if err != nil {
			return nil, bad("entropy %d: %v", i, err)
		}
		b.Entropy = append(b.Entropy, coverage.Entropy{Height: e.Height, Hash: h, Time: e.Time})
	}
	for i, a := range j.Activity {
		dev, err := ledger.ParseAddress(a.Device)
		if err != nil {
			return nil, bad("activity %d: %v", i, err)
		}
		b.Activity = append(b.Activity, coverage.Activity{Device: dev, LastBeacon: a.LastBeacon, LastBeaconRecip: a.LastBeaconRecip, LastWitness: a.LastWitness})
	}
	if j.PriorEpoch != nil {
		r, err := parseHash(j.PriorRoot)
		if err != nil {
			return nil, bad("prior root: %v", err)
		}
		b.HasPrior, b.PriorEpoch, b.PriorRoot = true, *j.PriorEpoch, r
	}
	for i, s := range j.Segments {
		h, err1 := parseHash(s.Hash)
		r, err2 := parseHash(s.MerkleRoot)
		if err := cmp.Or(err1, err2); err != nil {
			return nil, bad("segment %d: %v", i, err)
		}
		b.Segments = append(b.Segments, SegmentRef{Hash: h, MerkleRoot: r, Count: s.Count})
	}
	again, err := EncodeBundle(b)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, raw) {
		return nil, bad("not in canonical encoding")
	}
	return b, nil
}

// Validate checks the bundle's structure: valid params and pools, a
// non-empty window, lists sorted with each key once.
func (b *Bundle) Validate() error {
	bad := func(format string, args ...any) error {
		return ledger.Errorf(CodeBundleMismatch, "bundle of epoch %d: "+format, append([]any{b.Epoch}, args...)...)
	}
	if err := b.Params.Validate(); err != nil {
		return bad("%v", err)
	}
	if err := reward.ValidatePools(b.Pools); err != nil {
		return bad("%v", err)
	}
	if b.End <= b.Start {
		return bad("window end %d not after start %d", b.End, b.Start)
	}
	for i := 1; i < len(b.Hotspots); i++ {
		if bytes.Compare(b.Hotspots[i-1].Device[:], b.Hotspots[i].Device[:]) >= 0 {
			return bad("hotspot %d (%s) out of order or repeated", i, b.Hotspots[i].Device)
		}
	}
	for i := 1; i < len(b.Entropy); i++ {
		if b.Entropy[i-1].Height >= b.Entropy[i].Height {
			return bad("entropy %d (height %d) out of order or repeated", i, b.Entropy[i].Height)
		}
	}
	for i := 1; i < len(b.Activity); i++ {
		if bytes.Compare(b.Activity[i-1].Device[:], b.Activity[i].Device[:]) >= 0 {
			return bad("activity %d (%s) out of order or repeated", i, b.Activity[i].Device)
		}
	}
	return nil
}

func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return h, fmt.Errorf("%q is not 32 bytes of hex", s)
	}
	copy(h[:], b)
	return h, nil
}
