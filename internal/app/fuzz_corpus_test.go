package app_test

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

var updateCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite the seed corpus under testdata/fuzz")

func enc(m proto.Message) []byte {
	bz, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return bz
}

// Signer indexes into fuzzSigners.
const (
	byOwner uint8 = iota
	byAuthority
	byStranger
)

type msgSeed struct {
	value  []byte
	signer uint8
	want   ledger.Code
}

// messageSeeds are the seeds of the message fuzzers: valid messages for the
// fixture, so that the fuzzer starts deep inside each handler, and near
// misses of each rule.
func messageSeeds() map[string][]msgSeed {
	owner, stranger := fuzzAddr("owner"), fuzzAddr("stranger")
	dev1, dev2, dev3 := fuzzAddr("dev1"), fuzzAddr("dev2"), fuzzAddr("dev3")
	var zero ledger.Address
	_, newMaker := device.RegisterMakerMsg("fuzz-maker-2", fuzzKey("maker2")[32:], []string{"archive"}, 5)
	_, dupMaker := device.RegisterMakerMsg("Fuzz-Maker", fuzzKey("maker2")[32:], []string{"archive"}, 5)
	onboard := func(dev, chainID string) []byte {
		return onboardMsg(dev, "coverage", "S-"+dev, chainID).value
	}
	assert := func(id ledger.Address, cell uint64, gain, elevation int32) []byte {
		_, v := device.AssertLocationMsg(id, cell, coverage.EncodeAttributes(gain, elevation, coverage.RegionUnknown))
		return v
	}
	transfer := func(id, to ledger.Address) []byte { _, v := device.TransferMsg(id, to); return v }
	decommission := func(id ledger.Address) []byte { _, v := device.DecommissionMsg(id); return v }
	set := func(name string, v uint64) []byte {
		return enc(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: name, Value: v}}})
	}
	return map[string][]msgSeed{
		"FuzzMsgBankSend": {
			{enc(&bankv1.MsgSend{To: stranger[:], Amount: 5}), byOwner, ledger.CodeOK},
			{enc(&bankv1.MsgSend{To: stranger[:]}), byOwner, ledger.CodeInvalidAmount},
			{enc(&bankv1.MsgSend{To: stranger[:5], Amount: 5}), byOwner, ledger.CodeInvalidAddress},
			{enc(&bankv1.MsgSend{To: owner[:], Amount: math.MaxUint64}), byStranger, ledger.CodeInsufficientFunds},
		},
		"FuzzMsgBankMultiSend": {
			{enc(&bankv1.MsgMultiSend{Outputs: []*bankv1.Output{{To: stranger[:], Amount: 3}, {To: owner[:], Amount: 4}}}), byAuthority, ledger.CodeOK},
			{enc(&bankv1.MsgMultiSend{Outputs: []*bankv1.Output{{To: stranger[:], Amount: math.MaxUint64}, {To: owner[:], Amount: 1}}}), byOwner, ledger.CodeOverflow},
			{enc(&bankv1.MsgMultiSend{}), byOwner, ledger.CodeMalformed},
		},
		"FuzzMsgParamsSet": {
			{set("bank.min_fee", 500), byAuthority, ledger.CodeOK},
			{set("bank.min_fee", 500), byOwner, ledger.CodeUnauthorized},
			{set("tx.max_msgs", 0), byAuthority, ledger.CodeParamOutOfBounds},
			{set("no.such", 1), byAuthority, ledger.CodeUnknownParam},
		},
		"FuzzMsgParamsSetAuthority": {
			{enc(&paramsv1.MsgSetAuthority{Authority: owner[:]}), byAuthority, ledger.CodeOK},
			{enc(&paramsv1.MsgSetAuthority{Authority: zero[:]}), byAuthority, ledger.CodeInvalidAddress},
			{enc(&paramsv1.MsgSetAuthority{Authority: owner[:]}), byStranger, ledger.CodeUnauthorized},
		},
		"FuzzMsgRegisterMaker": {
			{newMaker, byAuthority, ledger.CodeOK},
			{dupMaker, byAuthority, ledger.CodeMakerExists},
			{newMaker, byOwner, ledger.CodeUnauthorized},
		},
		"FuzzMsgOnboard": {
			{onboard("dev4", fuzzChain), byOwner, ledger.CodeOK},
			{onboard("dev4", "depin-other"), byOwner, ledger.CodeWrongChainID},
			{onboard("dev1", fuzzChain), byOwner, ledger.CodeDeviceExists},
			{onboard("dev4", fuzzChain), byStranger, ledger.CodeUnauthorized},
		},
		"FuzzMsgAssertLocation": {
			{assert(dev1, cellPorto12, 40, 12), byOwner, ledger.CodeOK},
			{assert(dev2, cellPorto12, 0, 0), byOwner, ledger.CodeOK},
			{assert(dev1, cellLisbon12, 40, 12), byOwner, device.CodeLocationUnchanged},
			{assert(dev1, 1, 40, 12), byOwner, ledger.CodeInvalidCell},
			{assert(dev1, cellPorto12, 40, 12), byStranger, ledger.CodeUnauthorized},
		},
		"FuzzMsgTransfer": {
			{transfer(dev1, stranger), byOwner, ledger.CodeOK},
			{transfer(dev1, owner), byOwner, ledger.CodeInvalidAddress},
			{transfer(dev3, stranger), byOwner, ledger.CodeDeviceDecommissioned},
		},
		"FuzzMsgDecommission": {
			{decommission(dev1), byOwner, ledger.CodeOK},
			{decommission(dev3), byOwner, ledger.CodeDeviceDecommissioned},
			{decommission(stranger), byOwner, ledger.CodeUnknownDevice},
		},
	}
}

