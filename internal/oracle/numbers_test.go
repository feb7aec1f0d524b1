package oracle

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"testing"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/score"
)

// TestResponseTypesQuote64: every 64-bit integer the oracle API sends is a
// JSON string.
func TestResponseTypesQuote64(t *testing.T) {
	for _, v := range []any{score.Summary{}, score.Explanation{}, replay.ClaimProof{}, score.ReplayResult{}} {
		if bare := apidoc.Unquoted64(reflect.TypeOf(v)); len(bare) > 0 {
			t.Errorf("%T: 64-bit fields sent as bare numbers: %v", v, bare)
		}
	}
}

// legacyNumbers rewrites a score file the way oracles wrote it before
// 64-bit integers became strings: bare numbers, and kind stats as
// {"Name","Value"}.
var legacyKeys = regexp.MustCompile(`"(epoch|start_height|end_height|reports|valid|invalid|other_reports|malformed_records|forged_reports|count|emission|amount|units|paid|remainder|device_total|treasury|payout|cumulative|scale|share|value)":"(\d+)"`)

func legacyNumbers(b []byte) []byte {
	b = legacyKeys.ReplaceAll(b, []byte(`"$1":$2`))
	b = regexp.MustCompile(`"name":("[a-z_]+"),"value":`).ReplaceAll(b, []byte(`"Name":$1,"Value":`))
	return b
}

// TestLegacyScoreFiles: an epoch scored before issue 11 (score files with
// bare 64-bit numbers) is served exactly as one scored since: summary,
// explanations and a device's explanation, all with strings.
func TestLegacyScoreFiles(t *testing.T) {
	s := newScenario(t)
	s.standard()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.ListenAddr = t.TempDir(), ""
	svc, err := New(cfg, s.chain, s.segs, testKinds, geo.H3{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	get := func(path string) any {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var v any
		if resp.StatusCode != 200 || json.Unmarshal(b, &v) != nil {
			t.Fatalf("%s: got %d %.300s", path, resp.StatusCode, b)
		}
		return v
	}
	paths := []string{"/v1/rewards/epochs/1", "/v1/rewards/epochs/1/explanations", "/v1/rewards/devices/" + s.devs[0].String() + "?epoch=1"}
	var want []any
	for _, p := range paths {
		want = append(want, get(p))
	}
	rec, err := svc.store.record(1)
	if err != nil || rec.JSONFormat != jsonStrings {
		t.Fatalf("record: got %+v, %v; want format %d", rec, err, jsonStrings)
	}
	for _, name := range []*string{&rec.Summary, &rec.Explanations} {
		b, err := svc.store.get(*name)
		if err != nil {
			t.Fatal(err)
		}
		old := legacyNumbers(b)
		if string(old) == string(b) || !regexp.MustCompile(`"payout":\d|"emission":\d`).Match(old) {
			t.Fatalf("legacy rewrite changed nothing: %.200s", old)
		}
		if *name, err = svc.store.put(old); err != nil {
			t.Fatal(err)
		}
	}
	rec.JSONFormat = 0
	if err := svc.store.putRecord(rec); err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	delete(svc.cache, 1)
	svc.mu.Unlock()
	for i, p := range paths {
		if got := get(p); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s from legacy files: got %v, want %v", p, got, want[i])
		}
	}
}
