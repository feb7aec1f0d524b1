package oracle

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestDamagedExplanationsRefused: an explanations object whose bytes no
// longer hash to its name (a truncated file) is answered 500, not served
// as the epoch's explanations with a year's cache lifetime.
func TestDamagedExplanationsRefused(t *testing.T) {
	_, svc, cfg := scoredService(t, 2)
	rec, err := svc.store.record(1)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(cfg.DataDir, "objects", rec.Explanations)
	st, _ := os.Stat(p)
	if err := os.Truncate(p, st.Size()-10); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1/rewards/epochs/1/explanations")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("damaged explanations: status %d, Cache-Control %q, body %.200s; want 500 and no caching",
			resp.StatusCode, resp.Header.Get("Cache-Control"), b)
	}
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || len(e.Error) == 0 {
		t.Fatalf("damaged explanations: body %.200s, want a JSON error", b)
	}
}
