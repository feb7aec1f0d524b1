package score

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
)

// BundleFormat is the version of the bundle encoding.
const BundleFormat = 2

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
	// Kinds are the inputs of each network kind, in registry order.
	Kinds []KindInputs
	// Entropy holds the chain blocks the reports answer, sorted by height.
	Entropy []kind.Entropy
	// PriorEpoch and PriorRoot name the previous settled manifest whose
	// totals this epoch adds to; HasPrior is false for the first epoch.
	HasPrior   bool
	PriorEpoch uint64
	PriorRoot  reward.Hash
	// Segments are the epoch's committed segments in commit order.
	Segments []segment.Ref
}

// KindInputs are one kind's inputs of an epoch.
type KindInputs struct {
	Name string
	// ScorerVersion is the version of the kind's scorer the epoch runs.
	ScorerVersion uint32
	// Params are the kind's, in the order of its specs.
	Params kind.Params
	// Devices are the kind's registered devices when the epoch was
	// scored, sorted by ID.
	Devices []kind.Device
	// State is what the previous epoch's output left for the kind.
	State []byte
}

// Kind returns the inputs of a kind, and false if the bundle has none.
func (b *Bundle) Kind(name string) (*KindInputs, bool) {
	for i := range b.Kinds {
		if b.Kinds[i].Name == name {
			return &b.Kinds[i], true
		}
	}
	return nil, false
}

// The JSON form. Every field is always written, in declaration order, and
// slices are sorted, so encoding/json gives one byte string per bundle.
type bundleJSON struct {
	Format        uint32        `json:"format"`
	Epoch         uint64        `json:"epoch"`
	ScorerVersion uint32        `json:"scorer_version"`
	StartHeight   int64         `json:"start_height"`
	EndHeight     int64         `json:"end_height"`
	Start         int64         `json:"start"`
	End           int64         `json:"end"`
	Emission      uint64        `json:"emission"`
	Pools         []poolJSON    `json:"pools"`
	Kinds         []kindJSON    `json:"kinds"`
	Entropy       []entropyJSON `json:"entropy"`
	PriorEpoch    *uint64       `json:"prior_epoch"`
	PriorRoot     string        `json:"prior_root"`
	Segments      []segmentJSON `json:"segments"`
}

type poolJSON struct {
	Name      string `json:"name"`
	Bps       uint32 `json:"bps"`
	Recipient string `json:"recipient"`
	Kind      string `json:"kind,omitempty"`
}

type kindJSON struct {
	Name          string       `json:"name"`
	ScorerVersion uint32       `json:"scorer_version"`
	Params        []paramJSON  `json:"params"`
	Devices       []deviceJSON `json:"devices"`
	State         string       `json:"state"` // hex
}

type paramJSON struct {
	Name  string `json:"name"`
	Value uint64 `json:"value"`
}

type deviceJSON struct {
	Device     string `json:"device"`
	Owner      string `json:"owner"`
	Cell       string `json:"cell"` // H3 index in hex, "0" when not asserted
	Attributes string `json:"attributes"`
	Denied     bool   `json:"denied"`
}

type entropyJSON struct {
	Height uint64 `json:"height"`
	Hash   string `json:"hash"`
	Time   int64  `json:"time"`
}

type segmentJSON struct {
	Hash       string `json:"hash"`
	MerkleRoot string `json:"merkle_root"`
	Count      uint64 `json:"count"`
}

// Normalize sorts the bundle's lists into their canonical order.
func (b *Bundle) Normalize() {
	for i := range b.Kinds {
		slices.SortFunc(b.Kinds[i].Devices, func(x, y kind.Device) int { return bytes.Compare(x.ID[:], y.ID[:]) })
	}
	slices.SortFunc(b.Entropy, func(x, y kind.Entropy) int { return cmp.Compare(x.Height, y.Height) })
}

