package ledger_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
)

const recPrefix = 0x7e

var recSpecs = []ledger.RecordSpec{
	{Tag: 's', Name: "send", Key: []ledger.KeyPart{{Name: "id", Kind: ledger.PartU64}}, New: func() proto.Message { return new(bankv1.MsgSend) }},
	{Tag: 'c', Name: "counter", Key: []ledger.KeyPart{{Name: "owner", Kind: ledger.PartAddress}, {Name: "seq", Kind: ledger.PartByte}}, Value: ledger.ValueU64},
	{Tag: 'e', Name: "index", Key: []ledger.KeyPart{{Name: "id", Kind: ledger.PartU64}}, Value: ledger.ValueEmpty},
	{Tag: 'f', Name: "flag", Value: ledger.ValueBytes},
	{Tag: 'a', Name: "owner", Value: ledger.ValueAddress},
}

// TestRecordsRoundTrip: entries export as readable records (raw when no
// spec reads them exactly: an unknown tag, a record with an unknown
// field, a u64 of the wrong length) and import back to the same bytes.
func TestRecordsRoundTrip(t *testing.T) {
	owner := ledger.AddressOf(bytes.Repeat([]byte{7}, 32))
	send, _ := proto.Marshal(&bankv1.MsgSend{To: owner[:], Amount: 1 << 60})
	withUnknown := append(append([]byte(nil), send...), 0x98, 0x06, 0x01) // field 99, varint 1
	key := func(parts ...[]byte) []byte { return ledger.Key(recPrefix, parts...) }
	entries := map[string][]byte{
		string(key([]byte{'s'}, ledger.U64(1))):         send,
		string(key([]byte{'s'}, ledger.U64(2))):         withUnknown,
		string(key([]byte{'c'}, owner[:], []byte{'o'})): ledger.U64(42),
		string(key([]byte{'c'}, owner[:], []byte{'l'})): {1, 2, 3},
		string(key([]byte{'e'}, ledger.U64(9))):         {},
		string(key([]byte{'f'})):                        {1},
		string(key([]byte{'a'})):                        owner[:],
		string(key([]byte{'z'}, []byte("unknown tag"))): {0xde, 0xad},
	}
	st := ledger.NewMemStore()
	for k, v := range entries {
		st.Set([]byte(k), v)
	}
	recs, err := ledger.ExportRecords(st, recPrefix, recSpecs)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"type":"send","key":{"id":"1"},"value":{"to":"` + owner.String() + `","amount":"1152921504606846976"}`,
		`"type":"counter","key":{"owner":"` + owner.String() + `","seq":"o"},"value":"42"`, `"type":"flag","value":"01"`,
		`"type":"owner","value":"` + owner.String() + `"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("export lacks %s:\n%s", want, raw)
		}
	}
	rawCount := strings.Count(string(raw), `"type":"raw"`)
	if rawCount != 3 {
		t.Errorf("%d raw records, want 3 (unknown field, short counter, unknown tag):\n%s", rawCount, raw)
	}
	var back []ledger.Record
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	st2 := ledger.NewMemStore()
	if err := ledger.ImportRecords(st2, recPrefix, recSpecs, back); err != nil {
		t.Fatal(err)
	}
	n := 0
	st2.Iterate(nil, nil, func(k, v []byte) bool {
		n++
		if want, ok := entries[string(k)]; !ok || !bytes.Equal(v, want) {
			t.Errorf("imported %x = %x, want %x", k, v, want)
		}
		return true
	})
	if n != len(entries) {
		t.Errorf("imported %d entries, want %d", n, len(entries))
	}
}

// TestImportRecordsRefuses: a record import refuses what it cannot write
// exactly, with the record's index in the error.
func TestImportRecordsRefuses(t *testing.T) {
	cases := map[string]string{
		"unknown type":   `[{"type":"nope","key":{"id":"1"}}]`,
		"missing part":   `[{"type":"counter","key":{"seq":"o"},"value":"1"}]`,
		"bad u64":        `[{"type":"index","key":{"id":"x"}}]`,
		"unknown field":  `[{"type":"send","key":{"id":"1"},"value":{"nope":1}}]`,
		"descending":     `[{"type":"index","key":{"id":"2"}},{"type":"index","key":{"id":"1"}}]`,
		"duplicate":      `[{"type":"index","key":{"id":"1"}},{"type":"index","key":{"id":"1"}}]`,
		"value on empty": `[{"type":"index","key":{"id":"1"},"value":"00"}]`,
		"raw not hex":    `[{"type":"raw","raw_key":"zz","value":"00"}]`,
	}
	for name, in := range cases {
		var recs []ledger.Record
		if err := json.Unmarshal([]byte(in), &recs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := ledger.ImportRecords(ledger.NewMemStore(), recPrefix, recSpecs, recs); err == nil || !strings.Contains(err.Error(), "record ") {
			t.Errorf("%s: got %v, want a record error", name, err)
		}
	}
}
