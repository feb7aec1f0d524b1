package oracle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// published builds the standard scenario and publishes epochs 0 and 1.
func published(t *testing.T) (*scenario, *Published, *Published) {
	t.Helper()
	s := newScenario(t)
	s.standard()
	p0 := s.publish(0)
	p1 := s.publish(1)
	return s, p0, p1
}

func TestReplayMatches(t *testing.T) {
	s, p0, p1 := published(t)
	for _, p := range []*Published{p0, p1} {
		res, err := score.Replay(context.Background(), s.chain, s.segs, testKinds, p.Epoch, geo.H3{})
		if err != nil {
			t.Fatalf("Replay(%d): %v", p.Epoch, err)
		}
		if !res.Match || res.ReplayRoot != p.Output.Root.String() || !res.InputsOnChain {
			t.Errorf("epoch %d: got match %v root %s inputs on chain %v, want match at %s with the inputs hash checked",
				p.Epoch, res.Match, res.ReplayRoot, res.InputsOnChain, p.Output.Root)
		}
		if len(res.Differences) != 0 {
			t.Errorf("epoch %d: got %d differences, want 0", p.Epoch, len(res.Differences))
		}
	}
}

// forge rewrites one record of the first segment of epoch n in the
// source, keeping the segment canonical (only the content changes).
func forge(t *testing.T, s *scenario, ref segment.Ref, mut func(*ingestv1.LogRecord)) {
	t.Helper()
	raw := s.segs.segments[ref.Hash]
	seg, err := segment.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	rec := new(ingestv1.LogRecord)
	if err := unmarshal(seg.Records[0], rec); err != nil {
		t.Fatal(err)
	}
	mut(rec)
	if seg.Records[0], err = marshal(rec); err != nil {
		t.Fatal(err)
	}
	if s.segs.segments[ref.Hash], err = segment.Encode(seg); err != nil {
		t.Fatal(err)
	}
}

func TestReplayRejects(t *testing.T) {
	tests := []struct {
		name string
		mut  func(t *testing.T, s *scenario, p1 *Published)
		code ledger.Code
		msg  string
	}{
		{"forged segment contents", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			forge(t, s, b.Segments[0], func(r *ingestv1.LogRecord) { r.Received += 1 })
		}, segment.CodeMismatch, "content hash"},
		{"segment swapped for another epoch's", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			for h, raw := range s.segs.segments {
				if h != b.Segments[0].Hash && h != b.Segments[1].Hash {
					s.segs.segments[b.Segments[0].Hash] = raw
					break
				}
			}
		}, segment.CodeMismatch, "content hash"},
		{"tampered bundle", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			b.Kinds[0].Devices[2].Cell = b.Kinds[0].Devices[3].Cell // move a device onto another
			raw, err := score.EncodeBundle(b)
			if err != nil {
				t.Fatal(err)
			}
			s.segs.bundles[1] = raw
		}, score.CodeBundleMismatch, "bundle hash"},
		{"bundle not canonical", func(t *testing.T, s *scenario, p1 *Published) {
			s.segs.bundles[1] = append([]byte(" "), p1.Bundle...)
		}, score.CodeBundleMismatch, "bundle hash"},
		{"scorer version on chain unknown to this build", func(t *testing.T, s *scenario, p1 *Published) {
			set, _ := s.chain.Settlement(context.Background(), 1)
			set.ScorerVersion = 99
			set.InputsHash = nil
			s.chain.SetSettlement(set)
		}, score.CodeScorerMismatch, "scorer version 1, the chain records 99"},
		{"bundle names another scorer version", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			b.ScorerVersion = 2
			raw, _ := score.EncodeBundle(b)
			s.segs.bundles[1] = raw
			set, _ := s.chain.Settlement(context.Background(), 1)
			set.InputsHash = nil // a chain that does not record the inputs hash
			s.chain.SetSettlement(set)
		}, score.CodeScorerMismatch, "scorer version 2"},
		{"bundle params other than the epoch recorded", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			b.Kinds[0].Params[0].Value++
			rebundle(t, s, b)
		}, score.CodeBundleMismatch, "the chain recorded"},
		{"bundle scores a kind with another version than the epoch recorded", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			b.Kinds[0].ScorerVersion = 7
			rebundle(t, s, b)
		}, score.CodeScorerMismatch, "the chain recorded 1"},
		{"bundle window other than the recorded block times and slack", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			b.End += int64(time.Minute)
			rebundle(t, s, b)
		}, score.CodeBundleMismatch, "receive window"},
		{"prior states other than the settled ones", func(t *testing.T, s *scenario, p1 *Published) {
			b, _ := score.DecodeBundle(p1.Bundle)
			b.Kinds[0].State = append(b.Kinds[0].State, 0)
			rebundle(t, s, b)
		}, score.CodePriorMismatch, "another state than epoch 0 settled"},
		{"published prior states forged", func(t *testing.T, s *scenario, p1 *Published) {
			s.segs.states[0] = score.EncodeStates([]score.KindState{{Kind: "coverage", State: []byte{1}}})
		}, score.CodePriorMismatch, "published state of epoch 0"},
		{"committed segment missing from the bundle", func(t *testing.T, s *scenario, p1 *Published) {
			s.chain.CommitSegment(1, segment.Ref{Hash: [32]byte{1}, Count: 1})
		}, score.CodeBundleMismatch, "missing from the bundle"},
		{"prior manifest forged", func(t *testing.T, s *scenario, p1 *Published) {
			m, _ := reward.DecodeManifest(s.segs.manifests[0])
			m.Entries[0].Cumulative++
			s.segs.manifests[0] = reward.EncodeManifest(m)
		}, score.CodePriorMismatch, "published manifest of epoch 0"},
		{"epoch not settled", func(t *testing.T, s *scenario, p1 *Published) {
			s.epoch(2)
		}, score.CodeEpochNotSettled, "no settled root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _, p1 := published(t)
			tc.mut(t, s, p1)
			epoch := uint64(1)
			if tc.code == score.CodeEpochNotSettled {
				epoch = 2
			}
			res, err := score.Replay(context.Background(), s.chain, s.segs, testKinds, epoch, geo.H3{})
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != tc.code || !strings.Contains(le.Msg, tc.msg) {
				t.Fatalf("got result %+v, error %v; want code %s with %q", res, err, tc.code, tc.msg)
			}
		})
	}
}

