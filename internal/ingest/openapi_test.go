package ingest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOpenAPI: ingest's /openapi.json describes exactly Routes(), each of
// them reaches a handler, and the JSON routes fail with the shared error
// shape.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t, testConfig(t), nil)
	stop := e.run(t)
	defer stop()
	base := "http://" + e.svc.Addr()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := do(http.MethodGet, "/openapi.json", "")
	var spec struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &spec); code != 200 || err != nil || spec.OpenAPI != "3.0.3" {
		t.Fatalf("openapi.json: got %d %v %.200s", code, err, body)
	}
	if len(spec.Paths) != len(Routes()) {
		t.Errorf("got %d paths, want %d", len(spec.Paths), len(Routes()))
	}
	for _, r := range Routes() {
		if _, ok := spec.Paths[r.Path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s: not in the spec", r.Method, r.Path)
		}
		path := strings.NewReplacer("{hash}", strings.Repeat("ab", 32), "{n}", "0").Replace(r.Path)
		body := ""
		if r.Method == http.MethodPost {
			body = "{}"
		}
		code, got := do(r.Method, path, body)
		if code == http.StatusNotFound && strings.Contains(got, "404 page not found") || code == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: no handler (%d %s)", r.Method, path, code, got)
		}
	}
	for _, c := range []struct {
		path   string
		status int
		code   float64
	}{
		{"/v1/segments/nothex", 400, 1},
		{"/v1/segments/" + strings.Repeat("ab", 32), 404, 2},
		{"/v1/epochs/x/segments", 400, 1},
	} {
		code, got := do(http.MethodGet, c.path, "")
		var e map[string]any
		if err := json.Unmarshal([]byte(got), &e); code != c.status || err != nil || e["code"] != c.code || e["status"] == "" || e["error"] == "" {
			t.Errorf("%s: got %d %s, want %d with {code %v, status, error}", c.path, code, got, c.status, c.code)
		}
	}
	if code, got := do(http.MethodGet, "/v1/epochs/3/segments", ""); code != 200 || !strings.Contains(got, `"epoch":"3"`) {
		t.Errorf("segment listing: got %d %s, want the epoch as a string", code, got)
	}
}
