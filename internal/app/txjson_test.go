package app

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
)

// jsonText draws strings that exercise every escaping rule: plain text,
// control characters, quotes, HTML characters, U+2028/9, multi-byte runes
// and invalid UTF-8.
func jsonText(t *rapid.T, label string) string {
	parts := rapid.SliceOfN(rapid.SampledFrom([]string{
		"a", "pin1xyz", " ", "\"", "\\", "<", ">", "&", "\x00", "\x01", "\x1f", "\b", "\f", "\n", "\r", "\t", "\x7f",
		"é", "€", "𝄞", "\u2028", "\u2029", "\xff", "\xe2\x82", "\xed\xa0\x80", "\ufffd",
	}), 0, 12).Draw(t, label+"-parts")
	var b bytes.Buffer
	for _, p := range parts {
		b.WriteString(p)
	}
	b.Write(rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, label+"-bytes"))
	return b.String()
}

func TestTxRecordJSONMatchesStdlib(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := TxRecord{
			Hash:   jsonText(t, "hash"),
			Height: rapid.Int64().Draw(t, "height"),
			Index:  rapid.Int().Draw(t, "index"),
			Code:   ledger.Code(rapid.Uint32().Draw(t, "code")),
			Status: jsonText(t, "status"),
			Log:    jsonText(t, "log"),
		}
		nev := rapid.IntRange(-1, 3).Draw(t, "events")
		if nev >= 0 {
			rec.Events = make([]ledger.Event, nev)
		}
		for i := range rec.Events {
			rec.Events[i].Type = jsonText(t, "type")
			na := rapid.IntRange(-1, 3).Draw(t, "attrs")
			if na >= 0 {
				rec.Events[i].Attrs = make([]ledger.Attr, na)
			}
			for j := range rec.Events[i].Attrs {
				rec.Events[i].Attrs[j] = ledger.Attr{Key: jsonText(t, "key"), Value: jsonText(t, "value")}
			}
		}
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		if got := appendTxRecordJSON(nil, &rec); !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestTxRecordJSONTable(t *testing.T) {
	tests := []struct {
		name string
		rec  TxRecord
		want string
	}{
		{"minimal", TxRecord{Hash: "AB", Height: 1, Status: "ok"},
			`{"hash":"AB","height":1,"index":0,"code":0,"status":"ok"}`},
		{"log and events", TxRecord{Hash: "AB", Height: 2, Index: 3, Code: 7, Status: "x", Log: "a<b>&\"c\"\n",
			Events: []ledger.Event{{Type: "tx", Attrs: []ledger.Attr{{Key: "k", Value: "v"}}}, {Type: "e"}}},
			`{"hash":"AB","height":2,"index":3,"code":7,"status":"x","log":"a\u003cb\u003e\u0026\"c\"\n","events":[{"Type":"tx","Attrs":[{"Key":"k","Value":"v"}]},{"Type":"e","Attrs":null}]}`},
	}
	for _, tt := range tests {
		if got := string(appendTxRecordJSON(nil, &tt.rec)); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}
