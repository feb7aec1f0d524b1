package energy

import (
	"testing"

	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
)

// TestReadCodes holds the read-reason table in step with the kind: every
// reason Check refuses a read with has its own code, distinct from the
// others and from the fallback, and the table names no other reason.
func TestReadCodes(t *testing.T) {
	seen := map[ledger.Code]string{}
	for _, r := range kenergy.CheckRejections() {
		if kenergy.Accepted(r) {
			t.Errorf("rejection %q is an accepted reason", r)
		}
		c, ok := readCodes[r]
		if !ok || c == ledger.CodeOK || c == CodeBadReport {
			t.Errorf("reason %q has no code of its own (%d, %v)", r, c, ok)
		}
		if o, dup := seen[c]; dup {
			t.Errorf("reasons %q and %q share code %d", o, r, c)
		}
		seen[c] = r
		if readCode(r) != c {
			t.Errorf("readCode(%q) = %d, want %d", r, readCode(r), c)
		}
	}
	if len(readCodes) != len(kenergy.CheckRejections()) {
		t.Errorf("readCodes has %d reasons, the kind refuses with %d", len(readCodes), len(kenergy.CheckRejections()))
	}
	if readCode("renamed_reason") != CodeBadReport {
		t.Errorf("an unknown reason maps to %d, want bad_read_report", readCode("renamed_reason"))
	}
}
