package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// holder is one provider keeping one shard.
type holder struct {
	shard    int
	provider string
	host     string
	deal     uint64
}

// holders lists the providers of a content id's open deals, by shard.
func (u *Uplink) holders(ctx context.Context, cid content.CID) ([]holder, error) {
	ds, err := u.Deals(ctx, cid)
	if err != nil {
		return nil, err
	}
	var out []holder
	for _, d := range ds {
		if d.State != "active" {
			continue
		}
		host, err := u.hostOf(ctx, d.Provider)
		if err != nil {
			continue
		}
		out = append(out, holder{shard: int(d.Shard), provider: d.Provider, host: host, deal: d.ID})
	}
	return out, nil
}

// manifest fetches the manifest from the first holder whose copy hashes to
// the content id.
func (u *Uplink) manifest(ctx context.Context, cid content.CID, hs []holder) (*content.Manifest, error) {
	var errs []error
	for _, h := range hs {
		b, err := u.fetch(ctx, h.host+"/v1/manifests/"+cid.String(), 64<<10)
		if err == nil {
			var m *content.Manifest
			if m, err = content.MatchesCID(b, cid); err == nil {
				return m, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", h.provider, err))
	}
	return nil, fmt.Errorf("no provider served the manifest of %s: %w", cid, errors.Join(errs...))
}

func (u *Uplink) fetch(ctx context.Context, url string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := u.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

// BadShard is a provider that served bytes not matching the shard's root,
// or a chunk without a valid signed statement (ErrUnsignedChunk).
type BadShard struct {
	Provider string
	Deal     uint64
	Shard    int
	Err      error
	// Report is the on-chain report of the download, when a signed chunk
	// of it can be shown wrong against the true shard (nil otherwise);
	// ReportErr says why the chain refused it, when it did.
	Report    *storagev1.MsgReport
	Reported  bool
	ReportErr error
}

// fetchShards downloads shards in parallel as signed chunks until want of
// them check out against their roots (one per shard index), into temporary
// files. It returns the readers by shard index (nil where missing), the
// providers that served wrong or unsigned bytes (with the report of each
// signed wrong chunk, proven from the true shard), and a cleanup.
func (u *Uplink) fetchShards(ctx context.Context, m *content.Manifest, cid content.CID, hs []holder, want int) ([]io.ReaderAt, []BadShard, []holder, func(), error) {
	// Statements name the chain; an Uplink without one (tools, tests)
	// expects those of a provider without one (no chain id).
	var st client.Status
	if u.chain != nil {
		var err error
		if st, err = u.chain.Status(ctx); err != nil {
			return nil, nil, nil, func() {}, fmt.Errorf("the chain's id: %w", err)
		}
	}
	files := make([]*os.File, m.N)
	var kept []*served
	cleanup := func() {
		for _, f := range files {
			if f != nil {
				f.Close()
				os.Remove(f.Name())
			}
		}
	}
	var mu sync.Mutex
	good := 0
	var bad []BadShard
	var served []holder
	var wg sync.WaitGroup
	// want workers take the holders in order, so the first want holders
	// are always tried (Get puts the ones its streamed path used first).
	queue := make(chan holder, len(hs))
	for _, h := range hs {
		queue <- h
	}
	close(queue)
	for range max(want, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range queue {
				mu.Lock()
				skip := good >= want || files[h.shard] != nil
				mu.Unlock()
				if skip {
					continue
				}
				f, err := u.fetchShard(ctx, m, cid, st.ChainID, h)
				mu.Lock()
				if err != nil {
					if errors.Is(err, content.ErrRootMismatch) || errors.Is(err, ErrUnsignedChunk) {
						u.log.Warn("provider served a corrupt or unsigned shard", "provider", h.provider, "deal", h.deal, "shard", h.shard, "err", err)
						bad = append(bad, BadShard{Provider: h.provider, Deal: h.deal, Shard: h.shard, Err: err})
						kept = append(kept, servedOf(err))
					} else {
						u.log.Info("shard download failed", "provider", h.provider, "shard", h.shard, "err", err)
					}
				} else if files[h.shard] != nil || good >= want {
					f.Close()
					os.Remove(f.Name())
				} else {
					files[h.shard] = f
					served = append(served, h)
					good++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	readers := make([]io.ReaderAt, m.N)
	for i, f := range files {
		if f != nil {
			readers[i] = f
		}
	}
	// Prove each signed corrupt download against the true shard (rebuilt
	// from the good ones when there are enough).
	whole := readers
	if good < m.K {
		whole = nil
	}
	for i, s := range kept {
		if s != nil {
			bad[i].Report = u.prove(ctx, m, whole, s)
			s.close()
		}
	}
	if good < want {
		cleanup()
		return nil, bad, nil, func() {}, fmt.Errorf("%d good shards of %d needed: %w", good, want, content.ErrTooFewShards)
	}
	return readers, bad, served, cleanup, nil
}

// Get fetches a file by content id and writes it to out (through a
// temporary file renamed into place, so out is whole or absent). It
// returns the providers that served corrupt shards.
//
// It first streams K shards (data shards first, so no reconstruction is
// needed) straight into the decoder, each checked against its root as it
// arrives; if any of them fails or does not match, it starts over the
// careful way: shards into temporary files one by one until K check out,
// skipping and reporting the providers that served wrong bytes.
func (u *Uplink) Get(ctx context.Context, cid content.CID, out string) ([]BadShard, error) {
	hs, err := u.holders(ctx, cid)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", cid, err)
	}
	m, err := u.manifest(ctx, cid, hs)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	bad, served, err := u.download(ctx, m, hs, out)
	u.report(ctx, bad)
	if err != nil {
		return bad, fmt.Errorf("get %s: %w", cid, err)
	}
	if err := u.payEgress(ctx, served, m.ShardSize()); err != nil {
		u.log.Info("egress receipts", "err", err)
	}
	return bad, nil
}

// download writes the file of m to out from the holders hs: the streamed
// path first, the careful one if it fails. It returns the providers that
// served corrupt shards and those whose shards were used.
func (u *Uplink) download(ctx context.Context, m *content.Manifest, hs []holder, out string) ([]BadShard, []holder, error) {
	tmp, err := os.CreateTemp(dirOf(out), ".depin-get-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	var bad []BadShard
	served, err := streamGet(ctx, u.http, m, u.master, hs, tmp)
	if err != nil {
		u.log.Info("streamed get failed, fetching shards one by one", "cid", m.CID(), "err", err)
		if err := rewind(tmp); err != nil {
			return nil, nil, err
		}
		// The shards the streamed path used come first: one of them failed.
		var readers []io.ReaderAt
		var cleanup func()
		readers, bad, served, cleanup, err = u.fetchShards(ctx, m, m.CID(), suspectsFirst(m, hs), m.K)
		defer cleanup()
		if err != nil {
			return bad, nil, err
		}
		if err := content.Decode(m, u.master, readers, tmp); err != nil {
			return bad, nil, err
		}
	}
	if err := tmp.Close(); err != nil {
		return bad, nil, err
	}
	return bad, served, os.Rename(tmp.Name(), out)
}

// suspectsFirst orders holders as streamGet picks them (one per shard,
// lowest shards first), then the others.
func suspectsFirst(m *content.Manifest, hs []holder) []holder {
	first, rest := pickStreams(m, hs)
	return append(first, rest...)
}

// pickStreams picks one holder for each of the K lowest shards at hand;
// rest is every other holder, in order.
func pickStreams(m *content.Manifest, hs []holder) (use, rest []holder) {
	var firstOf []int
	byShard := map[int]int{}
	for j, h := range hs {
		if _, ok := byShard[h.shard]; !ok && h.shard >= 0 && h.shard < m.N {
			byShard[h.shard] = j
			firstOf = append(firstOf, h.shard)
		}
	}
	slices.Sort(firstOf)
	picked := map[int]bool{}
	for _, s := range firstOf {
		if len(use) == m.K {
			break
		}
		use = append(use, hs[byShard[s]])
		picked[byShard[s]] = true
	}
	for j, h := range hs {
		if !picked[j] {
			rest = append(rest, h)
		}
	}
	return use, rest
}

// StreamGet is the streamed path of Get without the chain, for benchmarks
// and tools: it downloads shard i from hosts[i] ("" where no provider has
// it) for the K lowest shards at hand and decodes them into w as they
// stream, each checked against its root (content.DecodeStreams: w gets
// bytes before the last check, so write to a temporary).
func StreamGet(ctx context.Context, hc *http.Client, m *content.Manifest, master []byte, hosts []string, w io.Writer) error {
	var hs []holder
	for i, h := range hosts {
		if h != "" {
			hs = append(hs, holder{shard: i, provider: h, host: h})
		}
	}
	_, err := streamGet(ctx, hc, m, master, hs, w)
	return err
}

// streamGet downloads one holder's shard for each of the K lowest shard
// indexes at hand, in parallel, and decodes them into w as they stream
// (content.DecodeStreams checks each against its root). It returns the
// holders that served.
func streamGet(ctx context.Context, hc *http.Client, m *content.Manifest, master []byte, hs []holder, w io.Writer) ([]holder, error) {
	use, _ := pickStreams(m, hs)
	if len(use) < m.K {
		return nil, fmt.Errorf("%d shards held, %d needed: %w", len(use), m.K, content.ErrTooFewShards)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cid := m.CID()
	bodies := make([]io.ReadCloser, len(use))
	errs := make([]error, len(use))
	var wg sync.WaitGroup
	for j, h := range use {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[j], errs[j] = openShard(ctx, hc, cid, h)
		}()
	}
	wg.Wait()
	defer func() {
		for _, b := range bodies {
			if b != nil {
				b.Close()
			}
		}
	}()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	streams := make([]io.Reader, m.N)
	for j, h := range use {
		streams[h.shard] = bodies[j]
	}
	if err := content.DecodeStreams(m, master, streams, w); err != nil {
		return nil, err
	}
	return use, nil
}

// openShard starts the download of a holder's shard.
func openShard(ctx context.Context, hc *http.Client, cid content.CID, h holder) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.host+"/v1/shards/"+cid.String()+"/"+strconv.Itoa(h.shard), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("shard %d from %s: %w", h.shard, h.provider, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("shard %d from %s: %s", h.shard, h.provider, resp.Status)
	}
	return resp.Body, nil
}

// rewind empties a file for a new attempt.
func rewind(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i+1]
		}
	}
	return "."
}

// Status is where a file's shards are.
type Status struct {
	CID   string             `json:"cid"`
	Deals []storage.DealView `json:"deals"`
	Live  int                `json:"live_shards"`
	K     int                `json:"k,omitempty"`
	N     int                `json:"n,omitempty"`
	Size  uint64             `json:"size,string,omitempty"`
}

// Status reports a file's deals and how many shards are live; the layout
// comes from a provider's manifest when one answers.
func (u *Uplink) Status(ctx context.Context, cid content.CID) (Status, error) {
	ds, err := u.Deals(ctx, cid)
	if err != nil {
		return Status{}, err
	}
	st := Status{CID: cid.String(), Deals: ds}
	live := map[uint32]bool{}
	for _, d := range ds {
		if d.State == "active" {
			live[d.Shard] = true
		}
	}
	st.Live = len(live)
	if hs, err := u.holders(ctx, cid); err == nil {
		if m, err := u.manifest(ctx, cid, hs); err == nil {
			st.K, st.N, st.Size = m.K, m.N, m.Size
		}
	}
	return st, nil
}
