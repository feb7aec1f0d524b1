package chain_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Cells from h3-go LatLngToCell (checked valid in internal/device
// TestFixtureCells): Lisbon and Porto at res 12, Lisbon at res 7 (below the
// default minimum resolution).
const (
	cellLisbon12 uint64 = 0x8c3933676d081ff
	cellPorto12  uint64 = 0x8c39220f082edff
	cellLisbon7  uint64 = 0x873933676ffffff
)

// keyFor derives a fixed ed25519 key from a name: the seed is the SHA-256 of
// the name, so any name gives a distinct, reproducible key.
func keyFor(name string) sig.PrivateKey {
	seed := sha256.Sum256([]byte("depin/chain-test/" + name))
	return sig.KeyFromSeed(seed[:])
}

func addrFor(name string) ledger.Address { return ledger.AddressOf(sig.PublicOf(keyFor(name))) }

// msg is one message of a transaction: a type and its encoding.
type msg struct {
	typ   string
	value []byte
}

func mustMarshal(m proto.Message) []byte {
	bz, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return bz
}

func sendMsg(to ledger.Address, amount uint64) msg {
	return msg{bank.TypeSend, mustMarshal(&bankv1.MsgSend{To: to[:], Amount: amount})}
}

func multiSendMsg(tos []ledger.Address, amounts []uint64) msg {
	m := &bankv1.MsgMultiSend{}
	for i, to := range tos {
		m.Outputs = append(m.Outputs, &bankv1.Output{To: to[:], Amount: amounts[i]})
	}
	return msg{bank.TypeMultiSend, mustMarshal(m)}
}

func setParamsMsg(names []string, values []uint64) msg {
	m := &paramsv1.MsgSetParams{}
	for i, n := range names {
		m.Changes = append(m.Changes, &paramsv1.Change{Name: n, Value: values[i]})
	}
	return msg{"params/set", mustMarshal(m)}
}

func setAuthorityMsg(a []byte) msg {
	return msg{"params/set-authority", mustMarshal(&paramsv1.MsgSetAuthority{Authority: a})}
}

// txOpts are the envelope fields of a transaction.
type txOpts struct {
	chainID string
	seq     uint64
	fee     uint64
	memo    string
}

// buildTx encodes and signs a transaction with the given messages.
func buildTx(priv sig.PrivateKey, o txOpts, msgs ...msg) []byte {
	body := &txv1.TxBody{ChainId: o.chainID, Sequence: o.seq, Fee: o.fee, Memo: o.memo}
	for _, m := range msgs {
		body.Msgs = append(body.Msgs, &txv1.Msg{Type: m.typ, Value: m.value})
	}
	raw, err := app.BuildTx(priv, body)
	if err != nil {
		panic(err)
	}
	return raw
}

// badSignature returns raw with its signature corrupted (one bit flipped).
func badSignature(raw []byte) []byte {
	var tx txv1.Tx
	if err := proto.Unmarshal(raw, &tx); err != nil {
		panic(err)
	}
	tx.Signature[0] ^= 0x01
	return mustMarshal(&tx)
}

// genesisSpec describes a test genesis.
type genesisSpec struct {
	authority string
	balances  []app.GenesisBalance
	params    map[string]uint64
	makers    []chain.GenesisMaker
	// validators are staking genesis validators; gov makes governance the
	// params authority.
	validators []chain.GenesisValidator
	gov        bool
	// oracles is the reward module's genesis oracle set.
	oracles []chain.GenesisOracle
}

func (g genesisSpec) json() []byte {
	gen := app.Genesis{Denom: "upin", Decimals: 6, Authority: g.authority, Balances: g.balances, Params: g.params}
	if len(g.makers) > 0 {
		dev, err := json.Marshal(chain.DeviceGenesis{Makers: g.makers})
		if err != nil {
			panic(err)
		}
		gen.Modules = map[string]json.RawMessage{"device": dev}
	}
	if len(g.validators) > 0 || g.gov {
		if gen.Modules == nil {
			gen.Modules = map[string]json.RawMessage{}
		}
		gen.Modules["stake"] = mustJSON(chain.StakeGenesis{Validators: g.validators})
		gen.Modules["gov"] = mustJSON(chain.GovGenesis{Authority: g.gov})
	}
	if len(g.oracles) > 0 {
		if gen.Modules == nil {
			gen.Modules = map[string]json.RawMessage{}
		}
		gen.Modules["reward"] = mustJSON(chain.RewardGenesis{Oracles: g.oracles})
	}
	bz, err := json.Marshal(gen)
	if err != nil {
		panic(err)
	}
	return bz
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func genesisMaker(name string, kinds []string, fee uint64) chain.GenesisMaker {
	return chain.GenesisMaker{Name: name, PubKey: hex.EncodeToString(sig.PublicOf(keyFor(name))), Kinds: kinds, OnboardFee: fee}
}

// stateDigest hashes every consensus state key and value (everything below
// ledger.StateEnd: the tx index and commit metadata are left out), so that
// two states compare equal exactly when they hold the same entries.
func stateDigest(st ledger.Store) [32]byte {
	h := sha256.New()
	var n [4]byte
	st.Iterate(nil, ledger.StateEnd, func(k, v []byte) bool {
		binary.BigEndian.PutUint32(n[:], uint32(len(k)))
		h.Write(n[:])
		h.Write(k)
		binary.BigEndian.PutUint32(n[:], uint32(len(v)))
		h.Write(n[:])
		h.Write(v)
		return true
	})
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// fatalT is the part of testing.TB and *rapid.T the helpers use.
type fatalT interface {
	Helper()
	Fatalf(format string, args ...any)
}

// finalize runs one block on a and commits it, failing the test on an
// engine error or a broken invariant.
func finalize(t fatalT, a *app.App, txs [][]byte) *app.BlockResult {
	t.Helper()
	h, _ := a.LastCommit()
	res, err := a.FinalizeBlock(app.Block{Height: h + 1, Time: (h + 1) * 1_000_000_000, Txs: txs})
	if err != nil {
		t.Fatalf("finalize block %d: %v", h+1, err)
	}
	if err := a.Commit(); err != nil {
		t.Fatalf("commit block %d: %v", h+1, err)
	}
	if err := a.CheckInvariants(a.Committed()); err != nil {
		t.Fatalf("after block %d: %v", h+1, err)
	}
	return res
}
