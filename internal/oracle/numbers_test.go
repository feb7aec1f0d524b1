package oracle

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"testing"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/ledger"
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

// TestLegacyScoreFiles: an epoch stored before issue 18 (explanations as
// one JSON array, format 2) is served byte for byte as one stored since (JSON
// lines, format 3), and one scored before issue 11 (score files with bare
// 64-bit numbers, format 0) the same once decoded: summary, explanations
// and a device's explanation, all with strings.
func TestLegacyScoreFiles(t *testing.T) {
	s, svc, _ := scoredService(t, 2)
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	get := func(path string) []byte {
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
		return b
	}
	decode := func(b []byte) any {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	paths := []string{"/v1/rewards/epochs/1", "/v1/rewards/epochs/1/explanations"}
	// Every device, and devices the epoch does not explain, sorting
	// before, between and after the explained ones.
	var first, last, mid ledger.Address
	for i := range last {
		last[i], mid[i] = 0xff, 0x80
	}
	for _, d := range append(append([]ledger.Address{}, s.devs...), first, mid, last) {
		paths = append(paths, "/v1/rewards/devices/"+d.String()+"?epoch=1")
	}
	var want [][]byte
	for _, p := range paths {
		want = append(want, get(p))
	}
	rec, err := svc.store.record(1)
	if err != nil || rec.JSONFormat != jsonLines {
		t.Fatalf("record: got %+v, %v; want format %d", rec, err, jsonLines)
	}
	// Format 2: the explanations as one array, as save wrote them before.
	lines, err := svc.store.get(rec.Explanations)
	if err != nil {
		t.Fatal(err)
	}
	list := []score.Explanation{}
	for _, l := range bytes.Split(bytes.TrimSuffix(lines, []byte("\n")), []byte("\n")) {
		var e score.Explanation
		if err := apidoc.UnmarshalNumbers(l, &e); err != nil {
			t.Fatal(err)
		}
		list = append(list, e)
	}
	if len(list) < len(s.devs) {
		t.Fatalf("%d explanations for %d devices", len(list), len(s.devs))
	}
	array, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Explanations, err = svc.store.put(array); err != nil {
		t.Fatal(err)
	}
	rec.JSONFormat = jsonStrings
	if err := svc.store.putRecord(rec); err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if got := get(p); !bytes.Equal(got, want[i]) {
			t.Errorf("%s from an array (format 2): got\n%.400s\nwant\n%.400s", p, got, want[i])
		}
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
		if got := decode(get(p)); !reflect.DeepEqual(got, decode(want[i])) {
			t.Errorf("%s from legacy files: got %v, want %s", p, got, want[i])
		}
	}
}