// txSeeds are whole transactions: one valid tx per message type and the
// envelope failures.
func txSeeds() [][]byte {
	var out [][]byte
	seeds := messageSeeds()
	for _, name := range []string{"FuzzMsgBankSend", "FuzzMsgBankMultiSend", "FuzzMsgParamsSet", "FuzzMsgParamsSetAuthority",
		"FuzzMsgRegisterMaker", "FuzzMsgOnboard", "FuzzMsgAssertLocation", "FuzzMsgTransfer", "FuzzMsgDecommission"} {
		s := seeds[name][0]
		signer := fuzzSigners[s.signer]
		out = append(out, signTx(fuzzKey(signer), seqAt2(signer), 1000, fmsg{typeOf[name], s.value}))
	}
	send := fmsg{"bank/send", seeds["FuzzMsgBankSend"][0].value}
	good := signTx(fuzzKey("owner"), 1, 1000, send)
	badSig := append([]byte(nil), good...)
	badSig[len(badSig)-1] ^= 1
	out = append(out,
		badSig,
		signTx(fuzzKey("owner"), 0, 1000, send),
		signTx(fuzzKey("owner"), 2, 1000, send),
		signTx(fuzzKey("owner"), 1, 999, send),
		good[:len(good)-3],
		[]byte{0xff, 0x01},
		nil,
	)
	return out
}

var typeOf = map[string]string{
	"FuzzMsgBankSend": "bank/send", "FuzzMsgBankMultiSend": "bank/multi-send",
	"FuzzMsgParamsSet": "params/set", "FuzzMsgParamsSetAuthority": "params/set-authority",
	"FuzzMsgRegisterMaker": device.TypeRegisterMaker, "FuzzMsgOnboard": device.TypeOnboard,
	"FuzzMsgAssertLocation": device.TypeAssertLocation, "FuzzMsgTransfer": device.TypeTransfer,
	"FuzzMsgDecommission": device.TypeDecommission,
}

// corpusFiles renders every seed in Go's corpus file format, by target.
func corpusFiles() map[string][]string {
	files := make(map[string][]string)
	for name, seeds := range messageSeeds() {
		for _, s := range seeds {
			files[name] = append(files[name], fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nbyte(%q)\n", s.value, s.signer))
		}
	}
	txs := txSeeds()
	for _, raw := range txs {
		files["FuzzCheckTx"] = append(files["FuzzCheckTx"], fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", raw))
	}
	// Pairs: each valid tx with its own replay, then envelope failures.
	for i, raw := range txs {
		other := txs[(i+len(txs)/2)%len(txs)]
		if i < 9 {
			other = raw
		}
		files["FuzzFinalizeBlock"] = append(files["FuzzFinalizeBlock"], fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n[]byte(%q)\n", raw, other))
	}
	return files
}

// TestMessageSeeds runs every message seed through the app: the table of
// each handler's outcomes end to end, and a check that the corpus starts
// where it should (the first seed of each target is accepted).
func TestMessageSeeds(t *testing.T) {
	for name, seeds := range messageSeeds() {
		for i, s := range seeds {
			signer := fuzzSigners[s.signer]
			raw := signTx(fuzzKey(signer), seqAt2(signer), 1000, fmsg{typeOf[name], s.value})
			_, res := runTxs(t, raw)
			if got := res.Txs[0].Code; got != s.want {
				t.Errorf("%s seed %d: got %v (%s), want %v", name, i, got, res.Txs[0].Log, s.want)
			}
		}
	}
}

// TestFuzzCorpus keeps the checked-in seed corpus equal to the seeds built
// here; -update-fuzz-corpus rewrites it.
func TestFuzzCorpus(t *testing.T) {
	for name, files := range corpusFiles() {
		dir := filepath.Join("testdata", "fuzz", name)
		if *updateCorpus {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for i, content := range files {
			path := filepath.Join(dir, fmt.Sprintf("seed-%d", i))
			if *updateCorpus {
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (regenerate with -update-fuzz-corpus)", err)
			}
			if string(got) != content {
				t.Errorf("%s differs from its seed (regenerate with -update-fuzz-corpus)", path)
			}
		}
	}
}
