package query_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
)

// pages follows next_page_key from the first page to the last and returns
// every device id in order and the number of pages.
func pages(t testing.TB, f *fixture, path string, limit int) ([]string, int) {
	t.Helper()
	var out []string
	key := ""
	for n := 1; ; n++ {
		p := fmt.Sprintf("%s%slimit=%d", path, sep(path), limit)
		if key != "" {
			p += "&page_key=" + key
		}
		var l query.DeviceList
		if code, msg := f.get(p, &l); code != query.CodeOK {
			t.Fatalf("%s: got %v (%s)", p, code, msg)
		}
		if len(l.Devices) > limit {
			t.Fatalf("%s: got %d devices, want at most %d", p, len(l.Devices), limit)
		}
		for _, d := range l.Devices {
			out = append(out, d.ID)
		}
		if l.NextPageKey == "" {
			return out, n
		}
		if n > 1000 {
			t.Fatalf("%s: more than 1000 pages", path)
		}
		key = l.NextPageKey
	}
}

func sep(path string) string {
	if slices.Contains([]byte(path), '?') {
		return "&"
	}
	return "?"
}

func TestPagination(t *testing.T) {
	f := newFixture(t, 23, 4)
	all, n := pages(t, f, "/devices", 1000)
	if len(all) != 27 || n != 1 {
		t.Fatalf("one page: got %d devices in %d pages, want 27 in 1", len(all), n)
	}
	for i := 1; i < len(all); i++ {
		a, _ := ledger.ParseAddress(all[i-1])
		b, _ := ledger.ParseAddress(all[i])
		if bytes.Compare(a[:], b[:]) >= 0 {
			t.Errorf("devices %d and %d: got %s before %s, want ascending id order", i-1, i, all[i-1], all[i])
		}
	}
	tests := []struct {
		path      string
		limit     int
		wantCount int
		wantPages int
	}{
		{"/devices", 10, 27, 3},
		{"/devices", 27, 27, 1},
		{"/devices", 1, 27, 27},
		{"/devices?owner=" + f.alice.String(), 5, 23, 5},
		{"/devices?kind=sensor", 3, 4, 2},
	}
	for _, tt := range tests {
		got, n := pages(t, f, tt.path, tt.limit)
		if len(got) != tt.wantCount || n != tt.wantPages {
			t.Errorf("%s limit %d: got %d devices in %d pages, want %d in %d", tt.path, tt.limit, len(got), n, tt.wantCount, tt.wantPages)
		}
		if c := slices.Compact(slices.Clone(got)); len(c) != len(got) {
			t.Errorf("%s limit %d: got duplicates", tt.path, tt.limit)
		}
	}
	var l query.DeviceList
	f.get("/devices", &l)
	if len(l.Devices) != 27 || l.NextPageKey != "" {
		t.Errorf("default limit: got %d devices, next %q, want 27 and none", len(l.Devices), l.NextPageKey)
	}
}

// TestPaginationProperty: for any limit, following the pages lists exactly
// the devices of the unpaginated listing, in the same order.
func TestPaginationProperty(t *testing.T) {
	f := newFixture(t, 12, 5)
	want, _ := pages(t, f, "/devices", 1000)
	wantAlice, _ := pages(t, f, "/devices?owner="+f.alice.String(), 1000)
	rapid.Check(t, func(rt *rapid.T) {
		limit := rapid.IntRange(1, 20).Draw(rt, "limit")
		if got, _ := pages(t, f, "/devices", limit); !slices.Equal(got, want) {
			rt.Fatalf("limit %d: got %v, want %v", limit, got, want)
		}
		if got, _ := pages(t, f, "/devices?owner="+f.alice.String(), limit); !slices.Equal(got, wantAlice) {
			rt.Fatalf("owner, limit %d: got %v, want %v", limit, got, wantAlice)
		}
	})
}
