package dataservice

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// Request headers of a signed data request.
const (
	HeaderKey       = "Depin-Key"
	HeaderTime      = "Depin-Time"
	HeaderNonce     = "Depin-Nonce"
	HeaderSignature = "Depin-Signature"
)

// Domain separates data request signatures from every other signature.
const Domain = "depin/data/v1"

// requestBytes is what a grantee signs.
func requestBytes(method, uri string, unixNano int64, nonce string) []byte {
	return fmt.Appendf(nil, "%s %s\n%d\n%s", method, uri, unixNano, nonce)
}

// SignRequest signs req as made at now with a fresh nonce.
func SignRequest(req *http.Request, key sig.PrivateKey, now time.Time, nonce string) {
	t := now.UnixNano()
	req.Header.Set(HeaderKey, hex.EncodeToString(sig.PublicOf(key)))
	req.Header.Set(HeaderTime, strconv.FormatInt(t, 10))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderSignature, hex.EncodeToString(sig.Sign(key, Domain, requestBytes(req.Method, req.URL.RequestURI(), t, nonce))))
}

// ErrReplayCacheFull is the refusal text (HTTP 429) when the replay cache
// holds MaxNonces live nonces: the caller retries after the request window.
const ErrReplayCacheFull = "replay cache full, retry later"

// ErrGranteeShareFull is the refusal text (HTTP 429) when the signer holds
// its fair share of the replay cache (MaxNoncesPerGrantee live nonces):
// that grantee retries after the request window; others are not affected.
const ErrGranteeShareFull = "replay cache share of this grantee full, retry later"

// nonceUse is what recording a nonce did.
type nonceUse int

const (
	nonceRecorded  nonceUse = iota
	nonceReplayed           // seen before: nothing recorded
	nonceShareFull          // the grantee holds its share: nothing recorded
	nonceCacheFull          // the cache holds its maximum: nothing recorded
)

// nonces remembers the nonces seen within the request window, per key,
// at most max of them and at most perGrantee of one grantee's, so that no
// grantee can fill the cache and lock the others out (the signer is known
// to hold a grant before its nonce is recorded; see authorize). A nonce is
// never evicted before its expiry: an evicted nonce could be replayed.
// Entries leave in insertion order once their expiry (insertion time plus
// twice the request window, which outlives every request time the window
// accepts) has passed, so pruning is amortised O(1) and memory is bounded
// by max.
type nonces struct {
	mu         sync.Mutex
	max        int
	perGrantee int
	seen       map[string]struct{}
	held       map[ledger.Address]int // live nonces per grantee
	queue      []nonceEntry           // insertion order
}

type nonceEntry struct {
	id      string
	grantee ledger.Address
	expiry  int64
}

func newNonces(max, perGrantee int) nonces {
	return nonces{max: max, perGrantee: perGrantee, seen: map[string]struct{}{}, held: map[ledger.Address]int{}}
}

// use records grantee's nonce id at now, kept until now+keep, unless it
// is a replay or the grantee's share or the whole cache is full.
func (n *nonces) use(grantee ledger.Address, id string, now, keep int64) nonceUse {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := 0
	for i < len(n.queue) && n.queue[i].expiry < now {
		e := n.queue[i]
		delete(n.seen, e.id)
		if n.held[e.grantee]--; n.held[e.grantee] == 0 {
			delete(n.held, e.grantee)
		}
		i++
	}
	if i > 0 {
		n.queue = append(n.queue[:0:0], n.queue[i:]...)
	}
	switch _, dup := n.seen[id]; {
	case dup:
		return nonceReplayed
	case len(n.seen) >= n.max:
		return nonceCacheFull
	case n.held[grantee] >= n.perGrantee:
		return nonceShareFull
	}
	n.seen[id] = struct{}{}
	n.held[grantee]++
	n.queue = append(n.queue, nonceEntry{id: id, grantee: grantee, expiry: now + keep})
	return nonceRecorded
}

// size is the number of remembered nonces.
func (n *nonces) size() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.seen)
}

// heldBy is the number of remembered nonces of one grantee.
func (n *nonces) heldBy(grantee ledger.Address) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.held[grantee]
}

// signed is an authenticated request whose nonce is not yet recorded.
type signed struct {
	addr  ledger.Address
	nonce string // key|nonce
}

// authenticate checks a request's signature and time and returns the
// signer, or why not. It records nothing: the nonce is recorded by
// useNonce only once the signer is known to hold a grant, so a throw-away
// key cannot fill the replay cache.
func (s *Service) authenticate(r *http.Request) (signed, string) {
	keyHex, ts, nonce, sigHex := r.Header.Get(HeaderKey), r.Header.Get(HeaderTime), r.Header.Get(HeaderNonce), r.Header.Get(HeaderSignature)
	if keyHex == "" || ts == "" || nonce == "" || sigHex == "" {
		return signed{}, "unsigned request"
	}
	pub, err1 := hex.DecodeString(keyHex)
	signature, err2 := hex.DecodeString(sigHex)
	t, err3 := strconv.ParseInt(ts, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || len(pub) != 32 || len(nonce) > 64 {
		return signed{}, "malformed signature headers"
	}
	now := s.now().UnixNano()
	if d := now - t; d > int64(s.cfg.RequestWindow) || -d > int64(s.cfg.RequestWindow) {
		return signed{}, "request time outside the window"
	}
	if !sig.Verify(pub, Domain, requestBytes(r.Method, r.URL.RequestURI(), t, nonce), signature) {
		return signed{}, "bad signature"
	}
	return signed{addr: ledger.AddressOf(pub), nonce: keyHex + "|" + nonce}, ""
}

// useNonce records an authenticated request's nonce: the HTTP status and
// reason if it is refused (401 replayed, 429 share or cache full), else 0.
func (s *Service) useNonce(req signed) (int, string) {
	switch s.nonces.use(req.addr, req.nonce, s.now().UnixNano(), 2*int64(s.cfg.RequestWindow)) {
	case nonceReplayed:
		return http.StatusUnauthorized, "replayed request"
	case nonceShareFull:
		return http.StatusTooManyRequests, ErrGranteeShareFull
	case nonceCacheFull:
		return http.StatusTooManyRequests, ErrReplayCacheFull
	}
	return 0, ""
}
