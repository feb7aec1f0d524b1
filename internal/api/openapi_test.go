package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/client/clienttest"
)

// TestOpenAPI: /openapi.json is an OpenAPI 3 document whose paths are
// exactly the API's routes, and each path, with its parameters filled in,
// reaches a handler: never the unknown_path answer.
func TestOpenAPI(t *testing.T) {
	c, _ := newChain(t)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), source{c.App(), c}, nil))
	defer srv.Close()
	status, body := get(t, srv.URL+"/openapi.json")
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &spec); status != 200 || err != nil || !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Fatalf("openapi.json: got %d %v %.200s", status, err, body)
	}
	var want []string
	for _, r := range api.Routes(source{c.App(), c}) {
		want = append(want, r.Path)
	}
	var got []string
	for p, ops := range spec.Paths {
		got = append(got, p)
		if _, ok := ops["get"]; !ok {
			t.Errorf("%s: no get operation", p)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paths: got %v, want %v", got, want)
	}
	for _, must := range []string{"/v1/status", "/v1/accounts/{address}", "/v1/devices/{id}", "/v1/txs/{hash}"} {
		if _, ok := spec.Paths[must]; !ok {
			t.Errorf("paths lack %s", must)
		}
	}
	alice := clienttest.Addr("alice").String()
	for p := range spec.Paths {
		url := p
		for strings.Contains(url, "{") {
			i, j := strings.Index(url, "{"), strings.Index(url, "}")
			url = url[:i] + alice + url[j+1:]
		}
		_, body := get(t, srv.URL+url)
		if strings.Contains(string(body), `"unknown_path"`) {
			t.Errorf("%s (as %s): no handler: %s", p, url, body)
		}
	}
}

func TestCORS(t *testing.T) {
	c, _ := newChain(t)
	for _, tt := range []struct {
		origins []string
		origin  string
		want    string
	}{
		{nil, "https://wallet.example", ""},
		{[]string{"https://wallet.example"}, "https://wallet.example", "https://wallet.example"},
		{[]string{"https://wallet.example"}, "https://evil.example", ""},
		{[]string{"*"}, "https://any.example", "*"},
	} {
		cfg := api.DefaultConfig()
		cfg.CORSAllowedOrigins = tt.origins
		ts := httptest.NewServer(api.New(cfg, c.App(), nil))
		req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/v1/supply", nil)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.want {
			t.Errorf("origins %v, origin %s: got allow-origin %q, want %q", tt.origins, tt.origin, got, tt.want)
		}
		if tt.want == "" && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("origins %v, origin %s: preflight got %d, want 405 (no CORS)", tt.origins, tt.origin, resp.StatusCode)
		}
		ts.Close()
	}
}
