package oracle

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden is what the golden file pins for each epoch.
type golden struct {
	InputsHash string              `json:"inputs_hash"`
	Summary    score.Summary       `json:"summary"`
	Devices    []score.Explanation `json:"devices"`
}

// TestPipelineGolden runs two epochs of signed reports through Prepare and
// Run and compares summaries and explanations with the reviewed golden
// file (regenerate with -update and review the diff).
func TestPipelineGolden(t *testing.T) {
	s := newScenario(t)
	s.standard()
	p0 := s.publish(0)
	p1 := s.publish(1)
	var got []golden
	for _, p := range []*Published{p0, p1} {
		got = append(got, golden{InputsHash: p.Output.Summary.InputsHash, Summary: p.Output.Summary, Devices: p.Output.Explanations()})
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", "golden_epochs.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("pipeline output differs from %s; rerun with -update and review the diff", path)
	}
	// Sanity independent of the golden file: epoch 1 pays devices and
	// carries epoch 0's totals forward.
	if p1.Output.Summary.DevicesPaid == 0 {
		t.Errorf("epoch 1 paid %d devices, want > 0", p1.Output.Summary.DevicesPaid)
	}
	for _, e := range p0.Output.Reward.Manifest.Entries {
		i, ok := p1.Output.Reward.Manifest.Find(e.Device)
		if !ok || p1.Output.Reward.Manifest.Entries[i].Cumulative < e.Cumulative {
			t.Errorf("device %s: cumulative fell from epoch 0 to 1", e.Device)
		}
	}
	var badFreq uint64
	for _, c := range p0.Output.Summary.ByReason {
		if c.Reason == coverage.ReasonInvalidFrequency.String() {
			badFreq = c.Count
		}
	}
	if badFreq != 1 {
		t.Errorf("epoch 0 invalid_frequency witnesses: got %d, want 1", badFreq)
	}
}

// TestRunDeterministic runs the same inputs twice, with the reports in
// reverse order the second time, and expects identical bytes.
func TestRunDeterministic(t *testing.T) {
	s := newScenario(t)
	s.standard()
	p0 := s.publish(0)
	b, reps := inputsOf(t, p0)
	for i, j := 0, len(reps.List)-1; i < j; i, j = i+1, j-1 {
		reps.List[i], reps.List[j] = reps.List[j], reps.List[i]
	}
	out, err := score.Run(score.EpochInputs{Bundle: b, Reports: reps, Kinds: testKinds, Geo: geo.H3{}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Root != p0.Output.Root {
		t.Errorf("root after reordering: got %s, want %s", out.Root, p0.Output.Root)
	}
	x, _ := json.Marshal(out.Explanations())
	y, _ := json.Marshal(p0.Output.Explanations())
	if !bytes.Equal(x, y) {
		t.Errorf("explanations differ after reordering the reports")
	}
}

// inputsOf decodes a published epoch's bundle and reports.
func inputsOf(t *testing.T, p *Published) (*score.Bundle, segment.Reports) {
	t.Helper()
	b, err := score.DecodeBundle(p.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	var reps segment.Reports
	for i, raw := range p.Segments {
		seg, err := segment.Verify(raw, b.Segments[i], b.Epoch)
		if err != nil {
			t.Fatal(err)
		}
		reps.Add(testKinds, seg)
	}
	return b, reps
}

func TestRunRejects(t *testing.T) {
	s := newScenario(t)
	s.standard()
	p0 := s.publish(0)
	p1 := s.publish(1)
	b1, reps := inputsOf(t, p1)
	tests := []struct {
		name string
		mut  func(in *score.EpochInputs)
		code ledger.Code
	}{
		{"unknown scorer version", func(in *score.EpochInputs) { in.Bundle.ScorerVersion = 99 }, score.CodeUnknownScorer},
		{"prior manifest not the named root", func(in *score.EpochInputs) { in.Prior = in.Prior[1:] }, score.CodePriorMismatch},
		{"prior given without a prior epoch", func(in *score.EpochInputs) { in.Bundle.HasPrior = false }, score.CodePriorMismatch},
		{"no bundle", func(in *score.EpochInputs) { in.Bundle = nil }, score.CodeBundleMismatch},
		{"unsorted devices", func(in *score.EpochInputs) {
			h := in.Bundle.Kinds[0].Devices
			h[0], h[1] = h[1], h[0]
		}, score.CodeBundleMismatch},
		{"unknown kind", func(in *score.EpochInputs) { in.Bundle.Kinds[0].Name = "weather" }, score.CodeUnknownScorer},
		{"unknown kind scorer version", func(in *score.EpochInputs) { in.Bundle.Kinds[0].ScorerVersion = 99 }, score.CodeUnknownScorer},
		{"density target above max", func(in *score.EpochInputs) {
			p := in.Bundle.Kinds[0].Params
			for i := range p {
				if p[i].Name == "coverage.density_res8_target" {
					p[i].Value = 2
				}
			}
		}, score.CodeBundleMismatch},
		{"pool list without the coverage pool", func(in *score.EpochInputs) {
			in.Bundle.Pools[0].Name = "storage"
		}, ledger.CodeMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cp := *b1
			cp.Kinds = []score.KindInputs{b1.Kinds[0]}
			cp.Kinds[0].Devices = append([]kind.Device(nil), b1.Kinds[0].Devices...)
			cp.Kinds[0].Params = append(kind.Params(nil), b1.Kinds[0].Params...)
			cp.Pools = append(cp.Pools[:0:0], b1.Pools...)
			in := score.EpochInputs{Bundle: &cp, Reports: reps, Prior: p0.Output.Reward.Manifest.Entries, Kinds: testKinds, Geo: geo.H3{}}
			tc.mut(&in)
			_, err := score.Run(in)
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != tc.code {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
		})
	}
}
