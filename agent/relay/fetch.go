package relay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

var zeroTime time.Time

func sortAddrs(a []ledger.Address) {
	slices.SortFunc(a, func(x, y ledger.Address) int { return bytes.Compare(x[:], y[:]) })
}

// GetManifest fetches a file's manifest from a source.
func GetManifest(ctx context.Context, hc *http.Client, source, name string) (Manifest, error) {
	var m Manifest
	b, err := get(ctx, hc, strings.TrimRight(source, "/")+"/files/"+name+".manifest", "")
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("agent: relay: manifest of %q: %w", name, err)
	}
	return m, m.Check()
}

func get(ctx context.Context, hc *http.Client, url, rng string) ([]byte, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("agent: relay: %w", err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("agent: relay: GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return nil, fmt.Errorf("agent: relay: GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// Fetcher is a consumer fetching through a relay.
type Fetcher struct {
	HTTP    *http.Client
	Key     sig.PrivateKey
	ChainID string
	// Relay is the relay's base URL and Addr its address.
	Relay     string
	RelayAddr ledger.Address
	// Signed counts the bytes signed for so far (cumulative across
	// fetches through this relay: set it from the chain's channel to
	// continue after a restart).
	Signed uint64
	// Generation is the channel's generation on the chain (the
	// "generation" of relay/channels/{consumer}/{relay}); receipts name it
	// so they cannot be claimed after a reopen or a price change. Zero
	// means 1, a fresh channel's.
	Generation uint64
	// Sign is false to fetch without receipts (the direct baseline).
	NoReceipts bool
}

// Fetch downloads a file chunk by chunk from base (the relay's /relay/ or
// a source's /files/ URL prefix), checks every chunk against the manifest
// and, through a relay, hands in a receipt for the bytes received so far
// after each chunk.
func (f *Fetcher) Fetch(ctx context.Context, base string, m Manifest) ([]byte, error) {
	out := make([]byte, 0, m.Size)
	me := ledger.AddressOf(sig.PublicOf(f.Key))
	for i := range m.Chunks {
		a, b := m.Range(i)
		chunk, err := get(ctx, f.HTTP, base+m.Name, fmt.Sprintf("bytes=%d-%d", a, b))
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(chunk)
		if hex.EncodeToString(h[:]) != m.Chunks[i] || int64(len(chunk)) != b-a+1 {
			return nil, fmt.Errorf("agent: relay: chunk %d of %q does not match its hash: the relay served other bytes", i, m.Name)
		}
		out = append(out, chunk...)
		if f.NoReceipts {
			continue
		}
		f.Signed += uint64(len(chunk))
		sr := SignReceipt(f.Key, &relayv1.Receipt{ChainId: f.ChainID, Consumer: me[:], Relay: f.RelayAddr[:], Bytes: f.Signed,
			Content: unhexHash(m.SHA256), Generation: max(f.Generation, 1)})
		if err := f.post(ctx, sr); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func unhexHash(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil
	}
	return b
}

func (f *Fetcher) post(ctx context.Context, sr *relayv1.SignedReceipt) error {
	hc := f.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	b, err := proto.Marshal(sr)
	if err != nil {
		return fmt.Errorf("agent: relay: encode receipt: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(f.Relay, "/")+"/relay/receipts", bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("agent: relay: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("agent: relay: hand in receipt: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("agent: relay: the relay refused the receipt: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

// SignReceipt encodes a receipt and signs it (the chain's encoding).
func SignReceipt(priv sig.PrivateKey, r *relayv1.Receipt) *relayv1.SignedReceipt {
	raw := ledger.Encode(r)
	return &relayv1.SignedReceipt{Receipt: raw, PubKey: sig.PublicOf(priv), Signature: sig.Sign(priv, ReceiptDomain, raw)}
}
