package main

// Helpers of the fault tests (cluster_test.go, crashloop_test.go): loopback
// ports for a testnet, block and status comparisons across nodes, the
// supply invariant over the JSON queries and the app's own invariants over
// a copy of a node's state, and a fleet of onboarded devices sending signed
// heartbeats to ingest whose acknowledged reports are looked up in the
// segments ingest serves.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/depin-network/depin/agent"
	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/ports"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/stake"
	"github.com/depin-network/depin/internal/store"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
	"google.golang.org/protobuf/proto"
)

// freeBasePort returns a port P such that P+10k+{0,1,2} are free on
// loopback for k < nodes: the layout `depin testnet --base-port P` uses.
// Like freePort's, its ports come from internal/ports, so they are never
// handed out twice in this process.
func freeBasePort(t *testing.T, nodes int) int {
	t.Helper()
	var offsets []int
	for k := range nodes {
		offsets = append(offsets, 10*k, 10*k+1, 10*k+2)
	}
	base, err := ports.Take(offsets, 10*nodes)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// newProcNodeAt is newProcNode with fixed ports: those the testnet wrote
// into the home, which its peers dial.
func newProcNodeAt(t *testing.T, bin, home string, p2p, rpc, api int) *procNode {
	t.Helper()
	n := newProcNode(t, bin, home)
	n.p2p, n.rpc, n.api = p2p, rpc, api
	c, err := client.New(n.rpcURL())
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = procPoll
	n.client = c
	return n
}

// blockMeta is what two nodes must agree on at a height.
type blockMeta struct {
	BlockHash string
	AppHash   string
}

// blockMetas returns the block hash and header app hash of heights
// from..to from CometBFT's /blockchain (at most 20 per request).
func (n *procNode) blockMetas(from, to int64) map[int64]blockMeta {
	n.t.Helper()
	out := make(map[int64]blockMeta, to-from+1)
	for lo := from; lo <= to; lo += 20 {
		hi := min(lo+19, to)
		var r struct {
			Result struct {
				BlockMetas []struct {
					BlockID struct {
						Hash string `json:"hash"`
					} `json:"block_id"`
					Header struct {
						Height  string `json:"height"`
						AppHash string `json:"app_hash"`
					} `json:"header"`
				} `json:"block_metas"`
			} `json:"result"`
		}
		url := fmt.Sprintf("%s/blockchain?minHeight=%d&maxHeight=%d", n.rpcURL(), lo, hi)
		body, status := n.httpGet(url)
		if status != http.StatusOK {
			n.t.Fatalf("%s: got HTTP %d: %.300s", url, status, body)
		}
		if err := json.Unmarshal(body, &r); err != nil {
			n.t.Fatalf("%s: decode: %v: %.300s", url, err, body)
		}
		for _, m := range r.Result.BlockMetas {
			h, err := strconv.ParseInt(m.Header.Height, 10, 64)
			if err != nil || m.BlockID.Hash == "" || m.Header.AppHash == "" {
				n.t.Fatalf("%s: block meta without height or hashes: %+v", url, m)
			}
			out[h] = blockMeta{BlockHash: m.BlockID.Hash, AppHash: m.Header.AppHash}
		}
	}
	for h := from; h <= to; h++ {
		if _, ok := out[h]; !ok {
			n.t.Fatalf("%s: /blockchain has no block %d (asked for %d..%d)\n%s", n.home, h, from, to, n.out.Tail(20))
		}
	}
	return out
}

// agreeOnBlocks checks that every node has the same block hash and app
// hash at every height 1..to, and returns how many heights it compared.
func agreeOnBlocks(t *testing.T, nodes []*procNode, to int64) int64 {
	t.Helper()
	if to < 1 {
		t.Fatalf("agree on blocks: no height to compare (to %d)", to)
	}
	ref := nodes[0].blockMetas(1, to)
	for _, n := range nodes[1:] {
		got := n.blockMetas(1, to)
		for h := int64(1); h <= to; h++ {
			if got[h] != ref[h] {
				t.Fatalf("fork at height %d: %s has block %s app hash %s, %s has block %s app hash %s",
					h, nodes[0].home, ref[h].BlockHash, ref[h].AppHash, n.home, got[h].BlockHash, got[h].AppHash)
			}
		}
	}
	return to
}

// apiStatus is the node's own word on its last commit: GET /v1/status.
func (n *procNode) apiStatus() api.Status {
	n.t.Helper()
	body, status := n.httpGet(n.apiURL() + "/v1/status")
	var st api.Status
	if err := json.Unmarshal(body, &st); status != http.StatusOK || err != nil || st.Height <= 0 || len(st.AppHash) != 64 {
		n.t.Fatalf("GET /v1/status: got HTTP %d %s (%v), want a height and an app hash", status, body, err)
	}
	return st
}

// height returns the node's latest height, or -1 if it does not answer.
func (n *procNode) height() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := n.client.Status(ctx)
	if err != nil {
		return -1
	}
	return st.Height
}

