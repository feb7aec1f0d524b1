package explorer_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/indexer/indexertest"
	"github.com/depin-network/depin/internal/storage"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPagesAndJSON(t *testing.T) {
	f := newFixture(t, 30)
	dev := indexertest.Device(3).String() // a multiple of 3: it has a too_close witness report
	acct := f.Chain.Account(1).String()
	pages := []struct{ path, want string }{
		{"/", "Supply"},
		{"/blocks", "Blocks"},
		{"/blocks/3", "Block 3"},
		{"/txs/" + f.TxHash, f.TxHash},
		{"/txs/" + strings.ToLower(f.TxHash), f.TxHash},
		{"/accounts/" + acct, acct},
		{"/devices", "30 devices"},
		{"/devices/" + dev, "too_close"},
		{"/devices/" + dev + "?epoch=1", "why this payout"},
		{"/epochs", "indexed"},
		{"/epochs/1", "too_close"},
		{"/market", "storage"},
		{"/governance", "no proposals yet"},
		{"/validators", "no validators registered with staking"},
		{"/storage", f.Chain.Account(5).String()},
		{"/energy", "no clearings yet"},
		{"/compute", f.Chain.Account(2).String()},
		{"/relay", "http://127.0.0.1:1/relay"},
		{"/relay/relays/" + f.Chain.Account(5).String(), "no channels yet"},
		{"/compute", "2 PIN"},
		{"/search", "Search"},
	}
	for _, p := range pages {
		code, body := get(t, f.URL+p.path)
		if code != 200 || !strings.Contains(body, p.want) {
			t.Errorf("GET %s: status %d, body has %q: %v", p.path, code, p.want, strings.Contains(body, p.want))
		}
		code, body = get(t, f.URL+"/api"+p.path)
		if code != 200 || !json.Valid([]byte(body)) {
			t.Errorf("GET /api%s: status %d, valid JSON %v", p.path, code, json.Valid([]byte(body)))
		}
	}
	var dp struct {
		Device struct {
			Address string `json:"address"`
		} `json:"device"`
		Explanation struct {
			Reports []struct {
				Reason string `json:"reason"`
			} `json:"reports"`
		} `json:"explanation"`
	}
	_, body := get(t, f.URL+"/api/devices/"+dev)
	if err := json.Unmarshal([]byte(body), &dp); err != nil || dp.Device.Address != dev || len(dp.Explanation.Reports) != 2 {
		t.Fatalf("device JSON: %+v, %v", dp, err)
	}
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t, 5)
	dev := indexertest.Device(0).String()
	cases := []struct {
		path string
		want int
	}{
		{"/blocks/abc", 400},
		{"/blocks/-1", 400},
		{"/blocks/007", 400},
		{"/blocks/99999999999999999999", 400},
		{"/blocks/999999", 404},
		{"/blocks?before=x", 400},
		{"/blocks?before=%ff", 400},
		{"/txs/123", 400},
		{"/txs/" + strings.Repeat("zz", 32), 400},
		{"/txs/" + strings.Repeat("AB", 32), 404},
		{"/accounts/pin1nope", 400},
		{"/accounts/" + dev + "?before=-5", 400},
		{"/devices/xyz", 400},
		{"/devices/" + indexertest.Device(999).String(), 404},
		{"/devices/" + dev + "?epoch=abc", 400},
		{"/devices/" + dev + "?epoch=77", 404},
		{"/devices?owner=bad", 400},
		{"/devices?after=bad", 400},
		{"/epochs/x", 400},
		{"/epochs/12345", 404},
		{"/epochs?before=1e3", 400},
		{"/search?q=nothing-like-this", 404},
		{"/search?q=" + strings.Repeat("a", 300), 400},
		{"/search?q=424242", 404},
		{"/api/map", 400},
		{"/api/map?bbox=1,2,3&zoom=3", 400},
		{"/api/map?bbox=a,b,c,d&zoom=3", 400},
		{"/api/map?bbox=0,50,20,40&zoom=3", 400},
		{"/api/map?bbox=0,-95,20,40&zoom=3", 400},
		{"/api/map?bbox=0,40,20,60&zoom=x", 400},
		{"/api/map?bbox=NaN,40,20,60&zoom=3", 400},
		{"/nothing/here", 404},
		{"/api/nothing", 404},
		{"/api/blocks/abc", 400},
		{"/storage/deals/abc", 400},
		{"/storage/deals/-3", 400},
		{"/storage/deals/77", 404},
		{"/api/storage/deals/77", 404},
		{"/storage/files/not-a-cid", 400},
		{"/storage/files/" + storage.FormatCID([32]byte{1, 2, 3}), 404},
		{"/storage/providers/pin1nope", 400},
		{"/storage/providers/" + dev, 404},
		{"/compute/jobs/0", 400},
		{"/compute/jobs/x", 400},
		{"/compute/jobs/5", 404},
		{"/api/compute/jobs/5", 404},
		{"/energy/clearings/zz/1", 400},
		{"/energy/clearings/851f/x", 400},
		{"/energy/clearings/851f/-1", 400},
		{"/energy/clearings/851f/42", 404},
		{"/api/energy/clearings/851f/42", 404},
		{"/relay/relays/pin1nope", 400},
		{"/relay/relays/" + dev, 404},
	}
	for _, c := range cases {
		code, body := get(t, f.URL+c.path)
		if code != c.want {
			t.Errorf("GET %s: status %d, want %d (%.120s)", c.path, code, c.want, body)
		}
		if strings.HasPrefix(c.path, "/api/") && !json.Valid([]byte(body)) {
			t.Errorf("GET %s: error body is not JSON: %.120s", c.path, body)
		}
	}
}

