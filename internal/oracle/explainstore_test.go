package oracle

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/score"
)

// TestExplanationLines: a device's line is found by the binary search over
// a JSON lines file whatever the lines' lengths (some longer than the
// reader's buffer), devices not in the file are not found, and the file
// is served as the array json.Marshal gives for the list.
func TestExplanationLines(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 40).Draw(t, "devices")
		seen := map[ledger.Address]bool{}
		var list []score.Explanation
		for range n {
			var a ledger.Address
			copy(a[:], rapid.SliceOfN(rapid.Byte(), ledger.AddressLen, ledger.AddressLen).Draw(t, "address"))
			if seen[a] {
				continue
			}
			seen[a] = true
			list = append(list, score.Explanation{Epoch: 7, Device: a.String(),
				Stats: nil, Pools: []score.PoolPayout{}, Reports: []score.ReportReason{{ID: strings.Repeat("ab", rapid.IntRange(0, 6000).Draw(t, "id length"))}}})
		}
		sortExplanations(list)
		var file bytes.Buffer
		for i := range list {
			b, _ := json.Marshal(&list[i])
			file.Write(append(b, '\n'))
		}
		r := bytes.NewReader(file.Bytes())
		for i := range list {
			a, _ := ledger.ParseAddress(list[i].Device)
			want, _ := json.Marshal(&list[i])
			got, ok, err := findExplanationLine(r, int64(file.Len()), a)
			if err != nil || !ok || !bytes.Equal(got, want) {
				t.Fatalf("device %d of %d: got %v %v %.80s", i, len(list), ok, err, got)
			}
		}
		for range 5 {
			var a ledger.Address
			copy(a[:], rapid.SliceOfN(rapid.Byte(), ledger.AddressLen, ledger.AddressLen).Draw(t, "absent"))
			if seen[a] {
				continue
			}
			if got, ok, err := findExplanationLine(r, int64(file.Len()), a); ok || err != nil {
				t.Fatalf("absent device found: %v %.80s", err, got)
			}
		}
		var array bytes.Buffer
		if err := copyExplanationArray(&array, bytes.NewReader(file.Bytes())); err != nil {
			t.Fatal(err)
		}
		if list == nil {
			list = []score.Explanation{}
		}
		if want, _ := json.Marshal(list); !bytes.Equal(array.Bytes(), want) {
			t.Fatalf("array: got %.200s, want %.200s", array.Bytes(), want)
		}
	})
}

func sortExplanations(list []score.Explanation) {
	addr := func(e score.Explanation) ledger.Address { a, _ := ledger.ParseAddress(e.Device); return a }
	for i := 1; i < len(list); i++ {
		for j := i; j > 0; j-- {
			a, b := addr(list[j-1]), addr(list[j])
			if bytes.Compare(a[:], b[:]) <= 0 {
				break
			}
			list[j-1], list[j] = list[j], list[j-1]
		}
	}
}