// checkSupplySum checks the supply invariant over the queries: the supply
// total equals the balances of addrs (every account that can hold funds)
// plus the module accounts. It returns the total. The queries read one
// account at a time while the chain goes on (an ingest operator's segment
// commitment moves a fee between two reads), so it reads until two
// readings in a row agree.
func checkSupplySum(t *testing.T, n *procNode, addrs []ledger.Address) uint64 {
	t.Helper()
	var accounts []ledger.Address
	seen := map[ledger.Address]bool{}
	modules := []ledger.Address{bank.FeeCollector, reward.RewardPool, reward.Treasury, stake.BondedPool, stake.UnbondingPool, stake.RewardsPool, gov.Deposits}
	for _, a := range append(append([]ledger.Address(nil), addrs...), modules...) {
		if !seen[a] {
			seen[a] = true
			accounts = append(accounts, a)
		}
	}
	type reading struct {
		balances []uint64
		supply   query.Supply
	}
	read := func() reading {
		var r reading
		for _, a := range accounts {
			var acc query.Account
			n.query("/accounts/"+a.String(), &acc)
			r.balances = append(r.balances, acc.Balance)
		}
		n.query("/supply", &r.supply)
		return r
	}
	r := stableReading(t, read, func(a, b reading) bool { return slices.Equal(a.balances, b.balances) && a.supply == b.supply })
	var sum uint64
	for _, b := range r.balances {
		var ok bool
		if sum, ok = ledger.Add(sum, b); !ok {
			t.Fatalf("%s: balances overflow uint64", n.home)
		}
	}
	s := r.supply
	if s.Total != sum || s.Total != s.Minted-s.Burned {
		t.Errorf("%s: supply invariant: got total %d (minted %d, burned %d), want it to equal the sum of all balances %d", n.home, s.Total, s.Minted, s.Burned, sum)
	}
	return s.Total
}

// stableReading reads until two readings in a row are equal, so that a
// check over several queries does not straddle a block that moved funds
// between them; after ten tries it returns the last reading.
func stableReading[R any](t *testing.T, read func() R, equal func(a, b R) bool) R {
	t.Helper()
	prev := read()
	for i := 0; i < 10; i++ {
		cur := read()
		if equal(prev, cur) {
			return cur
		}
		prev = cur
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the chain kept moving funds through ten readings; checking the last")
	return prev
}

// checkStateOffline copies the state directory of a node that is not
// running (stopped or killed), opens the copy and runs the app's own
// invariant checks (supply = balances, every module's invariants) over it.
// It returns the copy's last committed height and app hash.
func checkStateOffline(t *testing.T, home string) (int64, string) {
	t.Helper()
	src := filepath.Join(home, "data", "state")
	dst := filepath.Join(t.TempDir(), "state")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy state of %s: %v", home, err)
	}
	db, err := store.Open(dst)
	if err != nil {
		t.Fatalf("open state copy of %s: %v", home, err)
	}
	defer db.Close()
	a := chain.New(db)
	h, hash := a.LastCommit()
	if err := a.CheckInvariants(a.Committed()); err != nil {
		t.Errorf("%s: state at height %d: %v", home, h, err)
	}
	return h, strings.ToUpper(hex.EncodeToString(hash))
}

// reportFleet is a set of coverage devices, onboarded through the device
// registry, that send signed heartbeats to ingest. It remembers the leaf
// hash of every report ingest acknowledged.
type reportFleet struct {
	keys []*agent.Key

	mu     sync.Mutex
	nonces []uint64
	acked  map[[32]byte]bool
	sent   int
}

func newReportFleet(tag string, n int) *reportFleet {
	f := &reportFleet{nonces: make([]uint64, n), acked: map[[32]byte]bool{}}
	for i := range n {
		seed := sha256.Sum256([]byte("depin-fault-test/" + tag + "/device/" + strconv.Itoa(i)))
		k, err := agent.KeyFromSeed(seed[:])
		if err != nil {
			panic(err) // a 32-byte seed always makes a key
		}
		f.keys = append(f.keys, k)
	}
	return f
}

