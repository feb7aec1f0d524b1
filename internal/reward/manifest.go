package reward

import (
	"bytes"
	"encoding/binary"
	"sort"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
)

// Entry is one line of a manifest: a device and the total it has earned in
// all epochs up to and including the manifest's. Totals are cumulative so
// one claim with one proof covers every past epoch (helium/oracles
// reward_index/src/db.rs keeps lifetime totals; helium-program-library
// lazy-distributor pays "current − already claimed").
type Entry struct {
	Device     ledger.Address
	Cumulative uint64
}

// Manifest is the result of an epoch that oracles sign and publish: the
// cumulative total of every device that has ever earned, sorted by device
// address, and the scorer version that produced it.
type Manifest struct {
	Epoch         uint64
	ScorerVersion uint32
	// Entries are sorted by device, each device once, every total > 0.
	Entries []Entry
}

// Validate checks the manifest's invariants: entries strictly ascending by
// device and no zero totals. It returns a *ledger.Error with CodeMalformed.
func (m *Manifest) Validate() error {
	return validateEntries(m.Entries, "manifest")
}

func validateEntries(entries []Entry, what string) error {
	for i := range entries {
		if entries[i].Cumulative == 0 {
			return ledger.Errorf(ledger.CodeMalformed, "%s: entry %d (%s) has a zero total", what, i, entries[i].Device)
		}
		if i > 0 && bytes.Compare(entries[i-1].Device[:], entries[i].Device[:]) >= 0 {
			return ledger.Errorf(ledger.CodeMalformed,
				"%s: entry %d (%s) is not after entry %d: entries must be sorted by device, each once",
				what, i, entries[i].Device, i-1)
		}
	}
	return nil
}

// Root returns the Merkle root of the manifest's entries.
func (m *Manifest) Root() Hash {
	return merkle.RootInPlace(leafHashes(m.Entries))
}

// Find returns the index of device's entry, and false if it has none.
func (m *Manifest) Find(device ledger.Address) (int, bool) {
	i := sort.Search(len(m.Entries), func(i int) bool {
		return bytes.Compare(m.Entries[i].Device[:], device[:]) >= 0
	})
	return i, i < len(m.Entries) && m.Entries[i].Device == device
}

// Proof returns the inclusion proof of device's entry. A device without an
// entry gets a *ledger.Error with CodeUnknownDevice. To serve many proofs,
// build a Tree once with NewTree.
func (m *Manifest) Proof(device ledger.Address) (Proof, error) {
	i, ok := m.Find(device)
	if !ok {
		return Proof{}, ledger.Errorf(ledger.CodeUnknownDevice,
			"device %s has no entry in the manifest of epoch %d", device, m.Epoch)
	}
	p, _ := NewTree(m.Entries).Proof(uint64(i))
	return p, nil
}

// The encoding of a manifest is canonical (one byte string per manifest) so
// that oracles can publish it and a replay can compare bytes:
//
//	magic "DPRM" | version 1 (1 byte) | epoch (8) | scorer version (4) |
//	count (8) | count × (device (20) | cumulative (8))
//
// All integers are big-endian. Entries follow the manifest's order and
// invariants; the decoder rejects anything else, including trailing bytes.
const (
	manifestMagic   = "DPRM"
	manifestVersion = 1
	manifestHeader  = len(manifestMagic) + 1 + 8 + 4 + 8
	entryLen        = ledger.AddressLen + 8
)

// EncodeManifest returns the canonical bytes of m. It does not validate m:
// call Validate first if m did not come from Compute or DecodeManifest.
func EncodeManifest(m *Manifest) []byte {
	buf := make([]byte, manifestHeader, manifestHeader+len(m.Entries)*entryLen)
	copy(buf, manifestMagic)
	buf[4] = manifestVersion
	binary.BigEndian.PutUint64(buf[5:], m.Epoch)
	binary.BigEndian.PutUint32(buf[13:], m.ScorerVersion)
	binary.BigEndian.PutUint64(buf[17:], uint64(len(m.Entries)))
	for i := range m.Entries {
		buf = append(buf, m.Entries[i].Device[:]...)
		buf = binary.BigEndian.AppendUint64(buf, m.Entries[i].Cumulative)
	}
	return buf
}

// DecodeManifest parses canonical manifest bytes. Any deviation (bad magic
// or version, a count that does not match the length, unsorted or duplicate
// devices, a zero total) is a *ledger.Error with CodeMalformed.
func DecodeManifest(b []byte) (*Manifest, error) {
	if len(b) < manifestHeader {
		return nil, ledger.Errorf(ledger.CodeMalformed,
			"decode manifest: %d bytes, shorter than the %d-byte header", len(b), manifestHeader)
	}
	if string(b[:4]) != manifestMagic {
		return nil, ledger.Errorf(ledger.CodeMalformed, "decode manifest: bad magic %q, want %q", b[:4], manifestMagic)
	}
	if b[4] != manifestVersion {
		return nil, ledger.Errorf(ledger.CodeMalformed, "decode manifest: version %d, want %d", b[4], manifestVersion)
	}
	count := binary.BigEndian.Uint64(b[17:])
	body := uint64(len(b) - manifestHeader)
	if body%entryLen != 0 || count != body/entryLen {
		return nil, ledger.Errorf(ledger.CodeMalformed,
			"decode manifest: header counts %d entries but %d bytes follow (%d bytes per entry)", count, body, entryLen)
	}
	m := &Manifest{
		Epoch:         binary.BigEndian.Uint64(b[5:]),
		ScorerVersion: binary.BigEndian.Uint32(b[13:]),
		Entries:       make([]Entry, count),
	}
	p := b[manifestHeader:]
	for i := range m.Entries {
		copy(m.Entries[i].Device[:], p[:ledger.AddressLen])
		m.Entries[i].Cumulative = binary.BigEndian.Uint64(p[ledger.AddressLen:])
		p = p[entryLen:]
	}
	if err := validateEntries(m.Entries, "decode manifest"); err != nil {
		return nil, err
	}
	return m, nil
}
