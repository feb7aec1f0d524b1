package chain

import (
	"testing"

	"github.com/depin-network/depin/internal/reward"
)

// TestRewardPayersComplete: every forwarded recipient has a module paying
// it, so no pool silently falls to the treasury for want of wiring.
func TestRewardPayersComplete(t *testing.T) {
	payers := rewardPayers()
	n := 0
	for r := reward.Recipient(1); r.Valid(); r++ {
		if r.Forwarded() {
			n++
			if payers[r] == nil {
				t.Errorf("forwarded recipient %s has no payer", r)
			}
		}
	}
	if n != len(payers) {
		t.Errorf("%d forwarded recipients, %d payers", n, len(payers))
	}
}
