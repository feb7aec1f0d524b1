package relay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// ReceiptDomain is what consumers sign receipts under (internal/relay).
const ReceiptDomain = "depin/relay/receipt/v1"

// Source serves files and their manifests: GET /files/{name} (with Range)
// and GET /files/{name}.manifest.
type Source struct {
	files map[string][]byte
	mans  map[string]Manifest
}

// NewSource serves the given files in chunks of chunk bytes.
func NewSource(files map[string][]byte, chunk int64) *Source {
	s := &Source{files: files, mans: map[string]Manifest{}}
	for n, b := range files {
		s.mans[n] = BuildManifest(n, b, chunk)
	}
	return s
}

// ServeHTTP serves a file or its manifest.
func (s *Source) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/files/")
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	if base, isMan := strings.CutSuffix(name, ".manifest"); isMan {
		m, ok := s.mans[base]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m)
		return
	}
	b, ok := s.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, name, zeroTime, bytes.NewReader(b))
}

// Relay forwards ranges of a source's files to consumers and collects
// their receipts.
type Relay struct {
	// Source is the base URL of the source (its /files/ paths).
	Source string
	// Addr is the relay's address: receipts must name it.
	Addr ledger.Address
	// ChainID is the chain receipts must name.
	ChainID string
	// HTTP fetches from the source (http.DefaultClient if nil).
	HTTP *http.Client

	mu     sync.Mutex
	latest map[ledger.Address]*relayv1.SignedReceipt
	bytes  map[ledger.Address]uint64
}

// Handler serves GET /relay/{name} and POST /relay/receipts.
func (rl *Relay) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /relay/{name...}", rl.serveRange)
	mux.HandleFunc("POST /relay/receipts", rl.serveReceipt)
	return mux
}

func (rl *Relay) serveRange(w http.ResponseWriter, r *http.Request) {
	hc := rl.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, strings.TrimRight(rl.Source, "/")+"/files/"+r.PathValue("name"), nil)
	if err != nil {
		http.Error(w, "bad name", http.StatusBadRequest)
		return
	}
	if rg := r.Header.Get("Range"); rg != "" {
		req.Header.Set("Range", rg)
	}
	resp, err := hc.Do(req)
	if err != nil {
		http.Error(w, "source unreachable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// serveReceipt takes a consumer's signed cumulative receipt: it must be
// for this relay and chain, signed by its consumer, and above the last one
// held; it replaces it.
func (rl *Relay) serveReceipt(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	sr := new(relayv1.SignedReceipt)
	rc := new(relayv1.Receipt)
	if proto.Unmarshal(body, sr) != nil || proto.Unmarshal(sr.Receipt, rc) != nil {
		http.Error(w, "not a signed receipt", http.StatusBadRequest)
		return
	}
	consumer, err := ledger.AddressFromBytes(rc.Consumer)
	if err != nil || ledger.AddressOf(sr.PubKey) != consumer || !sig.Verify(sr.PubKey, ReceiptDomain, sr.Receipt, sr.Signature) {
		http.Error(w, "the receipt is not signed by its consumer", http.StatusForbidden)
		return
	}
	if relay, err := ledger.AddressFromBytes(rc.Relay); err != nil || relay != rl.Addr || rc.ChainId != rl.ChainID {
		http.Error(w, "the receipt is for another relay or chain", http.StatusForbidden)
		return
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rc.Bytes <= rl.bytes[consumer] {
		http.Error(w, fmt.Sprintf("the receipt's %d bytes are not above %d", rc.Bytes, rl.bytes[consumer]), http.StatusConflict)
		return
	}
	if rl.latest == nil {
		rl.latest, rl.bytes = map[ledger.Address]*relayv1.SignedReceipt{}, map[ledger.Address]uint64{}
	}
	rl.latest[consumer], rl.bytes[consumer] = sr, rc.Bytes
	w.WriteHeader(http.StatusNoContent)
}

// Latest returns the latest receipt of every consumer, in address order.
func (rl *Relay) Latest() []*relayv1.SignedReceipt {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	var keys []ledger.Address
	for a := range rl.latest {
		keys = append(keys, a)
	}
	sortAddrs(keys)
	out := make([]*relayv1.SignedReceipt, len(keys))
	for i, a := range keys {
		out[i] = rl.latest[a]
	}
	return out
}
