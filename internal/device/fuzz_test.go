package device

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

var updateCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite the seed corpus under testdata/fuzz")

// Signers a fuzz input may pick.
const (
	fuzzOwner uint8 = iota
	fuzzAuthority
	fuzzStranger
)

// fuzzSeed is one seed input and whether it must be accepted.
type fuzzSeed struct {
	raw    []byte
	signer uint8
	valid  bool
}

func fuzzSigner(f *registryFix, s uint8) ledger.Address {
	switch s % 3 {
	case fuzzOwner:
		return f.owner
	case fuzzAuthority:
		return f.authority
	}
	return testAddr("stranger")
}

// fuzzSeeds builds the seeds of each handler against newRegistryFix's
// fixed keys: valid messages, so the fuzzer starts deep in the handlers,
// and near misses.
func fuzzSeeds(t *testing.T) map[string][]fuzzSeed {
	f := newRegistryFix(t)
	newMaker, _ := testKey("new-maker")
	buyer := testAddr("buyer")
	_, reg := RegisterMakerMsg("Initech", newMaker, []string{kCov, kCompute}, 7)
	_, regDup := RegisterMakerMsg("acme", newMaker, []string{kCov}, 7)
	_, onb := Onboard(f.makerPriv, mustPriv("fz-new"), kSensor, "FZ-1", testChain, f.owner)
	_, onbKind := Onboard(f.makerPriv, mustPriv("fz-new"), kStore, "FZ-1", testChain, f.owner)
	_, onbChain := Onboard(f.makerPriv, mustPriv("fz-new"), kCov, "FZ-1", "other", f.owner)
	_, asCov := AssertLocationMsg(f.cov, cellLisbon12, covAttrs(50, 10))
	_, asSen := AssertLocationMsg(f.sen, cellPorto12, nil)
	_, asBad := AssertLocationMsg(f.cov, cellLisbon7, covAttrs(50, 10))
	_, tr := TransferMsg(f.cov, buyer)
	_, trSelf := TransferMsg(f.sen, f.owner)
	_, dc := DecommissionMsg(f.sen)
	_, dcUnknown := DecommissionMsg(buyer)
	return map[string][]fuzzSeed{
		"FuzzRegisterMaker": {{reg, fuzzAuthority, true}, {reg, fuzzOwner, false}, {regDup, fuzzAuthority, false}, {nil, fuzzAuthority, false}},
		"FuzzOnboard":       {{onb, fuzzOwner, true}, {onbKind, fuzzOwner, false}, {onbChain, fuzzOwner, false}, {onb, fuzzStranger, false}},
		"FuzzAssertLocation": {{asCov, fuzzOwner, true}, {asSen, fuzzOwner, true}, {asBad, fuzzOwner, false},
			{asCov, fuzzStranger, false}},
		"FuzzTransfer":     {{tr, fuzzOwner, true}, {trSelf, fuzzOwner, false}, {tr, fuzzStranger, false}},
		"FuzzDecommission": {{dc, fuzzOwner, true}, {dcUnknown, fuzzOwner, false}, {dc, fuzzStranger, false}},
	}
}

var fuzzTypes = map[string]string{
	"FuzzRegisterMaker":  TypeRegisterMaker,
	"FuzzOnboard":        TypeOnboard,
	"FuzzAssertLocation": TypeAssertLocation,
	"FuzzTransfer":       TypeTransfer,
	"FuzzDecommission":   TypeDecommission,
}

// TestFuzzSeeds checks that the seeds do what they claim, and rewrites the
// checked-in corpus with -update-fuzz-corpus.
func TestFuzzSeeds(t *testing.T) {
	for name, seeds := range fuzzSeeds(t) {
		for i, s := range seeds {
			f := newRegistryFix(t)
			err := f.run(fuzzSigner(f, s.signer), fuzzTypes[name], s.raw)
			if (err == nil) != s.valid {
				t.Errorf("%s seed %d: got error %v, want accepted %v", name, i, err, s.valid)
			}
			if *updateCorpus {
				dir := filepath.Join("testdata", "fuzz", name)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nuint8(%d)\n", s.raw, s.signer)
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// fuzzHandler feeds arbitrary bytes to a handler over the registry fixture:
// it must never panic, a rejection must carry a named code and a message
// and change nothing, and the registry's invariants must hold either way.
func fuzzHandler(f *testing.F, typ string) {
	f.Fuzz(func(t *testing.T, raw []byte, signer uint8) {
		fx := newRegistryFix(t)
		before := snapshot(fx.st)
		err := fx.run(fuzzSigner(fx, signer), typ, raw)
		if err != nil {
			if strings.HasPrefix(err.Code.String(), "code_") || err.Msg == "" {
				t.Fatalf("rejection without a named code and message: %v", err)
			}
			if d := diffSnapshots(before, snapshot(fx.st)); d != "" {
				t.Fatalf("rejected (%v) but changed state: %s", err, d)
			}
		}
		if e := Invariants(fx.st); e != nil {
			t.Fatalf("after %s (error %v): %v", typ, err, e)
		}
	})
}

func FuzzRegisterMaker(f *testing.F)  { fuzzHandler(f, TypeRegisterMaker) }
func FuzzOnboard(f *testing.F)        { fuzzHandler(f, TypeOnboard) }
func FuzzAssertLocation(f *testing.F) { fuzzHandler(f, TypeAssertLocation) }
func FuzzTransfer(f *testing.F)       { fuzzHandler(f, TypeTransfer) }
func FuzzDecommission(f *testing.F)   { fuzzHandler(f, TypeDecommission) }
