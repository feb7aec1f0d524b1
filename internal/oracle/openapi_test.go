package oracle

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestOpenAPIAndMetrics: the oracle serves /openapi.json describing
// Routes(), every route reaches a handler, unknown paths get the shared
// error shape, and /metrics parses and counts the scored epochs.
func TestOpenAPIAndMetrics(t *testing.T) {
	s, svc, _ := scoredService(t, 2)
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/openapi.json")
	var spec struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &spec); code != 200 || err != nil || spec.OpenAPI != "3.0.3" || len(spec.Paths) != len(Routes()) {
		t.Fatalf("openapi.json: got %d %v %d paths", code, err, len(spec.Paths))
	}
	dev := s.devs[0].String()
	for _, r := range Routes() {
		if _, ok := spec.Paths[r.Path]["get"]; !ok {
			t.Errorf("%s: not described", r.Path)
		}
		p := strings.NewReplacer("{n}", "0", "{id}", dev, "{hash}", strings.Repeat("ab", 32)).Replace(r.Path)
		if code, body := get(p); strings.Contains(body, "unknown_path") || code == http.StatusMethodNotAllowed {
			t.Errorf("%s: no handler: %d %s", p, code, body)
		}
	}
	if code, body := get("/v2/nothing"); code != 404 || !strings.Contains(body, `"status":"unknown_path"`) || !strings.Contains(body, `"code":3`) {
		t.Errorf("unknown path: got %d %s", code, body)
	}
	code, body = get("/metrics")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if code != 200 || err != nil {
		t.Fatalf("metrics: got %d %v", code, err)
	}
	if f := fams["oracle_epochs_scored_total"]; f == nil || f.Metric[0].GetCounter().GetValue() != 2 {
		t.Errorf("oracle_epochs_scored_total: got %v, want 2", f)
	}
	for _, name := range []string{"oracle_epoch_score_seconds", "oracle_roots_submitted_total", "oracle_reports_scored_total", "oracle_last_scored_epoch"} {
		if fams[name] == nil {
			t.Errorf("metrics lack %s", name)
		}
	}
}
