package dataservice

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// grantTable is an in-memory grant source: the grants of each device.
type grantTable map[ledger.Address][]dataaccess.GrantView

func (g grantTable) DeviceGrants(_ context.Context, d ledger.Address) ([]dataaccess.GrantView, error) {
	return g[d], nil
}

// nonceService runs a service over grants with a clock the test moves and
// returns a function making one signed readings request of dev.
func nonceService(t *testing.T, cfg Config, grants grantTable, dev ledger.Address, clock *time.Time) (*Service, func(key sig.PrivateKey, nonce string) (int, string)) {
	t.Helper()
	s, err := New(cfg, grants, func() time.Time { return *clock }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	return s, func(key sig.PrivateKey, nonce string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/devices/"+dev.String()+"/readings?channel=temperature", nil)
		SignRequest(req, key, *clock, nonce)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}
}

// TestReplayCacheBounded: requests from keys without a grant never enter
// the replay cache; a grantee fills it up to MaxNonces, is then refused
// with 429 and the stable text, and is served again once the entries
// expire. A replay is still refused.
func TestReplayCacheBounded(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	grantee := sig.KeyFromSeed([]byte("nonce test grantee 0000000000000"))
	dev := ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed([]byte("nonce test device 00000000000000"))))
	grants := grantTable{dev: {{ID: 1, Grantee: ledger.AddressOf(sig.PublicOf(grantee)).String(), Status: "active",
		Channels: []string{"temperature"}, NotBefore: 0, NotAfter: 1 << 40}}}
	cfg := DefaultConfig()
	cfg.MaxNonces = 3
	s, do := nonceService(t, cfg, grants, dev, &clock)
	for i := range 50 {
		k := sig.KeyFromSeed(fmt.Appendf(nil, "throw-away key %017d", i))
		if code, _ := do(k, "n"); code != http.StatusForbidden {
			t.Fatalf("no grant: code %d, want 403", code)
		}
	}
	if n := s.nonces.size(); n != 0 {
		t.Fatalf("callers without a grant left %d nonces", n)
	}
	for i := range 3 {
		if code, body := do(grantee, fmt.Sprint("g", i)); code != http.StatusOK {
			t.Fatalf("grantee request %d: %d %s", i, code, body)
		}
	}
	if code, body := do(grantee, "g0"); code != http.StatusUnauthorized || body != "replayed request" {
		t.Fatalf("replay: %d %q", code, body)
	}
	if code, body := do(grantee, "g3"); code != http.StatusTooManyRequests || body != ErrReplayCacheFull {
		t.Fatalf("full cache: %d %q, want 429 %q", code, body, ErrReplayCacheFull)
	}
	if n := s.nonces.size(); n != 3 {
		t.Fatalf("cache holds %d, want 3", n)
	}
	clock = clock.Add(2*cfg.RequestWindow + time.Second)
	if code, body := do(grantee, "g3"); code != http.StatusOK {
		t.Fatalf("after expiry: %d %s", code, body)
	}
	if n := s.nonces.size(); n != 1 {
		t.Fatalf("after expiry the cache holds %d, want 1", n)
	}
}

// TestReplayCacheFairShare: a grantee flooding the service fills only its
// share of the replay cache and is then refused with 429 and
// ErrGranteeShareFull; another grantee is still served, its nonces stay
// (a replay of them is refused), and the whole cache's bound still holds
// when several grantees use their shares.
func TestReplayCacheFairShare(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	dev := ledger.AddressOf(sig.PublicOf(sig.KeyFromSeed([]byte("fair share test device 000000000"))))
	keys := make([]sig.PrivateKey, 3)
	grants := grantTable{}
	for i := range keys {
		keys[i] = sig.KeyFromSeed(fmt.Appendf(nil, "fair share grantee %013d", i))
		grants[dev] = append(grants[dev], dataaccess.GrantView{ID: uint64(i + 1), Grantee: ledger.AddressOf(sig.PublicOf(keys[i])).String(),
			Status: "active", Channels: []string{"temperature"}, NotBefore: 0, NotAfter: 1 << 40})
	}
	cfg := DefaultConfig()
	cfg.MaxNonces, cfg.MaxNoncesPerGrantee = 10, 4
	s, do := nonceService(t, cfg, grants, dev, &clock)
	flooder, other, third := keys[0], keys[1], keys[2]
	if code, body := do(other, "o0"); code != http.StatusOK {
		t.Fatalf("other grantee before the flood: %d %s", code, body)
	}
	served := 0
	for i := range 50 {
		code, body := do(flooder, fmt.Sprint("f", i))
		switch {
		case code == http.StatusOK:
			served++
		case code != http.StatusTooManyRequests || body != ErrGranteeShareFull:
			t.Fatalf("flood request %d: %d %q, want 200 or 429 %q", i, code, body, ErrGranteeShareFull)
		}
	}
	if served != 4 {
		t.Fatalf("the flooder was served %d times, want its share of 4", served)
	}
	if got := s.nonces.heldBy(ledger.AddressOf(sig.PublicOf(flooder))); got != 4 {
		t.Fatalf("the flooder holds %d nonces, want 4", got)
	}
	// The other grantee's nonce survived the flood and it is still served.
	if code, body := do(other, "o0"); code != http.StatusUnauthorized || body != "replayed request" {
		t.Fatalf("replay of the other grantee's nonce after the flood: %d %q, want 401", code, body)
	}
	for i := 1; i < 4; i++ {
		if code, body := do(other, fmt.Sprint("o", i)); code != http.StatusOK {
			t.Fatalf("other grantee request %d during the flood: %d %s", i, code, body)
		}
	}
	// 8 of 10 held: the third grantee gets the last 2, then the cache is full.
	for i := range 2 {
		if code, body := do(third, fmt.Sprint("t", i)); code != http.StatusOK {
			t.Fatalf("third grantee request %d: %d %s", i, code, body)
		}
	}
	if code, body := do(third, "t2"); code != http.StatusTooManyRequests || body != ErrReplayCacheFull {
		t.Fatalf("full cache: %d %q, want 429 %q", code, body, ErrReplayCacheFull)
	}
	if n := s.nonces.size(); n != 10 {
		t.Fatalf("cache holds %d, want 10", n)
	}
	// Once the window passed, every share is free again.
	clock = clock.Add(2*cfg.RequestWindow + time.Second)
	if code, body := do(flooder, "f-after"); code != http.StatusOK {
		t.Fatalf("flooder after expiry: %d %s", code, body)
	}
	if n, f := s.nonces.size(), s.nonces.heldBy(ledger.AddressOf(sig.PublicOf(flooder))); n != 1 || f != 1 {
		t.Fatalf("after expiry the cache holds %d (flooder %d), want 1 (1)", n, f)
	}
}
