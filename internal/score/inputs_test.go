package score

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
)

// recorded is an ended epoch with coverage's defaults recorded.
func recorded() EpochInfo {
	k := coverage.Kind{}
	info := EpochInfo{Number: 3, Ended: true, StartTime: 100e9, EndTime: 200e9}
	info.Params = append(kind.Defaults(k.Specs()), kind.Param{Name: kind.ScorerVersionName(k), Value: uint64(kind.Current(k))},
		kind.Param{Name: reward.WindowSlackMs.Name, Value: 1500})
	return info
}

func TestEpochInputs(t *testing.T) {
	k := coverage.Kind{}
	p, v, err := KindParams(recorded(), k)
	if err != nil || v != kind.Current(k) || len(p) != len(k.Specs()) {
		t.Fatalf("KindParams: got %d params, version %d, %v", len(p), v, err)
	}
	start, end, err := Window(recorded())
	if want := int64(1500 * time.Millisecond); err != nil || start != 100e9-want || end != 200e9+want+1 {
		t.Errorf("Window: got [%d, %d), %v", start, end, err)
	}
	tests := []struct {
		name string
		mut  func(*EpochInfo)
		code ledger.Code
		msg  string
	}{
		{"not ended", func(e *EpochInfo) { e.Ended, e.Params = false, nil }, CodeBundleMismatch, "has not ended"},
		{"param missing", func(e *EpochInfo) { e.Params = e.Params[1:] }, CodeBundleMismatch, "recorded no value of coverage."},
		{"scorer version unknown", func(e *EpochInfo) { e.Params[len(e.Params)-2].Value = 9 }, CodeUnknownScorer, "scorer versions"},
		{"param out of bounds", func(e *EpochInfo) { e.Params[0].Value = 0 }, CodeBundleMismatch, "recorded params"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := recorded()
			tc.mut(&info)
			_, _, err := KindParams(info, k)
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != tc.code || !strings.Contains(le.Msg, tc.msg) {
				t.Errorf("got %v, want code %d with %q", err, tc.code, tc.msg)
			}
		})
	}
	noTimes := recorded()
	noTimes.StartTime = 0
	if _, _, err := Window(noTimes); err == nil || !strings.Contains(err.Error(), "no block times") {
		t.Errorf("Window without block times: got %v", err)
	}
}

func TestStatesRoundTrip(t *testing.T) {
	in := []KindState{{Kind: "coverage", State: []byte{1, 2}}, {Kind: "toy"}}
	raw := EncodeStates(in)
	out, err := DecodeStates(raw)
	if err != nil || len(out) != 2 || string(StateOf(out, "coverage")) != "\x01\x02" || StateOf(out, "toy") != nil {
		t.Fatalf("round trip: got %+v, %v", out, err)
	}
	if StateHash(raw) == StateHash(EncodeStates(in[:1])) {
		t.Errorf("different states hash alike")
	}
}
