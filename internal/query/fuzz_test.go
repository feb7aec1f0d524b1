package query_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/query"
)

// FuzzHandle: no path panics the router; a success carries valid JSON and
// a failure carries a known code, a message and no body.
func FuzzHandle(f *testing.F) {
	fx := newFixture(f, 3, 1)
	for _, s := range []string{
		"/accounts/" + fx.alice.String(), "/supply", "/devices", "/devices/" + fx.aliceDev[0].String(),
		"/devices?owner=" + fx.bob.String() + "&limit=1", "/devices?cell=" + device.CellString(cellLisbon),
		"/devices/" + fx.aliceDev[0].String() + "/locations?limit=1", "/makers", "/makers/" + fx.maker.String(),
		"/params", "/txs/00", "/devices?page_key=00&kind=coverage", "", "/%", "//devices//",
	} {
		f.Add(s)
	}
	a := fx.chain.App()
	f.Fuzz(func(t *testing.T, path string) {
		body, code, msg := query.Handle(a.Committed(), a, path)
		switch query.Code(code) {
		case query.CodeOK:
			if !json.Valid(body) || msg != "" {
				t.Fatalf("%q: got ok with body %q and message %q", path, body, msg)
			}
		case query.CodeBadRequest, query.CodeNotFound, query.CodeUnknownPath:
			if body != nil || msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("%q: got code %d with body %q and message %q", path, code, body, msg)
			}
		default:
			t.Fatalf("%q: got unexpected code %d (%s)", path, code, msg)
		}
	})
}