// onboard registers every device: maker certifies it, the device binds
// itself to owner, and owner sends the onboarding transaction through n.
func (f *reportFleet) onboard(t *testing.T, n *procNode, chainID string, maker, owner sig.PrivateKey, fee uint64) {
	t.Helper()
	for i, k := range f.keys {
		cert, err := client.Certify(maker, k.PubKey(), "coverage", fmt.Sprintf("FAULT-%04d", i))
		if err != nil {
			t.Fatal(err)
		}
		of, err := client.Bind(sig.KeyFromSeed(k.Seed()), chainID, ledger.AddressOf(sig.PublicOf(owner)), cert)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := of.Msg()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), procCLITimeout)
		_, err = n.client.SignAndSend(ctx, owner, client.Tx{Msgs: []*txv1.Msg{msg}, Fee: fee})
		cancel()
		if err != nil {
			t.Fatalf("onboard device %d: %v\n%s", i, err, n.out.Tail(20))
		}
	}
}

// ackedHashes returns the acknowledged reports' leaf hashes.
func (f *reportFleet) ackedHashes() [][32]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][32]byte, 0, len(f.acked))
	for h := range f.acked {
		out = append(out, h)
	}
	return out
}

// run sends rounds of per heartbeats from every device to the ingest
// service at url, one attempt per batch, until ctx ends or max reports
// were sent. A batch that fails as a whole (the node died or is starting)
// is not acknowledged; a report ingest refuses for any reason but
// UNAVAILABLE is an error, since every report is well formed and fresh.
func (f *reportFleet) run(ctx context.Context, url string, per, max int) error {
	cfg := agent.DefaultClientConfig()
	cfg.URL, cfg.MaxAttempts, cfg.Timeout = url, 1, 3*time.Second
	c, err := agent.NewClient(cfg, agent.ClientOptions{})
	if err != nil {
		return err
	}
	for sent := 0; sent < max && ctx.Err() == nil; {
		ent, err := c.GetEntropy(ctx)
		if err != nil {
			sleepCtx(ctx, 50*time.Millisecond)
			continue
		}
		batch := make([]*reportv1.SignedReport, 0, per*len(f.keys))
		f.mu.Lock()
		for i, k := range f.keys {
			for range per {
				f.nonces[i]++
				sr, err := agent.SignReport(k, &reportv1.Report{
					PubKey: k.PubKey(), Nonce: f.nonces[i], Timestamp: time.Now().UnixNano(), Entropy: ent.Block.Proto(),
					Kind: "coverage", Type: "heartbeat", Body: mustBody(&coveragev1.Heartbeat{Cell: e2eCellLisbon, Uptime: uint64(f.nonces[i])}),
				})
				if err != nil {
					f.mu.Unlock()
					return err
				}
				batch = append(batch, sr)
			}
		}
		f.sent += len(batch)
		f.mu.Unlock()
		sent += len(batch)
		res, err := c.SubmitBatch(ctx, batch)
		if err != nil {
			sleepCtx(ctx, 50*time.Millisecond)
			continue
		}
		f.mu.Lock()
		for _, r := range res {
			switch {
			case r.Accepted() && len(r.Hash) == 32:
				f.acked[[32]byte(r.Hash)] = true
			case r.Status == ingestv1.Status_STATUS_UNAVAILABLE:
			default:
				f.mu.Unlock()
				return fmt.Errorf("report refused: %s: %s (hash %x)", r.Status, r.Message, r.Hash)
			}
		}
		f.mu.Unlock()
		sleepCtx(ctx, 100*time.Millisecond)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// segmentReader reads the segments an ingest service serves, checks each
// against its listing (file hash, Merkle root, count) and counts every
// record's leaf hash. Segments are immutable, so each is read once.
type segmentReader struct {
	url      string
	oracle   sig.PrivateKey // signs segment requests: segments are private until their epoch ends
	read     map[string]bool
	leaves   map[[32]byte]int
	segments int
}

func newSegmentReader(url string, oracle sig.PrivateKey) *segmentReader {
	return &segmentReader{url: url, oracle: oracle, read: map[string]bool{}, leaves: map[[32]byte]int{}}
}

// refresh reads the segments of epochs 0..last not read yet.
func (r *segmentReader) refresh(last uint64) error {
	for e := uint64(0); e <= last; e++ {
		var l ingest.SegmentListing
		body, err := getBody(fmt.Sprintf("%s/v1/epochs/%d/segments", r.url, e))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(body, &l); err != nil {
			return fmt.Errorf("epoch %d listing: %w: %.200s", e, err, body)
		}
		for _, s := range l.Segments {
			if r.read[s.Hash] {
				continue
			}
			b, err := getSigned(r.url+"/v1/segments/"+s.Hash, r.oracle)
			if err != nil {
				return err
			}
			if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != s.Hash {
				return fmt.Errorf("segment %s: file hashes to %x", s.Hash, sum)
			}
			seg, err := segment.Decode(b)
			if err != nil {
				return fmt.Errorf("segment %s: %w", s.Hash, err)
			}
			if root := segment.Root(seg); hex.EncodeToString(root[:]) != s.MerkleRoot || uint64(len(seg.GetRecords())) != s.Count || seg.GetEpoch() != e {
				return fmt.Errorf("segment %s: root %x, %d records, epoch %d; listed root %s, %d records, epoch %d", s.Hash, root, len(seg.GetRecords()), seg.GetEpoch(), s.MerkleRoot, s.Count, e)
			}
			for _, rec := range seg.GetRecords() {
				r.leaves[merkle.LeafHash(rec)]++
			}
			r.read[s.Hash] = true
			r.segments++
		}
	}
	return nil
}

func getBody(url string) ([]byte, error) { return getSigned(url, nil) }

// getSigned is getBody with an oracle's segment request signature, if key
// is set.
func getSigned(url string, key sig.PrivateKey) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if key != nil {
		ingest.SignSegmentRequest(req, key, time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.200s", url, resp.StatusCode, b)
	}
	return b, nil
}

// currentEpoch returns the reward epoch running on n's chain.
func (n *procNode) currentEpoch() uint64 {
	n.t.Helper()
	var e rewardv1.Epoch
	if err := protojson.Unmarshal(n.abci("/rewards/epochs/current"), &e); err != nil {
		n.t.Fatalf("decode current epoch: %v", err)
	}
	return e.GetNumber()
}

// waitAcked waits until every report f has seen acknowledged is in one
// of the segments the ingest at url serves, and checks that none is in two.
func waitAcked(t *testing.T, n *procNode, r *segmentReader, f *reportFleet, timeout time.Duration) {
	t.Helper()
	acked := f.ackedHashes()
	deadline := time.Now().Add(timeout)
	for {
		err := r.refresh(n.currentEpoch())
		missing := 0
		if err == nil {
			for _, h := range acked {
				if r.leaves[h] == 0 {
					missing++
				}
			}
			if missing == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged reports not in any of %d segments after %s (last error %v)\n%s", missing, len(acked), r.segments, timeout, err, n.out.Tail(30))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, h := range acked {
		if c := r.leaves[h]; c != 1 {
			t.Errorf("acknowledged report %x is in %d segment records, want exactly 1", h[:8], c)
		}
	}
}

// lookupTx looks a transaction up in a node's index.
func lookupTx(ctx context.Context, c *client.Client, hash string) (query.Tx, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rec, err := c.Tx(ctx, hash)
	if errors.Is(err, client.ErrTxNotFound) {
		return rec, false, nil
	}
	return rec, err == nil, err
}

// waitClientHeight polls a node until its height reaches h.
func waitClientHeight(ctx context.Context, c *client.Client, h int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last client.Status
	var err error
	for ctx.Err() == nil {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		last, err = c.Status(sctx)
		cancel()
		if err == nil && last.Height >= h {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not reach height %d within %s (at %d, last error %v)", c.URL(), h, timeout, last.Height, err)
		}
		sleepCtx(ctx, procPoll)
	}
	return ctx.Err()
}

// maxHeight returns the highest height among nodes that answer.
func maxHeight(nodes ...*procNode) int64 {
	var h int64
	for _, n := range nodes {
		h = max(h, n.height())
	}
	return h
}

// sameAppHash checks each node's own last app hash (GET /v1/status)
// against the app hash the next block's header carries on ref.
func sameAppHash(t *testing.T, ref *procNode, nodes ...*procNode) {
	t.Helper()
	for _, n := range nodes {
		st := n.apiStatus()
		ref.waitHeight(st.Height+1, clusterProgress)
		if got := ref.blockAppHash(st.Height + 1); !strings.EqualFold(got, st.AppHash) {
			t.Errorf("%s: app hash at height %d is %s, but block %d on %s commits to %s", n.home, st.Height, st.AppHash, st.Height+1, ref.home, got)
		}
	}
}

// waitHalted waits until no node's height moved for clusterQuiet and
// returns the heights.
func waitHalted(t *testing.T, nodes ...*procNode) []int64 {
	t.Helper()
	deadline := time.Now().Add(clusterHaltWait)
	last := make([]int64, len(nodes))
	since := time.Now()
	for {
		moved := false
		for i, n := range nodes {
			if h := n.height(); h != last[i] {
				last[i], moved = h, true
			}
		}
		if moved {
			since = time.Now()
		} else if time.Since(since) >= clusterQuiet {
			return last
		}
		if time.Now().After(deadline) {
			t.Fatalf("chain did not halt within %s with half the validators stopped: heights %v\n%s", clusterHaltWait, last, nodes[0].out.Tail(20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mustBody encodes a report body.
func mustBody(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}
