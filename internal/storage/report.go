package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// TypeReport is the message that reports a corrupt download.
const TypeReport = "storage/report"

// ServedDomain separates what a provider signs about a download (a
// storagev1.Served) from every other signature.
const ServedDomain = "depin/storage/served/v1"

// SignServedHeader, set on a shard download request, asks the provider to
// sign what it served as a whole: it hashes the bytes as they go out and
// sends the statement in the trailers below, after the body. A provider
// can leave the trailers out, so get asks for signed chunks instead
// (SignChunksHeader); a report of a whole-download statement is still
// upheld.
const SignServedHeader = "Depin-Sign-Served"

// HTTP trailers of a signed shard download: the provider's signed Served
// statement of what it sent (base64, standard encoding), its signature and
// the provider's public key.
const (
	ServedTrailer    = "Depin-Served"
	ServedSigTrailer = "Depin-Served-Signature"
	ServedKeyTrailer = "Depin-Served-Key"
)

// SignServed encodes a Served statement and signs it with the provider's
// key: what a provider attaches to every download it serves.
func SignServed(priv sig.PrivateKey, s *storagev1.Served) (raw, signature []byte) {
	raw = ledger.Encode(s)
	return raw, sig.Sign(priv, ServedDomain, raw)
}

// LeafHasher computes the Merkle root of a byte stream cut into leaves of
// one size (the last leaf may be shorter), as the stream goes by: the root
// of what a provider served, or of what a client received.
type LeafHasher struct {
	leaf   int
	buf    []byte
	leaves []merkle.Hash
	n      uint64
}

// NewLeafHasher returns a hasher for leaves of leafSize bytes.
func NewLeafHasher(leafSize int) *LeafHasher {
	return &LeafHasher{leaf: leafSize, buf: make([]byte, 0, leafSize)}
}

// Write hashes p; it never fails.
func (h *LeafHasher) Write(p []byte) (int, error) {
	n := len(p)
	h.n += uint64(n)
	if len(h.buf) > 0 {
		k := min(h.leaf-len(h.buf), len(p))
		h.buf = append(h.buf, p[:k]...)
		p = p[k:]
		if len(h.buf) < h.leaf {
			return n, nil
		}
		h.leaves = append(h.leaves, merkle.LeafHash(h.buf))
		h.buf = h.buf[:0]
	}
	for len(p) >= h.leaf {
		h.leaves = append(h.leaves, merkle.LeafHash(p[:h.leaf]))
		p = p[h.leaf:]
	}
	h.buf = append(h.buf, p...)
	return n, nil
}

// Sum returns the Merkle root and the number of bytes written so far.
func (h *LeafHasher) Sum() (merkle.Hash, uint64) {
	leaves := h.leaves
	if len(h.buf) > 0 {
		leaves = append(leaves[:len(leaves):len(leaves)], merkle.LeafHash(h.buf))
	}
	return merkle.Root(leaves), h.n
}