// EncodeBundle returns the canonical bytes of b. Lists must be in canonical
// order (Normalize); Validate is run first.
func EncodeBundle(b *Bundle) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteBundle(&buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteBundle writes EncodeBundle's bytes to w, encoding the devices one at
// a time: a million devices' JSON (about 300 MB) is never held, nor the
// strings it is made of.
func WriteBundle(w io.Writer, b *Bundle) error {
	if err := b.Validate(); err != nil {
		return err
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
			Devices: []deviceJSON{}, State: hex.EncodeToString(k.State)}
		for n, p := range k.Params {
			kj.Params[n] = paramJSON{Name: p.Name, Value: p.Value}
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
	// The skeleton has every kind's devices as []; each kind's devices are
	// written where its `"devices":[]` is, in kind order. The key is
	// kindJSON's only, and its quotes could not stand unescaped inside a
	// JSON string, so the n-th occurrence is kind n's.
	skel, err := json.Marshal(&j)
	if err != nil {
		return fmt.Errorf("oracle: encode bundle: %w", err)
	}
	const key = `"devices":[`
	for _, k := range b.Kinds {
		i := bytes.Index(skel, []byte(key+"]"))
		if i < 0 {
			return fmt.Errorf("oracle: encode bundle: no devices of kind %s in the skeleton", k.Name)
		}
		if _, err := w.Write(skel[:i+len(key)]); err != nil {
			return err
		}
		for n, d := range k.Devices {
			dj, err := json.Marshal(deviceJSON{Device: d.ID.String(), Owner: d.Owner.String(), Cell: strconv.FormatUint(d.Cell, 16),
				Attributes: hex.EncodeToString(d.Attributes), Denied: d.Denied})
			if err != nil {
				return fmt.Errorf("oracle: encode bundle: %w", err)
			}
			if n > 0 {
				dj = append([]byte{','}, dj...)
			}
			if _, err := w.Write(dj); err != nil {
				return err
			}
		}
		skel = skel[i+len(key):]
	}
	_, err = w.Write(skel)
	return err
}

// BundleHash is the SHA-256 of a bundle's canonical bytes.
func BundleHash(encoded []byte) [32]byte { return sha256.Sum256(encoded) }

// DecodeBundle parses canonical bundle bytes. Anything else (unknown
// fields, another format, bad addresses or hashes, unsorted lists, bytes
// that do not re-encode identically) is a *ledger.Error with
// CodeBundleMismatch. Params are checked against their kinds by Run.
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
		Start: j.Start, End: j.End, Emission: j.Emission,
	}
	for _, p := range j.Pools {
		r, ok := reward.ParseRecipient(p.Recipient)
		if !ok {
			return nil, bad("pool %q: unknown recipient %q", p.Name, p.Recipient)
		}
		b.Pools = append(b.Pools, reward.Pool{Name: p.Name, Bps: p.Bps, Recipient: r, Kind: p.Kind})
	}
	for _, kj := range j.Kinds {
		k := KindInputs{Name: kj.Name, ScorerVersion: kj.ScorerVersion, Params: kind.Params{}, Devices: []kind.Device{}}
		for _, p := range kj.Params {
			k.Params = append(k.Params, kind.Param{Name: p.Name, Value: p.Value})
		}
		for i, d := range kj.Devices {
			dev, err1 := ledger.ParseAddress(d.Device)
			own, err2 := ledger.ParseAddress(d.Owner)
			cell, err3 := strconv.ParseUint(d.Cell, 16, 64)
			attrs, err4 := hex.DecodeString(d.Attributes)
			if err := cmp.Or(err1, err2, err3, err4); err != nil {
				return nil, bad("kind %s device %d: %v", kj.Name, i, err)
			}
			if len(attrs) == 0 {
				attrs = nil
			}
			k.Devices = append(k.Devices, kind.Device{ID: dev, Owner: own, Cell: cell, Attributes: attrs, Denied: d.Denied})
		}
		st, err := hex.DecodeString(kj.State)
		if err != nil {
			return nil, bad("kind %s state: %v", kj.Name, err)
		}
		if len(st) > 0 {
			k.State = st
		}
		b.Kinds = append(b.Kinds, k)
	}
	for i, e := range j.Entropy {
		h, err := parseHash(e.Hash)
		if err != nil {
			return nil, bad("entropy %d: %v", i, err)
		}
		b.Entropy = append(b.Entropy, kind.Entropy{Height: e.Height, Hash: h, Time: e.Time})
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
		b.Segments = append(b.Segments, segment.Ref{Hash: h, MerkleRoot: r, Count: s.Count})
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

// Validate checks the bundle's structure: valid pools, a non-empty window,
// each kind once, lists sorted with each key once.
func (b *Bundle) Validate() error {
	bad := func(format string, args ...any) error {
		return ledger.Errorf(CodeBundleMismatch, "bundle of epoch %d: "+format, append([]any{b.Epoch}, args...)...)
	}
	if err := reward.ValidatePools(b.Pools); err != nil {
		return bad("%v", err)
	}
	if b.End <= b.Start {
		return bad("window end %d not after start %d", b.End, b.Start)
	}
	for i, k := range b.Kinds {
		for _, prev := range b.Kinds[:i] {
			if prev.Name == k.Name {
				return bad("kind %s listed twice", k.Name)
			}
		}
		for n := 1; n < len(k.Devices); n++ {
			if bytes.Compare(k.Devices[n-1].ID[:], k.Devices[n].ID[:]) >= 0 {
				return bad("kind %s device %d (%s) out of order or repeated", k.Name, n, k.Devices[n].ID)
			}
		}
	}
	for i := 1; i < len(b.Entropy); i++ {
		if b.Entropy[i-1].Height >= b.Entropy[i].Height {
			return bad("entropy %d (height %d) out of order or repeated", i, b.Entropy[i].Height)
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
