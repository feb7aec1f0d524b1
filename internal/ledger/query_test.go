package ledger

import (
	"strings"
	"testing"
)

func TestQueryRouter(t *testing.T) {
	rt := NewQueryRouter()
	named := func(name string) QueryHandler {
		return func(q *Query) (any, *QueryError) { return name + ":" + strings.Join(q.Vars, ","), nil }
	}
	// Registration order must not matter: the variable route comes first.
	rt.Add("rewards/epochs/{n}", named("epoch"))
	rt.Add("rewards/epochs/current", named("current"))
	rt.Add("rewards/epochs/{n}/settlement", named("settlement"))
	rt.Add("devices/{id}/locations", named("locations"))
	rt.Add("supply", named("supply"))
	for _, c := range []struct {
		path string
		want string // "" for no route
	}{
		{"rewards/epochs/current", "current:"},
		{"rewards/epochs/7", "epoch:7"},
		{"rewards/epochs/7/settlement", "settlement:7"},
		{"rewards/epochs/current/settlement", "settlement:current"},
		{"devices/abc/locations", "locations:abc"},
		{"supply", "supply:"},
		{"rewards/epochs", ""},
		{"rewards", ""},
		{"supply/x", ""},
		{"", ""},
	} {
		var segs []string
		if c.path != "" {
			segs = strings.Split(c.path, "/")
		}
		h, vars, ok := rt.Route(segs)
		if !ok {
			if c.want != "" {
				t.Errorf("%q: no route, want %s", c.path, c.want)
			}
			continue
		}
		got, _ := h(&Query{Vars: vars})
		if got != c.want {
			t.Errorf("%q: routed to %v, want %q", c.path, got, c.want)
		}
	}
	for _, dup := range []string{"supply", "rewards/epochs/{x}", "/supply/"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("pattern %q registered twice without a panic", dup)
				}
			}()
			rt.Add(dup, named("dup"))
		}()
	}
}

func TestQueryCodeNames(t *testing.T) {
	for c, want := range map[QueryCode]string{QueryOK: "ok", QueryBadRequest: "bad_request", QueryNotFound: "not_found",
		QueryUnknownPath: "unknown_path", QueryInternal: "internal", 99: "code_99"} {
		if got := c.String(); got != want {
			t.Errorf("code %d: %q, want %q", c, got, want)
		}
	}
}
