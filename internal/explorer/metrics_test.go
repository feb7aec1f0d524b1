package explorer_test

import (
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetrics: the explorer's /metrics parses, counts each page it served
// under the page's name with its status code, and reports the indexer's
// height.
func TestMetrics(t *testing.T) {
	f := newFixture(t, 5)
	for _, p := range []string{"/", "/devices", "/api/devices", "/blocks/999999"} {
		get(t, f.URL+p)
	}
	code, body := get(t, f.URL+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: status %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	for _, want := range []string{"explorer_requests_total", "explorer_request_duration_seconds", "explorer_indexed_height", "go_goroutines"} {
		if fams[want] == nil {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	got := map[string]float64{}
	for _, m := range fams["explorer_requests_total"].GetMetric() {
		var page, code string
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "page":
				page = l.GetValue()
			case "code":
				code = l.GetValue()
			}
		}
		got[page+" "+code] = m.GetCounter().GetValue()
	}
	for _, want := range []string{"home 200", "devices 200", "devices_api 200", "block 404"} {
		if got[want] != 1 {
			t.Errorf("explorer_requests_total{%s} = %v, want 1 (all: %v)", want, got[want], got)
		}
	}
	if h := fams["explorer_indexed_height"].GetMetric()[0].GetGauge().GetValue(); h < 1 {
		t.Errorf("explorer_indexed_height = %v, want the fixture's indexed height", h)
	}
}