// TestReplayNamesDifferingDevices settles epoch 1 with a root the
// published inputs do not produce (a chain that does not record the inputs
// hash, and a bundle whose registry was altered): replay reports the
// mismatch and the devices that differ, with the reports whose verdicts
// changed.
func TestReplayNamesDifferingDevices(t *testing.T) {
	s, _, p1 := published(t)
	b, _ := score.DecodeBundle(p1.Bundle)
	moved := b.Kinds[0].Devices[2].ID
	b.Kinds[0].Devices[2].Cell = b.Kinds[0].Devices[3].Cell
	raw, err := score.EncodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	s.segs.bundles[1] = raw
	set, _ := s.chain.Settlement(context.Background(), 1)
	set.InputsHash = nil
	s.chain.SetSettlement(set)

	res, err := score.Replay(context.Background(), s.chain, s.segs, testKinds, 1, geo.H3{})
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	if res.Match || res.InputsOnChain {
		t.Fatalf("got match %v, inputs on chain %v; want a mismatch found without an inputs hash", res.Match, res.InputsOnChain)
	}
	if res.PublishedRoot != p1.Output.Root.String() {
		t.Errorf("published root: got %s, want %s", res.PublishedRoot, p1.Output.Root)
	}
	found := false
	for _, d := range res.Differences {
		if d.Device == moved.String() {
			found = true
			if len(d.Reports) == 0 {
				t.Errorf("device %s differs but no report verdict is named", d.Device)
			}
			for _, r := range d.Reports {
				if r.Published == r.Replayed && r.PublishedShare == r.ReplayedShare {
					t.Errorf("report %s listed with the same verdict %q and share %d on both sides", r.ID, r.Published, r.PublishedShare)
				}
			}
		}
	}
	if !found {
		t.Errorf("differences %+v do not name the moved device %s", res.Differences, moved)
	}
}

// rebundle publishes b as epoch 1's bundle on a chain that does not record
// the inputs hash, so that replay reaches its checks against the chain's
// epoch record and settlements.
func rebundle(t *testing.T, s *scenario, b *score.Bundle) {
	t.Helper()
	raw, err := score.EncodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	s.segs.bundles[1] = raw
	set, _ := s.chain.Settlement(context.Background(), 1)
	set.InputsHash = nil
	s.chain.SetSettlement(set)
}
