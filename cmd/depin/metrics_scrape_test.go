package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches a Prometheus endpoint, parses it with Prometheus' own
// text parser and runs `promtool check metrics` on it: errors fail, and so
// do lint warnings (naming, help, units) when lint is set (depin's own
// series; CometBFT's upstream names draw warnings such as counters
// without _total that are not ours to change). scripts/test.sh installs
// promtool (Debian's prometheus package) and sets DEPIN_REQUIRE_PROMTOOL;
// elsewhere a missing promtool skips only that check, loudly.
func scrape(t *testing.T, url string, lint bool) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: got %d, %v", url, resp.StatusCode, err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("scrape %s: does not parse: %v", url, err)
	}
	promtool, err := exec.LookPath("promtool")
	switch {
	case err != nil && os.Getenv("DEPIN_REQUIRE_PROMTOOL") != "":
		t.Errorf("promtool check metrics %s: promtool not found, but scripts/test.sh installed it: %v", url, err)
	case err != nil:
		t.Logf("WARNING: promtool not installed (apt-get install prometheus, or run scripts/test.sh): promtool check metrics %s skipped", url)
	default:
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		// promtool exits 3 for lint warnings, 1 for errors.
		if out, err := cmd.CombinedOutput(); err != nil {
			if ee, ok := err.(*exec.ExitError); lint || !ok || ee.ExitCode() != 3 {
				t.Errorf("promtool check metrics %s: %v\n%s", url, err, out)
			}
		}
	}
	return fams
}

// documentedMetrics reads the metric names of docs/clients.md's table.
func documentedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "clients.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, "<!-- BEGIN metrics -->"), strings.Index(doc, "<!-- END metrics -->")
	if i < 0 || j < i {
		t.Fatal("docs/clients.md: no metrics table")
	}
	k, l := strings.Index(doc, "<!-- BEGIN module-gauges -->"), strings.Index(doc, "<!-- END module-gauges -->")
	if k < 0 || l < k {
		t.Fatal("docs/clients.md: no module-gauges table")
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile("\\| `([a-z_]+)").FindAllStringSubmatch(doc[i:j]+doc[k:l], -1) {
		out[m[1]] = true
	}
	return out
}

// checkScrapes scrapes every metrics endpoint of a running devnet: the
// node's (JSON API), ingest's, the oracle's, CometBFT's and the explorer's; each must
// parse, carry its key series, and every depin series found must be
// documented.
func checkScrapes(t *testing.T, d *devnetProc) {
	t.Helper()
	doc := documentedMetrics(t)
	for _, ep := range []struct {
		name, url string
		want      []string
	}{
		{"node", "http://" + addr(d.api) + "/metrics", []string{"depin_block_execution_seconds", "depin_block_height", "depin_mempool_txs", "depin_segments_committed_total", "depin_epochs_settled_total", "depin_reward_claims_total", "depin_bank_supply", "depin_market_leases_active", "depin_stake_validators", "go_goroutines"}},
		{"ingest", "http://" + addr(d.ingest) + "/metrics", []string{"ingest_segments_total", "ingest_log_quarantined_total"}},
		{"oracle", "http://" + addr(d.oracle) + "/metrics", []string{"oracle_epochs_scored_total", "oracle_epoch_score_seconds", "oracle_roots_submitted_total"}},
		{"cometbft", "http://" + addr(d.metrics) + "/metrics", []string{"cometbft_consensus_height", "cometbft_mempool_size"}},
		{"explorer", "http://" + addr(d.explorer) + "/metrics", []string{"explorer_requests_total", "explorer_indexed_height"}},
	} {
		fams := scrape(t, ep.url, ep.name != "cometbft")
		for _, w := range ep.want {
			if fams[w] == nil {
				t.Errorf("%s metrics lack %s", ep.name, w)
			}
		}
		for name := range fams {
			if (strings.HasPrefix(name, "depin_") || strings.HasPrefix(name, "ingest_") || strings.HasPrefix(name, "oracle_") || strings.HasPrefix(name, "explorer_")) && !doc[name] {
				t.Errorf("%s exports %s, which docs/clients.md does not list", ep.name, name)
			}
		}
	}
}

// TestGrafanaDashboard: docs/grafana/depin.json is a dashboard whose
// queries use only documented depin series (or CometBFT's).
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "grafana", "depin.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard: %v", err)
	}
	doc := documentedMetrics(t)
	name := regexp.MustCompile(`\b(depin|ingest|oracle)_[a-z_]+`)
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
				if !doc[base] {
					t.Errorf("panel %q queries %s, which docs/clients.md does not list", p.Title, n)
				}
			}
		}
	}
}
