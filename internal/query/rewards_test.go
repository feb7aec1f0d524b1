package query_test

import (
	"testing"

	"github.com/depin-network/depin/internal/query"
)

func TestRewardPaths(t *testing.T) {
	f := newFixture(t, 0, 0)
	var ep struct {
		Number      string `json:"number"`
		StartHeight string `json:"start_height"`
		EndHeight   string `json:"end_height"`
	}
	if code, msg := f.get("/rewards/epochs/0", &ep); code != query.CodeOK {
		t.Fatalf("epoch 0: got code %d (%s), want ok", code, msg)
	}
	if ep.StartHeight != "1" || ep.EndHeight == "" {
		t.Errorf("epoch 0: got start %q end %q, want start 1 and an end", ep.StartHeight, ep.EndHeight)
	}
	var segs struct {
		Segments []any `json:"segments"`
	}
	if code, msg := f.get("/proof/epochs/0/segments", &segs); code != query.CodeOK || segs.Segments == nil || len(segs.Segments) != 0 {
		t.Errorf("segments: got code %d (%s) and %v, want ok and an empty list", code, msg, segs.Segments)
	}
	for _, c := range []struct {
		path string
		want query.Code
	}{
		{"/rewards/epochs/x", query.CodeBadRequest},
		{"/rewards/epochs/999", query.CodeNotFound},
		{"/rewards/epochs/0/settlement", query.CodeNotFound},
		{"/proof/epochs/-1/segments", query.CodeBadRequest},
		{"/rewards/devices/nope/claimed", query.CodeBadRequest},
		{"/rewards/epochs/current", query.CodeOK},
	} {
		if code, msg := f.get(c.path, nil); code != c.want {
			t.Errorf("%s: got code %d (%s), want %d", c.path, code, msg, c.want)
		}
	}
}
