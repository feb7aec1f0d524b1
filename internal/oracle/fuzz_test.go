package oracle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"context"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
)

// fuzzSeeds are a real bundle and segment from the standard scenario, plus
// truncations.
func fuzzSeeds(t testing.TB) (bundles, segments [][]byte) {
	s := newScenario(t)
	s.standard()
	p0 := s.publish(0)
	p1 := s.publish(1)
	bundles = [][]byte{p0.Bundle, p1.Bundle, p1.Bundle[:len(p1.Bundle)/2], []byte("{}"), nil}
	segments = [][]byte{p1.Segments[0], p1.Segments[0][:40], nil}
	return bundles, segments
}

// FuzzDecodeBundle: DecodeBundle never panics, rejects with
// CodeBundleMismatch, and whatever it accepts re-encodes to the same bytes.
func FuzzDecodeBundle(f *testing.F) {
	bundles, _ := fuzzSeeds(f)
	for _, b := range bundles {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := score.DecodeBundle(raw)
		if err != nil {
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != score.CodeBundleMismatch {
				t.Fatalf("got %v, want a CodeBundleMismatch error", err)
			}
			return
		}
		again, err := score.EncodeBundle(b)
		if err != nil || !bytes.Equal(again, raw) {
			t.Fatalf("accepted bundle re-encodes differently (%v)", err)
		}
	})
}

// FuzzVerifySegment: any bytes against a real commitment are either the
// committed segment or a CodeSegmentMismatch; decoding what passes never
// panics.
func FuzzVerifySegment(f *testing.F) {
	_, segments := fuzzSeeds(f)
	s := newScenario(f)
	s.standard()
	refs, err := s.chain.Segments(context.Background(), 1)
	if err != nil || len(refs) == 0 {
		f.Fatalf("segments of epoch 1: %v %v", refs, err)
	}
	ref := refs[0]
	for _, b := range segments {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		seg, err := segment.Verify(raw, ref, 1)
		if err != nil {
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != segment.CodeMismatch {
				t.Fatalf("got %v, want a CodeSegmentMismatch error", err)
			}
			return
		}
		var r segment.Reports
		r.Add(testKinds, seg)
		if n := uint64(len(r.List)); n+r.Malformed != ref.Count {
			t.Fatalf("decoded %d reports of %d records", n, ref.Count)
		}
	})
}

// TestWriteFuzzCorpus writes the seed corpora under testdata/fuzz with
// -update, so `go test` replays them even without the f.Add seeds.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpora")
	}
	bundles, segments := fuzzSeeds(t)
	for i, b := range bundles {
		writeSeed(t, "FuzzDecodeBundle", i, fmt.Sprintf("[]byte(%s)", strconv.Quote(string(b))))
	}
	for i, b := range segments {
		writeSeed(t, "FuzzVerifySegment", i, fmt.Sprintf("[]byte(%s)", strconv.Quote(string(b))))
	}
}

func writeSeed(t *testing.T, target string, i int, values ...string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "go test fuzz v1\n" + strings.Join(values, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecodeStates: DecodeStates never panics, rejects with
// CodePriorMismatch, and whatever it accepts re-encodes to the same bytes.
func FuzzDecodeStates(f *testing.F) {
	s := newScenario(f)
	s.standard()
	p0 := s.publish(0)
	for _, b := range [][]byte{p0.States, p0.States[:len(p0.States)/2], []byte(`[{"kind":"a","state":"0g"}]`), []byte(`[{"kind":"a","state":""},{"kind":"a","state":""}]`), []byte("[]"), nil} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := score.DecodeStates(raw)
		if err != nil {
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != score.CodePriorMismatch {
				t.Fatalf("got %v, want a CodePriorMismatch error", err)
			}
			return
		}
		if again := score.EncodeStates(st); !bytes.Equal(again, raw) {
			t.Fatalf("accepted states re-encode differently")
		}
	})
}
