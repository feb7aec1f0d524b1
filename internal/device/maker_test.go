package device

import (
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

var (
	kCov     = "coverage"
	kSensor  = "sensor"
	kStore   = "storage"
	kCompute = "compute"
)

func TestRegisterMaker(t *testing.T) {
	e := newEnv(t)
	pub, _ := testKey("acme")
	typ, raw := RegisterMakerMsg("Acme Radio", pub, []string{kSensor, kCov}, 42)
	e.height = 7
	e.mustRun(e.authority, typ, raw)
	id := ledger.AddressOf(pub)
	m, ok := GetMaker(e.st, id)
	if !ok {
		t.Fatalf("maker %s not stored", id)
	}
	if m.Name != "Acme Radio" || m.OnboardFee != 42 || m.RegisteredHeight != 7 || !eqBytes(m.PubKey, pub) || !eqBytes(m.Id, id[:]) {
		t.Errorf("got maker %v, want name Acme Radio, fee 42, height 7, key and id set", m)
	}
	if len(m.Kinds) != 2 || m.Kinds[0] != kCov || m.Kinds[1] != kSensor {
		t.Errorf("got kinds %v, want [coverage sensor] sorted", m.Kinds)
	}
	if len(e.events) != 1 || e.events[0].Type != "device.maker_registered" {
		t.Fatalf("got events %v, want one device.maker_registered", e.events)
	}
	if got := e.events[0].Attrs[2].Value; got != "coverage,sensor" {
		t.Errorf("got kinds attr %q, want coverage,sensor", got)
	}
}

func TestRegisterMakerRejects(t *testing.T) {
	pub, _ := testKey("acme")
	otherPub, _ := testKey("other")
	msg := func(name string, pk []byte, kinds []string) []byte {
		_, raw := RegisterMakerMsg(name, pk, kinds, 1)
		return raw
	}
	cov := []string{kCov}
	tests := []struct {
		name   string
		signer string // "" is the authority
		raw    []byte
		code   ledger.Code
	}{
		{"garbage bytes", "", []byte{0xff, 0xff, 0xff}, ledger.CodeMalformed},
		{"unknown field", "", append(msg("X", otherPub, cov), 0xa0, 0x06, 0x01), ledger.CodeMalformed},
		{"not the authority", "mallory", msg("X", otherPub, cov), ledger.CodeUnauthorized},
		{"empty name", "", msg("", otherPub, cov), ledger.CodeMalformed},
		{"name too long", "", msg(strings.Repeat("a", 65), otherPub, cov), ledger.CodeTooLarge},
		{"name with newline", "", msg("a\nb", otherPub, cov), ledger.CodeMalformed},
		{"name with leading space", "", msg(" ab", otherPub, cov), ledger.CodeMalformed},
		{"name with non-ascii", "", msg("Acmé", otherPub, cov), ledger.CodeMalformed},
		{"short key", "", msg("X", otherPub[:31], cov), ledger.CodeMalformed},
		{"no kinds", "", msg("X", otherPub, nil), ledger.CodeMalformed},
		{"unspecified kind", "", msg("X", otherPub, []string{""}), ledger.CodeMalformed},
		{"unknown kind", "", msg("X", otherPub, []string{"weather"}), ledger.CodeMalformed},
		{"duplicate kind", "", msg("X", otherPub, []string{kCov, kSensor, kCov}), ledger.CodeMalformed},
		{"key registered", "", msg("Another", pub, cov), ledger.CodeMakerExists},
		{"name taken, other case", "", msg("ACME", otherPub, cov), ledger.CodeMakerExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.registerMaker("acme", 1, kCov)
			signer := e.authority
			if tt.signer != "" {
				signer = testAddr(tt.signer)
			}
			e.reject(signer, TypeRegisterMaker, tt.raw, tt.code)
		})
	}
}

func TestListMakersPages(t *testing.T) {
	e := newEnv(t)
	for _, l := range []string{"m1", "m2", "m3", "m4", "m5"} {
		e.registerMaker(l, 1, kCov)
	}
	var got []string
	page := Page{Limit: 2}
	for i := 0; ; i++ {
		ms, next := ListMakers(e.st, page)
		if len(ms) > 2 {
			t.Fatalf("page %d has %d makers, want at most 2", i, len(ms))
		}
		for _, m := range ms {
			got = append(got, m.Name)
		}
		if next == nil {
			break
		}
		page.Key = next
	}
	if len(got) != 5 {
		t.Fatalf("got %d makers over all pages (%v), want 5", len(got), got)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n] {
			t.Fatalf("maker %s listed twice", n)
		}
		seen[n] = true
	}
}
