package node

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// gaugeValues gathers the registry into "name{label}" → value.
func gaugeValues(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetType() != dto.MetricType_GAUGE {
			continue
		}
		for _, m := range f.Metric {
			name := f.GetName()
			for _, l := range m.Label {
				name += "{" + l.GetValue() + "}"
			}
			out[name] = m.GetGauge().GetValue()
		}
	}
	return out
}

// TestModuleGauges: the node exports the modules' levels as gauges read
// from committed state, and they follow the chain block by block.
func TestModuleGauges(t *testing.T) {
	c, err := clienttest.NewChain("gauges", clienttest.Genesis("authority", 1_000_000_000, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(nil)
	m.WatchGauges(c.App())
	next := map[string]int{}
	onboard := func(kind string, n int) {
		t.Helper()
		for i := next[kind]; i < next[kind]+n; i++ {
			dev := clienttest.Key(fmt.Sprintf("%s-%d", kind, i))
			r, err := c.Exec("alice", clienttest.Msg(device.Onboard(clienttest.Key("maker"), dev, kind, fmt.Sprintf("%s-%d", kind, i), "gauges", clienttest.Addr("alice"))))
			if err != nil || r.Code != ledger.CodeOK {
				t.Fatalf("onboard: %v %v %s", err, r.Code, r.Log)
			}
		}
		next[kind] += n
	}
	if r, err := c.Exec("authority", clienttest.Msg(device.RegisterMakerMsg("Acme", sig.PublicOf(clienttest.Key("maker")), []string{"coverage", "sensor"}, 0))); err != nil || r.Code != ledger.CodeOK {
		t.Fatalf("register maker: %v %v", err, r)
	}
	onboard("coverage", 3)
	onboard("sensor", 1)
	supply := func() float64 { return float64(bank.GetSupply(c.App().Committed()).Total) }
	got := gaugeValues(t, m.Registry())
	for name, want := range map[string]float64{
		"depin_devices{coverage}":                      3,
		"depin_devices{sensor}":                        1,
		"depin_device_makers":                          1,
		"depin_bank_supply":                            supply(),
		"depin_market_leases_active":                   0,
		"depin_market_escrow":                          0,
		"depin_credit_outstanding":                     0,
		"depin_stake_tokens":                           0,
		"depin_stake_validators{bonded}":               0,
		"depin_gov_proposals_by_status{voting_period}": 0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s: got %v (exported %v), want %v", name, v, ok, want)
		}
	}
	onboard("sensor", 2)
	if got := gaugeValues(t, m.Registry()); got["depin_devices{sensor}"] != 3 || got["depin_devices{coverage}"] != 3 {
		t.Errorf("after a block: got sensor %v coverage %v, want the latest committed counts", got["depin_devices{sensor}"], got["depin_devices{coverage}"])
	}
}

// TestModuleGaugesDoc checks that docs/clients.md lists exactly the
// modules' gauges (DEPIN_UPDATE_DOCS=1 rewrites the table).
func TestModuleGaugesDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "clients.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- BEGIN module-gauges -->\n", "<!-- END module-gauges -->"
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no module-gauges section", path)
	}
	var b strings.Builder
	b.WriteString("| name | type | meaning |\n|---|---|---|\n")
	a := chain.New(app.NewMemBackend())
	for _, g := range a.Gauges(ledger.NewMemStore()) {
		name := g.Name
		if g.Label != "" {
			name += "{" + g.Label + "}"
		}
		b.WriteString("| `" + name + "` | gauge | " + strings.ToLower(g.Help[:1]) + strings.TrimSuffix(g.Help[1:], ".") + " |\n")
	}
	if doc[i+len(begin):j] == b.String() {
		return
	}
	if os.Getenv("DEPIN_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+b.String()+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the module-gauges table is out of date; run DEPIN_UPDATE_DOCS=1 go test ./internal/node -run TestModuleGaugesDoc", path)
}
