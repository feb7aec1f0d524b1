package oracle

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/score"
)

// TestForgedReportsEarnNothing writes every report of one device into the
// log with a signature by another key, as someone who reached the log
// could (issue 8 item 3): the oracle counts them as forged, scores none of
// them, and the device earns nothing, while the same device earns with its
// own signatures.
func TestForgedReportsEarnNothing(t *testing.T) {
	const victim = 2
	honest := newScenario(t)
	honest.standard()
	h0 := honest.publish(0)
	dev := honest.devs[victim]
	if e, ok := score.FindExplanation(h0.Output.Explanations(), dev); !ok || e.Payout == 0 {
		t.Fatalf("honest run: device %d got %+v, want a payout (the test would show nothing)", victim, e)
	}

	s := newScenario(t)
	s.forged = map[int]bool{victim: true}
	s.standard()
	p0 := s.publish(0)
	if p0.Output.Summary.Forged == 0 || p0.Output.Summary.Forged != uint64(len(honestReportsOf(h0, dev))) {
		t.Errorf("forged reports: got %d, want %d (every report of device %d)", p0.Output.Summary.Forged, len(honestReportsOf(h0, dev)), victim)
	}
	if e, ok := score.FindExplanation(p0.Output.Explanations(), dev); ok && (e.Payout != 0 || len(e.Reports) != 0 || e.Cumulative != 0) {
		t.Errorf("device %d with forged reports: got payout %d, %d reports, cumulative %d; want nothing", victim, e.Payout, len(e.Reports), e.Cumulative)
	}
}

func honestReportsOf(p *Published, dev ledger.Address) []score.ReportReason {
	e, _ := score.FindExplanation(p.Output.Explanations(), dev)
	return e.Reports
}
