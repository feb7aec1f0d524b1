package proof

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
)

// The handler fuzz targets run arbitrary bytes from one of three signers
// (the operator, the authority, a stranger) in epoch 1 with epoch 0 in its
// grace blocks. A handler must not panic, a rejection must change nothing
// (the fixture checks), an acceptance must keep the invariants.

func fuzzSigner(b uint8) ledger.Address {
	switch b % 3 {
	case 0:
		return operator
	case 1:
		return authority
	}
	return stranger
}

func fuzzFixture(t testing.TB) *fixture {
	f := newFixture(t, nil)
	f.advanceTo(3)
	if e := f.exec(operator, TypeCommitSegment, commit(0, 0, 5)); e != nil {
		t.Fatal(e)
	}
	f.advanceTo(epochBlocks + 1)
	return f
}

type seed struct {
	signer uint8
	raw    []byte
}

func seeds(t testing.TB, typ string) []seed {
	var out []seed
	add := func(s uint8, m proto.Message) {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, seed{s, b})
	}
	other := addr("other")
	switch typ {
	case TypeCommitSegment:
		add(0, commit(1, 1, 10))
		add(0, commit(0, 2, 10))
		add(0, commit(0, 0, 10))
		add(2, commit(1, 3, 10))
		add(0, commit(7, 4, 10))
	case TypeAddOperator:
		add(1, &proofv1.MsgAddOperator{Operator: other[:]})
		add(1, &proofv1.MsgAddOperator{Operator: operator[:]})
		add(2, &proofv1.MsgAddOperator{Operator: other[:]})
	case TypeRemoveOperator:
		add(1, &proofv1.MsgRemoveOperator{Operator: operator[:]})
		add(1, &proofv1.MsgRemoveOperator{Operator: other[:]})
	}
	return append(out, seed{0, nil}, seed{1, []byte{0xf8, 0x07, 0x01}})
}

func fuzzHandler(f *testing.F, typ string) {
	for _, s := range seeds(f, typ) {
		f.Add(s.signer, s.raw)
	}
	f.Fuzz(func(t *testing.T, signer uint8, raw []byte) {
		fx := fuzzFixture(t)
		if e := fx.execRaw(fuzzSigner(signer), typ, raw); e != nil {
			if e.Code == ledger.CodeOK || e.Msg == "" {
				t.Fatalf("rejection without code or message: %+v", e)
			}
			return
		}
		if err := Invariants(fx.st); err != nil {
			t.Fatalf("accepted %s broke an invariant: %v", typ, err)
		}
		fx.block() // the entropy and epoch hooks run on the new state
	})
}

func FuzzCommitSegment(f *testing.F)  { fuzzHandler(f, TypeCommitSegment) }
func FuzzAddOperator(f *testing.F)    { fuzzHandler(f, TypeAddOperator) }
func FuzzRemoveOperator(f *testing.F) { fuzzHandler(f, TypeRemoveOperator) }

// TestWriteFuzzCorpus writes the seed corpora under testdata/fuzz with
// -update, so `go test` replays them even without the f.Add seeds.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpora")
	}
	for target, typ := range map[string]string{
		"FuzzCommitSegment": TypeCommitSegment, "FuzzAddOperator": TypeAddOperator, "FuzzRemoveOperator": TypeRemoveOperator,
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds(t, typ) {
			body := strings.Join([]string{"go test fuzz v1", fmt.Sprintf("byte(%d)", s.signer), fmt.Sprintf("[]byte(%s)", strconv.Quote(string(s.raw)))}, "\n") + "\n"
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