// handleReport upholds a deal owner's report of a corrupt download: the
// provider's signed Served statement names the deal's content id and shard
// on this chain, at a height at most storage.report_max_age_blocks old, and
// a root or size that is not the deal's. The provider signed that it served
// bytes other than the ones it committed to: the deal fails like a wrong
// proof (storage.corrupt_download_slash_bps slashed, a reputation failure
// with reason corrupt_download, the deal closed after
// storage.max_missed_in_row failures in a row). At most one report per
// deal counts per proof period, by the statement's height, so a statement
// is never counted twice.
func handleReport(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m storagev1.MsgReport
	if e := ledger.Unmarshal(TypeReport, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	d, ok := GetDeal(st, m.Deal)
	if !ok {
		return ledger.Errorf(CodeUnknownDeal, "no deal %d", m.Deal)
	}
	if addr(d.Owner) != ctx.Signer {
		return ledger.Errorf(CodeNotDealOwner, "signer %s does not own deal %d", ctx.Signer, d.Id)
	}
	if d.State != storagev1.DealState_DEAL_STATE_ACTIVE {
		return ledger.Errorf(CodeDealNotActive, "deal %d is %s", d.Id, dealStateName(d.State))
	}
	if len(m.Chunk) > 0 {
		return handleChunkReport(ctx, d, &m)
	}
	if len(m.PubKey) != sig.PubKeyLen || ledger.AddressOf(m.PubKey) != addr(d.Provider) || !sig.Verify(m.PubKey, ServedDomain, m.Served, m.Signature) {
		return ledger.Errorf(CodeBadServedSignature, "the download statement is not signed by deal %d's provider %s", d.Id, addr(d.Provider))
	}
	var s storagev1.Served
	if e := ledger.Unmarshal("a download statement", m.Served, &s); e != nil {
		return e
	}
	if len(s.Root) != merkle.HashLen {
		return ledger.Errorf(ledger.CodeMalformed, "the served root has %d bytes, want %d", len(s.Root), merkle.HashLen)
	}
	if s.ChainId != ctx.ChainID || !bytes.Equal(s.Cid, d.Cid) || s.Shard != d.Shard || s.Height > ctx.Height {
		return ledger.Errorf(CodeServedMismatch, "the download statement (chain %q, shard %d, height %d) is not about deal %d's shard %d on this chain before height %d",
			s.ChainId, s.Shard, s.Height, d.Id, d.Shard, ctx.Height)
	}
	if age := params.Get(st, ReportMaxAge); uint64(ctx.Height-s.Height) > age {
		return ledger.Errorf(CodeReportExpired, "the download statement of height %d is older than %d blocks", s.Height, age)
	}
	if bytes.Equal(s.Root, d.Root) && s.Size == d.ShardSize {
		return ledger.Errorf(CodeDownloadNotFaulty, "the provider served deal %d's shard as committed: nothing to report", d.Id)
	}
	if e := oncePerPeriod(ctx, d, s.Height); e != nil {
		return e
	}
	ctx.Emit("storage.report", ledger.AU64("deal", d.Id), ledger.A("owner", ctx.SignerString()), ledger.A("provider", addr(d.Provider).String()),
		ledger.A("served_root", hex.EncodeToString(s.Root)), ledger.AU64("served_size", s.Size), ledger.AU64("served_height", uint64(s.Height)))
	return fail(ctx, d, params.Get(st, ReportSlashBps), "corrupt_download")
}

// oncePerPeriod counts a report of d at statement height h, unless one
// already counted in h's proof period or a later one.
func oncePerPeriod(ctx *ledger.Context, d *storagev1.Deal, h int64) *ledger.Error {
	period := int64(params.Get(ctx.Store, ProofPeriod))
	if d.ReportsUpheld > 0 && h/period <= d.LastReportHeight/period {
		return ledger.Errorf(CodeAlreadyReported, "deal %d has an upheld report from height %d; one counts per %d-block period",
			d.Id, d.LastReportHeight, period)
	}
	d.ReportsUpheld++
	d.LastReportHeight = h
	return nil
}

// handleChunkReport upholds a report of one signed chunk (storagev1.ServedChunk):
// the provider signed, before the client took the bytes, that the chunk
// starting at leaf first_leaf of the deal's shard hashes to chunk_hash; the
// report carries the chunk (at most MaxChunkBytes of the deal's leaves),
// whose SHA-256 is that hash, and for its leaf m.Leaf the true leaf with a
// path to the deal's root. When the chunk's leaf differs from the true
// one, the provider signed that it served wrong bytes: the deal fails as in
// handleReport (same slash, reason and once-per-period rule).
func handleChunkReport(ctx *ledger.Context, d *storagev1.Deal, m *storagev1.MsgReport) *ledger.Error {
	st := ctx.Store
	if len(m.PubKey) != sig.PubKeyLen || ledger.AddressOf(m.PubKey) != addr(d.Provider) || !sig.Verify(m.PubKey, ServedChunkDomain, m.Served, m.Signature) {
		return ledger.Errorf(CodeBadServedSignature, "the chunk statement is not signed by deal %d's provider %s", d.Id, addr(d.Provider))
	}
	var s storagev1.ServedChunk
	if e := ledger.Unmarshal("a chunk statement", m.Served, &s); e != nil {
		return e
	}
	if s.ChainId != ctx.ChainID || !bytes.Equal(s.Cid, d.Cid) || s.Shard != d.Shard || s.Height > ctx.Height {
		return ledger.Errorf(CodeServedMismatch, "the chunk statement (chain %q, shard %d, height %d) is not about deal %d's shard %d on this chain before height %d",
			s.ChainId, s.Shard, s.Height, d.Id, d.Shard, ctx.Height)
	}
	if age := params.Get(st, ReportMaxAge); uint64(ctx.Height-s.Height) > age {
		return ledger.Errorf(CodeReportExpired, "the chunk statement of height %d is older than %d blocks", s.Height, age)
	}
	leaf := uint64(d.LeafSize)
	if leaf == 0 || len(m.Chunk) > MaxChunkBytes(int(d.LeafSize)) || uint64(len(m.TrueLeaf)) > leaf || len(m.Path) > MaxPath {
		return ledger.Errorf(ledger.CodeTooLarge, "a chunk of %d bytes, a leaf of %d or a path of %d hashes (deal %d has %d-byte leaves, chunks of at most %d bytes)",
			len(m.Chunk), len(m.TrueLeaf), len(m.Path), d.Id, d.LeafSize, MaxChunkBytes(int(d.LeafSize)))
	}
	if h := sha256.Sum256(m.Chunk); !bytes.Equal(h[:], s.ChunkHash) {
		return ledger.Errorf(CodeChunkHashMismatch, "the chunk hashes to %x, the provider signed %x", h[:], s.ChunkHash)
	}
	leaves := d.ShardSize / leaf
	inChunk := (uint64(len(m.Chunk)) + leaf - 1) / leaf
	if m.Leaf < s.FirstLeaf || m.Leaf-s.FirstLeaf >= inChunk || m.Leaf >= leaves {
		return ledger.Errorf(CodeLeafNotInChunk, "leaf %d is not in the chunk of leaves [%d, %d) or not in deal %d's %d leaves",
			m.Leaf, s.FirstLeaf, s.FirstLeaf+inChunk, d.Id, leaves)
	}
	path := make([]merkle.Hash, len(m.Path))
	for j, h := range m.Path {
		if len(h) != merkle.HashLen {
			return ledger.Errorf(ledger.CodeMalformed, "path hash %d has %d bytes", j, len(h))
		}
		path[j] = merkle.Hash(h)
	}
	if len(m.TrueLeaf) != int(leaf) || !VerifyLeaf(merkle.Hash(d.Root), leaves, m.Leaf, m.TrueLeaf, path) {
		return ledger.Errorf(CodeBadTrueLeaf, "the true leaf %d and its path do not verify against deal %d's root", m.Leaf, d.Id)
	}
	off := (m.Leaf - s.FirstLeaf) * leaf
	if bytes.Equal(m.Chunk[off:min(off+leaf, uint64(len(m.Chunk)))], m.TrueLeaf) {
		return ledger.Errorf(CodeDownloadNotFaulty, "the provider served leaf %d of deal %d as committed: nothing to report", m.Leaf, d.Id)
	}
	if e := oncePerPeriod(ctx, d, s.Height); e != nil {
		return e
	}
	ctx.Emit("storage.report", ledger.AU64("deal", d.Id), ledger.A("owner", ctx.SignerString()), ledger.A("provider", addr(d.Provider).String()),
		ledger.AU64("served_leaf", m.Leaf), ledger.A("served_chunk_hash", hex.EncodeToString(s.ChunkHash)), ledger.AU64("served_height", uint64(s.Height)))
	return fail(ctx, d, params.Get(st, ReportSlashBps), "corrupt_download")
}
