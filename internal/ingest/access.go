package ingest

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/sig"
)

// Segments hold beacons, whose payload is secret until heard: a device that
// could read a beacon before its witness window closed could witness it
// without hearing it (issue 19: a device 25 km away polled the segment feed
// and earned from forged witnesses). So GET /v1/segments/{hash} serves a
// segment of epoch n to anyone only once the chain has moved past epoch n
// and Config.SegmentPublicGrace has passed since ingest saw it do so (replay
// by anyone runs after settlement, later still). Before that, only
// registered oracles may read it, with a signed request: the headers below
// carry the oracle's public key, the request time and an ed25519 signature
// under SegmentRequestDomain over "METHOD PATH\n" + the time, checked
// against the chain's oracle set (Deps.Oracles) and within
// oracleRequestWindow of ingest's clock. The epoch listing
// (GET /v1/epochs/{n}/segments) stays public: it holds hashes and counts,
// which the chain holds too.

// SegmentRequestDomain is the signature domain of an oracle's segment
// request.
const SegmentRequestDomain = "depin/ingest/segment-request/v1"

// Headers of a signed segment request.
const (
	HeaderOracleKey       = "Depin-Oracle-Key"       // hex ed25519 public key
	HeaderOracleTime      = "Depin-Oracle-Time"      // Unix nanoseconds
	HeaderOracleSignature = "Depin-Oracle-Signature" // hex signature
)

// oracleRequestWindow bounds how far a signed request's time may be from
// ingest's clock.
const oracleRequestWindow = time.Minute

// Oracles answers whether a public key belongs to the chain's oracle set.
// The node implements it from chain state. It must be safe for concurrent
// use.
type Oracles interface {
	IsOracle(pub []byte) bool
}

// segmentRequestBytes is what an oracle signs for a request.
func segmentRequestBytes(method, path string, unixNano int64) []byte {
	return fmt.Appendf(nil, "%s %s\n%d", method, path, unixNano)
}

// SignSegmentRequest signs req as an oracle's segment request made at now.
func SignSegmentRequest(req *http.Request, key sig.PrivateKey, now time.Time) {
	t := now.UnixNano()
	req.Header.Set(HeaderOracleKey, hex.EncodeToString(sig.PublicOf(key)))
	req.Header.Set(HeaderOracleTime, strconv.FormatInt(t, 10))
	req.Header.Set(HeaderOracleSignature, hex.EncodeToString(sig.Sign(key, SegmentRequestDomain, segmentRequestBytes(req.Method, req.URL.EscapedPath(), t))))
}

// oracleRequest checks r's oracle signature: "" if it is a registered
// oracle's, else why not. A request without the headers is anonymous.
func (s *Service) oracleRequest(r *http.Request) string {
	keyHex := r.Header.Get(HeaderOracleKey)
	if keyHex == "" {
		return "the request is not signed by an oracle"
	}
	pub, err := hex.DecodeString(keyHex)
	if err != nil || len(pub) != sig.PubKeyLen {
		return "the oracle key header is not a hex ed25519 public key"
	}
	t, err := strconv.ParseInt(r.Header.Get(HeaderOracleTime), 10, 64)
	if err != nil {
		return "the oracle time header is not Unix nanoseconds"
	}
	if d := absDiff(t, s.deps.Now().UnixNano()); d > int64(oracleRequestWindow) {
		return fmt.Sprintf("the signed request is %s from ingest's clock, more than %s", time.Duration(d), oracleRequestWindow)
	}
	signature, err := hex.DecodeString(r.Header.Get(HeaderOracleSignature))
	if err != nil || !sig.Verify(pub, SegmentRequestDomain, segmentRequestBytes(r.Method, r.URL.EscapedPath(), t), signature) {
		return "the oracle signature does not verify"
	}
	if s.deps.Oracles == nil || !s.deps.Oracles.IsOracle(pub) {
		return fmt.Sprintf("key %x is not in the chain's oracle set", pub)
	}
	return ""
}

// epochClock remembers when ingest saw the chain leave each epoch, to
// time the publication of segments.
type epochClock struct {
	mu      sync.Mutex
	current uint64
	seen    bool
	// left[i] says that every epoch below left[i].upTo had ended by
	// left[i].at; upTo grows with i.
	left []epochLeft
}

type epochLeft struct {
	upTo uint64
	at   time.Time
}

// observe records the chain's current epoch at now.
func (c *epochClock) observe(current uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.seen:
		// After a start, earlier epochs count as ended now: a restart
		// delays their publication by a grace, never advances it.
		c.seen, c.current = true, current
		if current > 0 {
			c.left = append(c.left, epochLeft{upTo: current, at: now})
		}
	case current > c.current:
		c.current = current
		c.left = append(c.left, epochLeft{upTo: current, at: now})
	}
}

// publicAt returns when segments of epoch n become public (the zero time
// and false while epoch n has not ended).
func (c *epochClock) publicAt(n uint64, grace time.Duration) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.left {
		if n < l.upTo {
			return l.at.Add(grace), true
		}
	}
	return time.Time{}, false
}

// segmentAccess says whether r may read a segment of epoch n now: "" if
// so, else why not.
func (s *Service) segmentAccess(r *http.Request, n uint64) string {
	now := s.deps.Now()
	s.epochs.observe(s.deps.Epochs.Epoch(s.deps.Entropy.Height()), now)
	if at, ok := s.epochs.publicAt(n, s.cfg.SegmentPublicGrace); ok && !now.Before(at) {
		return ""
	}
	why := s.oracleRequest(r)
	if why == "" {
		return ""
	}
	return fmt.Sprintf("segments of epoch %d hold beacons and are public %s after the epoch ends; until then only oracles read them, with signed requests: %s",
		n, s.cfg.SegmentPublicGrace, why)
}

// watchEpochs observes the chain's epoch every second until ctx ends, so
// that an epoch's end is timed when it happens rather than at the first
// request after it.
func (s *Service) watchEpochs(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		s.epochs.observe(s.deps.Epochs.Epoch(s.deps.Entropy.Height()), s.deps.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