func TestSearchFinds(t *testing.T) {
	f := newFixture(t, 5)
	dev := indexertest.Device(2).String()
	acct := f.Chain.Account(3).String()
	for q, want := range map[string]string{
		dev:                       "/devices/" + dev,
		acct:                      "/accounts/" + acct,
		f.TxHash:                  "/txs/" + f.TxHash,
		strings.ToLower(f.TxHash): "/txs/" + f.TxHash,
		"4":                       "/blocks/4",
	} {
		code, _ := get(t, f.URL+"/search?q="+q)
		if code != http.StatusSeeOther {
			t.Errorf("search %s: status %d", q, code)
		}
		_, body := get(t, f.URL+"/api/search?q="+q)
		var r struct{ Path string }
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.Path != want {
			t.Errorf("search %s: %s, want path %s", q, body, want)
		}
	}
}

func TestMapSendsOnlyWhatIsInView(t *testing.T) {
	f := newFixture(t, 60)
	var v struct {
		Mode    string
		Devices []struct{ Address string }
		Hexes   []struct{ Cell, Devices string }
	}
	// Zoomed in over Berlin: devices one by one.
	_, body := get(t, f.URL+"/api/map?bbox=13.0,52.3,13.6,52.7&zoom=12")
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Mode != "devices" || len(v.Devices) != 60 {
		t.Fatalf("Berlin zoomed in: mode %s, %d devices, %v", v.Mode, len(v.Devices), err)
	}
	// Elsewhere: nothing.
	v.Devices = nil
	_, body = get(t, f.URL+"/api/map?bbox=-10,30,-5,35&zoom=12")
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Devices) != 0 {
		t.Fatalf("empty view: %s", body)
	}
	// Zoomed out: hexes whose counts add up to the devices.
	_, body = get(t, f.URL+"/api/map?bbox=-180,-85,180,85&zoom=2")
	v.Devices, v.Hexes = nil, nil
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Mode != "hexes" || len(v.Hexes) == 0 || len(v.Devices) != 0 {
		t.Fatalf("world: %s", body)
	}
	n := 0
	for _, h := range v.Hexes {
		var c int
		json.Unmarshal([]byte(h.Devices), &c)
		n += c
	}
	if n != 60 {
		t.Fatalf("hexes count %d devices, want 60", n)
	}
}
