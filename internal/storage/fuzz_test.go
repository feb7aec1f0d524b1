package storage

import (
	"bytes"
	"io"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/sig"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// fuzzState is a store with params, funds and one active deal of four
// 64-byte leaves, at a height whose proof window is open.
func fuzzState(t testing.TB) (*ledger.MemStore, ledger.Address, *merkle.Tree, [][]byte, int64) {
	return dealState(t, 64)
}

// dealState is fuzzState with leaves of the given size.
func dealState(t testing.TB, leafSize int) (*ledger.MemStore, ledger.Address, *merkle.Tree, [][]byte, int64) {
	st := ledger.NewMemStore()
	reg := params.NewRegistry(Specs(), bank.Specs(), proof.Specs(), epoch.Specs())
	if err := reg.InitGenesis(st, ledger.ModuleAddress("authority"), map[string]uint64{ProofPeriod.Name: 10, ProofWindow.Name: 5}); err != nil {
		t.Fatal(err)
	}
	prov, owner := ledger.ModuleAddress("prov"), ledger.ModuleAddress("owner")
	if err := bank.InitGenesis(st, "upin", 6, []bank.GenesisBalance{{Address: Collateral, Amount: 100_000}}); err != nil {
		t.Fatal(err)
	}
	epoch.InitGenesis(st)
	for h := int64(1); h <= 10; h++ {
		proof.EndBlock(&ledger.Context{Store: st, Height: h, Time: h})
	}
	leaves := [][]byte{make([]byte, leafSize), make([]byte, leafSize), make([]byte, leafSize), make([]byte, leafSize)}
	hs := make([]merkle.Hash, len(leaves))
	for i := range leaves {
		leaves[i][0] = byte(i + 1)
		hs[i] = merkle.LeafHash(leaves[i])
	}
	tree := merkle.NewTree(hs)
	root := tree.Root()
	d := &storagev1.Deal{Id: 1, Owner: owner[:], Provider: prov[:], Cid: make([]byte, 32), Root: root[:], ShardSize: uint64(4 * leafSize), LeafSize: uint32(leafSize),
		State: storagev1.DealState_DEAL_STATE_ACTIVE, FirstWindow: 1, Collateral: 100_000, CollateralLeft: 100_000}
	putDeal(st, d)
	st.Set(activeKey(1), []byte{})
	st.Set(provKey(prov, 1), []byte{})
	return st, prov, tree, leaves, 11
}

// FuzzProve: any message bytes either fail, changing nothing, or prove
// (rightly or wrongly) the one deal; the books stay balanced.
func FuzzProve(f *testing.F) {
	st, prov, tree, leaves, h := fuzzState(f)
	w, _ := WindowAt(st, h)
	d, _ := GetDeal(st, 1)
	ch, _ := ChallengeOf(st, d, w)
	p, _ := tree.Proof(ch.Index)
	good := &storagev1.Proof{Deal: 1, Window: w.Number, Index: ch.Index, Leaf: leaves[ch.Index]}
	for _, x := range p.Path {
		good.Path = append(good.Path, append([]byte(nil), x[:]...))
	}
	raw, _ := proto.Marshal(&storagev1.MsgProve{Proofs: []*storagev1.Proof{good}})
	f.Add(raw)
	bad := proto.Clone(good).(*storagev1.Proof)
	bad.Leaf = append([]byte(nil), bad.Leaf...)
	bad.Leaf[5] = 9
	raw, _ = proto.Marshal(&storagev1.MsgProve{Proofs: []*storagev1.Proof{bad}})
	f.Add(raw)
	f.Add([]byte{0x0a, 0x02, 0x08, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, _, _, _, _ := fuzzState(t)
		ov := ledger.NewOverlay(st)
		ctx := &ledger.Context{Store: ov, Height: h, Signer: prov}
		e := handleProve(ctx, raw)
		if e != nil && len(ov.Writes()) != 0 {
			t.Fatalf("rejected (%v) but wrote %d keys", e, len(ov.Writes()))
		}
		if err := Invariants(ov); err != nil {
			t.Fatalf("after %v: %v", e, err)
		}
	})
}

// reportState is fuzzState with the deal's provider a real key (which
// signs download statements) at height h.
func reportState(t testing.TB) (*ledger.MemStore, sig.PrivateKey, ledger.Address, int64) {
	st, _, _, _, h := fuzzState(t)
	key := sig.KeyFromSeed(make([]byte, 32))
	prov := ledger.AddressOf(sig.PublicOf(key))
	d, _ := GetDeal(st, 1)
	st.Delete(provKey(addr(d.Provider), 1))
	d.Provider = prov[:]
	putDeal(st, d)
	st.Set(provKey(prov, 1), []byte{})
	st.Set(ownerKey(addr(d.Owner), 1), []byte{})
	return st, key, addr(d.Owner), h
}

// FuzzReport: any report bytes either fail, changing nothing, or are
// upheld against the one deal; the books stay balanced.
func FuzzReport(f *testing.F) {
	st, key, _, h := reportState(f)
	d, _ := GetDeal(st, 1)
	add := func(root []byte) {
		raw, s := SignServed(key, &storagev1.Served{ChainId: "fuzz", Cid: d.Cid, Shard: d.Shard, Size: d.ShardSize, Root: root, Height: h - 1})
		m, _ := proto.Marshal(&storagev1.MsgReport{Deal: 1, Served: raw, PubKey: sig.PublicOf(key), Signature: s})
		f.Add(m)
	}
	corrupt := append([]byte(nil), d.Root...)
	corrupt[0] ^= 1
	add(corrupt)
	add(d.Root)
	f.Add([]byte{0x08, 0x01, 0x12, 0x01, 0x00})
	// Signed-chunk reports: a chunk of the deal's leaves 1 and 2, leaf 2
	// corrupt (upheld) or not (refused), with leaf 2's true bytes and path.
	_, _, tree, leaves, _ := fuzzState(f)
	p, _ := tree.Proof(2)
	var path [][]byte
	for _, x := range p.Path {
		path = append(path, append([]byte(nil), x[:]...))
	}
	for _, bad := range []bool{true, false} {
		chunk := append(append([]byte(nil), leaves[1]...), leaves[2]...)
		if bad {
			chunk[len(leaves[1])] ^= 1
		}
		raw, s := SignChunk(key, "fuzz", d.Cid, d.Shard, 1, h-1, chunk)
		m, _ := proto.Marshal(&storagev1.MsgReport{Deal: 1, Served: raw, PubKey: sig.PublicOf(key), Signature: s, Chunk: chunk, Leaf: 2, TrueLeaf: leaves[2], Path: path})
		st, _, owner, _ := reportState(f)
		if e := handleReport(&ledger.Context{Store: ledger.NewOverlay(st), Height: h, Signer: owner, ChainID: "fuzz"}, m); (e == nil) != bad {
			f.Fatalf("the chunk seed (corrupt %v): %v", bad, e)
		}
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, _, owner, _ := reportState(t)
		ov := ledger.NewOverlay(st)
		ctx := &ledger.Context{Store: ov, Height: h, Signer: owner, ChainID: "fuzz"}
		e := handleReport(ctx, raw)
		if e != nil && len(ov.Writes()) != 0 {
			t.Fatalf("rejected (%v) but wrote %d keys", e, len(ov.Writes()))
		}
		if err := Invariants(ov); err != nil {
			t.Fatalf("after %v: %v", e, err)
		}
	})
}

// FuzzChunkFrame: any bytes either decode into frames within their bounds
// that encode back to the same bytes, or fail; nothing panics.
func FuzzChunkFrame(f *testing.F) {
	var b bytes.Buffer
	raw, s := SignChunk(sig.KeyFromSeed(make([]byte, 32)), "fuzz", []byte("cid"), 1, 0, 5, []byte("chunk bytes"))
	if err := WriteChunkFrame(&b, raw, s, []byte("chunk bytes")); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	WriteChunkFrame(&b, raw, nil, []byte{1})
	f.Add(b.Bytes())
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		var out bytes.Buffer
		for {
			st, sg, chunk, err := ReadChunkFrame(r, 64, nil)
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			if len(st) == 0 || len(st) > maxStatement || len(sg) > maxSignature || len(chunk) == 0 || len(chunk) > 64 {
				t.Fatalf("a frame out of bounds: %d, %d, %d bytes", len(st), len(sg), len(chunk))
			}
			WriteChunkFrame(&out, st, sg, chunk)
		}
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("frames re-encode to %x, not %x", out.Bytes(), in)
		}
	})
}
