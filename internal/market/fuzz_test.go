package market

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

var updateCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite the seed corpus under testdata/fuzz")

// fuzzTypes are the message types FuzzHandlers picks from.
var fuzzTypes = []string{
	TypeCreateProvider, TypeSetAuditor, TypeAttest, TypeCreateOrder, TypeCloseOrder, TypeBid,
	TypeCloseBid, TypeAccept, TypeDeposit, TypeCloseLease, TypeSubmitReceipts, credit.TypeBuy, TypeUpdateProvider,
}

// fuzzSigners are the signers a fuzz input may pick.
var fuzzSigners = []string{"alice", "bob", "p1", "p2", "authority"}

func fuzzSigner(s uint8) ledger.Address {
	if l := fuzzSigners[int(s)%len(fuzzSigners)]; l != "authority" {
		return testAddr(l)
	}
	return testAddr("authority")
}

type handlerSeed struct {
	typ    uint8
	msg    proto.Message
	signer uint8
	valid  bool
}

func typeIndex(typ string) uint8 {
	for i, t := range fuzzTypes {
		if t == typ {
			return uint8(i)
		}
	}
	panic(typ)
}

// handlerSeeds are valid messages against rejectEnv and near misses, so the
// fuzzer starts deep in every handler.
func handlerSeeds(e *env) []handlerSeed {
	p1, alice := testAddr("p1"), testAddr("alice")
	return []handlerSeed{
		{typeIndex(TypeCreateProvider), &marketv1.MsgCreateProvider{HostUri: "https://p2.example", Attributes: []*marketv1.Attribute{{Key: "region", Value: "eu"}}}, 3, true},
		{typeIndex(TypeSetAuditor), &marketv1.MsgSetAuditor{Auditor: alice[:]}, 4, true},
		{typeIndex(TypeAttest), &marketv1.MsgAttest{Provider: p1[:], Attributes: []*marketv1.Attribute{{Key: "gpu", Value: "a100"}}}, 0, false},
		{typeIndex(TypeCreateOrder), &marketv1.MsgCreateOrder{Kind: "storage", Quantity: 4, MaxPrice: 100, Duration: 50, Deposit: 600_000}, 0, true},
		{typeIndex(TypeCloseOrder), &marketv1.MsgCloseOrder{Order: 1}, 0, true},
		{typeIndex(TypeBid), &marketv1.MsgBid{Order: 1, Price: 1_001, Collateral: 500_000}, 2, false},
		{typeIndex(TypeCloseBid), &marketv1.MsgCloseBid{Order: 1}, 2, true},
		{typeIndex(TypeAccept), &marketv1.MsgAccept{Order: 1, Provider: p1[:]}, 0, true},
		{typeIndex(TypeDeposit), &marketv1.MsgDeposit{Lease: 1, Amount: 1_000}, 1, true},
		{typeIndex(TypeCloseLease), &marketv1.MsgCloseLease{Lease: 1, Reason: ReasonProviderDecommission}, 2, true},
		{typeIndex(TypeSubmitReceipts), &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 1, 7, 9)}}, 2, true},
		{typeIndex(credit.TypeBuy), &creditv1.MsgBuy{Beneficiary: p1[:], Credits: 77}, 1, true},
		{typeIndex(TypeUpdateProvider), &marketv1.MsgUpdateProvider{HostUri: "https://p1.example/v2", Attributes: []*marketv1.Attribute{{Key: "region", Value: "us"}}}, 2, true},
	}
}

// TestFuzzSeeds checks that the seeds do what they claim, and rewrites the
// checked-in corpus with -update-fuzz-corpus.
func TestFuzzSeeds(t *testing.T) {
	for i, s := range handlerSeeds(rejectEnv(t)) {
		e := rejectEnv(t)
		raw := mustMarshal(t, s.msg)
		err := e.deliverRaw(fuzzSigner(s.signer), fuzzTypes[s.typ], raw)
		if (err == nil) != s.valid {
			t.Errorf("seed %d (%s): got %v, want accepted %v", i, fuzzTypes[s.typ], err, s.valid)
		}
		writeSeed(t, "FuzzHandlers", i, fmt.Sprintf("uint8(%d)\n[]byte(%q)\nuint8(%d)\n", s.typ, raw, s.signer))
	}
	e := rejectEnv(t)
	for i, raw := range receiptSeeds(e) {
		writeSeed(t, "FuzzDecodeReceipt", i, fmt.Sprintf("[]byte(%q)\n", raw))
	}
}

func receiptSeeds(e *env) [][]byte {
	sr := e.receipt("alice", "p1", 0, 10, 1)
	bad := proto.Clone(sr).(*marketv1.SignedReceipt)
	return [][]byte{sr.Receipt, bad.Receipt[:len(bad.Receipt)-1], {0x0a, 0x00}, nil}
}

func writeSeed(t *testing.T, target string, i int, body string) {
	if !*updateCorpus {
		return
	}
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte("go test fuzz v1\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzHandlers feeds arbitrary bytes to every market and credit handler
// over rejectEnv's state: a handler never panics, a rejection carries a
// named code and a message and changes nothing, and the invariants hold
// after the message and after the next end block.
func FuzzHandlers(f *testing.F) {
	f.Fuzz(func(t *testing.T, typ uint8, raw []byte, signer uint8) {
		e := rejectEnv(t)
		before := e.snapshot()
		err := e.deliverRaw(fuzzSigner(signer), fuzzTypes[int(typ)%len(fuzzTypes)], raw)
		if err != nil {
			if strings.HasPrefix(err.Code.String(), "code_") || err.Msg == "" {
				t.Fatalf("rejection without a named code and message: %v", err)
			}
			if e.snapshot() != before {
				t.Fatalf("rejected (%v) but changed state", err)
			}
		}
		e.checkInvariants()
		e.endBlock()
	})
}

// FuzzDecodeReceipt feeds arbitrary bytes to the receipt decoder: it never
// panics, and what it accepts re-encodes to a receipt that decodes the same.
func FuzzDecodeReceipt(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := DecodeReceipt(raw)
		if err != nil {
			if strings.HasPrefix(err.Code.String(), "code_") || err.Msg == "" {
				t.Fatalf("rejection without a named code and message: %v", err)
			}
			return
		}
		again, err := DecodeReceipt(encode(r))
		if err != nil || !proto.Equal(r, again) {
			t.Fatalf("accepted receipt does not round-trip: %v", err)
		}
	})
}
