package storage

import (
	"bytes"
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
// sign what it serves: it hashes the bytes as they go out and sends the
// statement in the trailers below (the careful path of a get asks; the
// streamed path, which checks AEAD tags instead of roots, does not, so it
// keeps the provider's zero-copy send).
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
	period := int64(params.Get(st, ProofPeriod))
	if d.ReportsUpheld > 0 && s.Height/period <= d.LastReportHeight/period {
		return ledger.Errorf(CodeAlreadyReported, "deal %d has an upheld report from height %d; one counts per %d-block period",
			d.Id, d.LastReportHeight, period)
	}
	d.ReportsUpheld++
	d.LastReportHeight = s.Height
	ctx.Emit("storage.report", ledger.AU64("deal", d.Id), ledger.A("owner", ctx.SignerString()), ledger.A("provider", addr(d.Provider).String()),
		ledger.A("served_root", hex.EncodeToString(s.Root)), ledger.AU64("served_size", s.Size), ledger.AU64("served_height", uint64(s.Height)))
	return fail(ctx, d, params.Get(st, ReportSlashBps), "corrupt_download")
}
