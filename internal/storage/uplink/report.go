package uplink

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// corruptShard is a download whose bytes do not match the shard's root,
// with the report of it when the provider signed what it served.
type corruptShard struct {
	err    error
	report *storagev1.MsgReport
}

func (c *corruptShard) Error() string { return c.err.Error() }
func (c *corruptShard) Unwrap() error { return c.err }

func reportOf(err error) *storagev1.MsgReport {
	var c *corruptShard
	if errors.As(err, &c) {
		return c.report
	}
	return nil
}

// evidence reads the rest of a corrupt download up to its trailers and
// returns the report of it: the provider's signed Served statement, when
// its signature holds under the provider's key and it states exactly the
// root and size of the bytes received (in f) for this content id and
// shard. A provider that signed something else, or nothing, served bytes
// the client cannot prove wrong on chain: nil.
func (u *Uplink) evidence(resp *http.Response, f *os.File, m *content.Manifest, cid content.CID, h holder) *storagev1.MsgReport {
	// The trailers come after the body.
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)); err != nil {
		return nil
	}
	enc := base64.StdEncoding
	raw, err1 := enc.DecodeString(resp.Trailer.Get(storage.ServedTrailer))
	sg, err2 := enc.DecodeString(resp.Trailer.Get(storage.ServedSigTrailer))
	pub, err3 := enc.DecodeString(resp.Trailer.Get(storage.ServedKeyTrailer))
	prov, err4 := ledger.ParseAddress(h.provider)
	if errors.Join(err1, err2, err3, err4) != nil || len(raw) == 0 || ledger.AddressOf(pub) != prov || !sig.Verify(pub, storage.ServedDomain, raw, sg) {
		u.log.Warn("a corrupt download without a valid signed statement: not reportable", "provider", h.provider, "deal", h.deal)
		return nil
	}
	var s storagev1.Served
	if err := proto.Unmarshal(raw, &s); err != nil || !bytes.Equal(s.Cid, cid[:]) || int(s.Shard) != h.shard {
		return nil
	}
	// What the client received: the bytes in f, as far as it read.
	hs := storage.NewLeafHasher(int(m.LeafSize))
	if _, err := io.Copy(hs, io.NewSectionReader(f, 0, int64(m.ShardSize())+1)); err != nil {
		return nil
	}
	root, size := hs.Sum()
	if !bytes.Equal(s.Root, root[:]) || s.Size != size {
		u.log.Warn("the provider's signed statement is not what it sent: not reportable", "provider", h.provider, "deal", h.deal)
		return nil
	}
	return &storagev1.MsgReport{Deal: h.deal, Served: raw, PubKey: pub, Signature: sg}
}

// report sends the on-chain report of every corrupt download that has one
// (the owner's key signs it; only a deal's owner may report). The chain
// slashes the provider and counts it against its reputation
// (corrupt_download), once per deal per proof period.
func (u *Uplink) report(ctx context.Context, bad []BadShard) {
	if u.key == nil {
		return
	}
	for i := range bad {
		b := &bad[i]
		if b.Report == nil {
			continue
		}
		_, err := u.send(ctx, storage.TypeReport, b.Report)
		b.Reported, b.ReportErr = err == nil, err
		u.log.Warn("reported a corrupt download on chain", "provider", b.Provider, "deal", b.Deal, "shard", b.Shard, "err", err)
	}
}
