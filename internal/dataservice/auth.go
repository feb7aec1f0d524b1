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

// nonces remembers the nonces seen within the request window, per key.
type nonces struct {
	mu   sync.Mutex
	seen map[string]int64 // key|nonce -> request time
}

// use records a nonce, false if it was seen; it forgets nonces older than
// cutoff.
func (n *nonces) use(id string, t, cutoff int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.seen) > 100_000 {
		for k, v := range n.seen {
			if v < cutoff {
				delete(n.seen, k)
			}
		}
	}
	if _, ok := n.seen[id]; ok {
		return false
	}
	n.seen[id] = t
	return true
}

// authenticate checks a request's signature, time and nonce and returns
// the signer's address, or why not.
func (s *Service) authenticate(r *http.Request) (ledger.Address, string) {
	keyHex, ts, nonce, sigHex := r.Header.Get(HeaderKey), r.Header.Get(HeaderTime), r.Header.Get(HeaderNonce), r.Header.Get(HeaderSignature)
	if keyHex == "" || ts == "" || nonce == "" || sigHex == "" {
		return ledger.Address{}, "unsigned request"
	}
	pub, err1 := hex.DecodeString(keyHex)
	signature, err2 := hex.DecodeString(sigHex)
	t, err3 := strconv.ParseInt(ts, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || len(pub) != 32 || len(nonce) > 64 {
		return ledger.Address{}, "malformed signature headers"
	}
	now := s.now().UnixNano()
	if d := now - t; d > int64(s.cfg.RequestWindow) || -d > int64(s.cfg.RequestWindow) {
		return ledger.Address{}, "request time outside the window"
	}
	if !sig.Verify(pub, Domain, requestBytes(r.Method, r.URL.RequestURI(), t, nonce), signature) {
		return ledger.Address{}, "bad signature"
	}
	if !s.nonces.use(keyHex+"|"+nonce, t, now-int64(s.cfg.RequestWindow)) {
		return ledger.Address{}, "replayed request"
	}
	return ledger.AddressOf(pub), ""
}
