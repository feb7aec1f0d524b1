package chain_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// TestStorageRefusesSelfDeals: a consumer who accepted its own bid holds a
// lease with itself, but the storage module records no deal on it
// (self_deal), so its proofs can never earn the availability pool.
func TestStorageRefusesSelfDeals(t *testing.T) {
	f := newStorageFixture(t)
	alice := addrFor("alice")
	f.block(f.tx("alice", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:2"})}),
		f.tx("alice", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 1_000, Deposit: 1_000_000})}))
	f.block(f.tx("alice", msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: 2, Price: 10, Collateral: 500_000})}))
	f.block(f.tx("alice", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: 2, Provider: alice[:]})}))
	l, ok := market.GetLease(f.a.Committed(), 2)
	if !ok || string(l.Owner) != string(l.Provider) {
		t.Fatalf("want a lease of alice with herself, got %+v", l)
	}
	f.leaseN = 2
	f.expect("alice", storage.CodeSelfDeal, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	if _, ok := storage.GetDeal(f.a.Committed(), 2); ok {
		t.Fatal("a self deal was recorded")
	}
}

// TestStorageReportCorruptDownload: the owner of a deal reports a download
// its provider signed with a root that is not the deal's; the chain
// upholds it once per period (slash with reason corrupt_download, a
// reputation failure, an event) and refuses every bad report with its code,
// changing nothing.
func TestStorageReportCorruptDownload(t *testing.T) {
	ps := map[string]uint64{}
	for k, v := range storageParams {
		ps[k] = v
	}
	// No proof window opens during the test: only reports touch the deal.
	ps[storage.ReportMaxAge.Name], ps[storage.ProofPeriod.Name] = 8, 1_000
	f := newStorageFixtureOn(t, newMarketNode(t, ps))
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	d := f.deal()
	corrupt := append([]byte(nil), d.Root...)
	corrupt[3] ^= 0x10
	served := func(mod func(*storagev1.Served)) *storagev1.Served {
		s := &storagev1.Served{ChainId: marketChain, Cid: d.Cid, Shard: d.Shard, Size: d.ShardSize, Root: corrupt, Height: f.height()}
		if mod != nil {
			mod(s)
		}
		return s
	}
	report := func(signer string, s *storagev1.Served) []byte {
		raw, sg := storage.SignServed(keyFor(signer), s)
		return mustMarshal(&storagev1.MsgReport{Deal: 1, Served: raw, PubKey: sig.PublicOf(keyFor(signer)), Signature: sg})
	}
	unchanged := func(label string) {
		t.Helper()
		if got := f.deal(); !proto.Equal(got, d) {
			t.Fatalf("%s changed the deal:\n got %v\nwant %v", label, got, d)
		}
	}
	bad := []struct {
		name   string
		signer string
		code   ledger.Code
		msg    func() []byte
	}{
		{"unknown deal", "alice", storage.CodeUnknownDeal, func() []byte {
			raw, sg := storage.SignServed(keyFor("prov"), served(nil))
			return mustMarshal(&storagev1.MsgReport{Deal: 99, Served: raw, PubKey: sig.PublicOf(keyFor("prov")), Signature: sg})
		}},
		{"not the owner", "bob", storage.CodeNotDealOwner, func() []byte { return report("prov", served(nil)) }},
		{"signed by another key", "alice", storage.CodeBadServedSignature, func() []byte { return report("bob", served(nil)) }},
		{"unsigned", "alice", storage.CodeBadServedSignature, func() []byte {
			raw, _ := storage.SignServed(keyFor("prov"), served(nil))
			return mustMarshal(&storagev1.MsgReport{Deal: 1, Served: raw, PubKey: sig.PublicOf(keyFor("prov"))})
		}},
		{"statement edited after signing", "alice", storage.CodeBadServedSignature, func() []byte {
			_, sg := storage.SignServed(keyFor("prov"), served(func(s *storagev1.Served) { s.Root = d.Root }))
			edited := ledger.Encode(served(nil))
			return mustMarshal(&storagev1.MsgReport{Deal: 1, Served: edited, PubKey: sig.PublicOf(keyFor("prov")), Signature: sg})
		}},
		{"not a statement", "alice", ledger.CodeMalformed, func() []byte {
			junk := []byte{0xff, 0xff, 0xff}
			return mustMarshal(&storagev1.MsgReport{Deal: 1, Served: junk, PubKey: sig.PublicOf(keyFor("prov")), Signature: sig.Sign(keyFor("prov"), storage.ServedDomain, junk)})
		}},
		{"a correct download", "alice", storage.CodeDownloadNotFaulty, func() []byte {
			return report("prov", served(func(s *storagev1.Served) { s.Root = d.Root }))
		}},
		{"another shard", "alice", storage.CodeServedMismatch, func() []byte { return report("prov", served(func(s *storagev1.Served) { s.Shard = 1 })) }},
		{"another chain", "alice", storage.CodeServedMismatch, func() []byte { return report("prov", served(func(s *storagev1.Served) { s.ChainId = "other" })) }},
		{"a future height", "alice", storage.CodeServedMismatch, func() []byte {
			return report("prov", served(func(s *storagev1.Served) { s.Height = f.height() + 5 }))
		}},
		{"too old", "alice", storage.CodeReportExpired, func() []byte { return report("prov", served(func(s *storagev1.Served) { s.Height = 1 })) }},
	}
	for f.height() < 12 {
		f.block()
	}
	d = f.deal()
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			f.expect(c.signer, c.code, storage.TypeReport, c.msg())
			unchanged(c.name)
		})
	}
	at := f.height()
	res := f.expect("alice", ledger.CodeOK, storage.TypeReport, report("prov", served(nil)))
	if !hasEvent(res, "storage.report", "deal", "1") || !hasEvent(res, "storage.slash", "reason", "corrupt_download") ||
		!hasEvent(res, "storage.reputation", "reason", "corrupt_download") {
		t.Fatalf("an upheld report without its events: %+v", res.Txs[0].Events)
	}
	got := f.deal()
	want, _ := ledger.MulDiv(d.Collateral, storage.ReportSlashBps.Default, 10_000)
	if got.ReportsUpheld != 1 || got.LastReportHeight != at || got.Burned+got.SlashedToOwner != want || got.MissedInRow != 1 {
		t.Fatalf("after an upheld report: %+v, want %d slashed", got, want)
	}
	if r, ok := storage.GetReputation(f.a.Committed(), addrFor("prov")); !ok || r.Beta == 0 {
		t.Fatalf("the provider's reputation records no failure: %+v", r)
	}
	// The same statement again, or another from the same period: refused.
	d = got
	f.expect("alice", storage.CodeAlreadyReported, storage.TypeReport, report("prov", served(func(s *storagev1.Served) { s.Height = at })))
	unchanged("a second report in one period")
}

// TestStorageReportCorruptChunk: the owner reports a chunk its provider
// signed before serving it, with one leaf that is not the deal's, carrying
// the chunk, the true leaf and its path to the deal's root; the chain
// upholds it once per period (slash, reason corrupt_download) and refuses
// every bad form with its code, changing nothing.
func TestStorageReportCorruptChunk(t *testing.T) {
	ps := map[string]uint64{}
	for k, v := range storageParams {
		ps[k] = v
	}
	ps[storage.ReportMaxAge.Name], ps[storage.ProofPeriod.Name] = 8, 1_000
	f := newStorageFixtureOn(t, newMarketNode(t, ps))
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	for f.height() < 12 {
		f.block()
	}
	d := f.deal()
	leaf := int(f.m.LeafSize)
	per := storage.ChunkLeaves(leaf)
	const first, wrong = 1, 3 // the chunk starts at leaf 1; leaf 3 is corrupt
	honest := append([]byte(nil), f.shard[first*leaf:(first+per)*leaf]...)
	corrupt := append([]byte(nil), honest...)
	corrupt[(wrong-first)*leaf+7] ^= 0x40
	p, _ := f.tree.Proof(wrong)
	path := func() [][]byte {
		var out [][]byte
		for _, h := range p.Path {
			out = append(out, append([]byte(nil), h[:]...))
		}
		return out
	}
	trueLeaf := f.shard[wrong*leaf : (wrong+1)*leaf]
	type form struct {
		signer        string
		first         uint64
		height        int64
		shard         uint32
		signed, chunk []byte
		leaf          uint64
		trueLeaf      []byte
		path          [][]byte
	}
	base := func() form {
		return form{signer: "prov", first: first, height: f.height(), shard: d.Shard, signed: corrupt, chunk: corrupt, leaf: wrong, trueLeaf: trueLeaf, path: path()}
	}
	report := func(mod func(*form)) []byte {
		x := base()
		if mod != nil {
			mod(&x)
		}
		raw, sg := storage.SignChunk(keyFor(x.signer), marketChain, d.Cid, x.shard, x.first, x.height, x.signed)
		return mustMarshal(&storagev1.MsgReport{Deal: 1, Served: raw, PubKey: sig.PublicOf(keyFor(x.signer)), Signature: sg,
			Chunk: x.chunk, Leaf: x.leaf, TrueLeaf: x.trueLeaf, Path: x.path})
	}
	unchanged := func(label string) {
		t.Helper()
		if got := f.deal(); !proto.Equal(got, d) {
			t.Fatalf("%s changed the deal:\n got %v\nwant %v", label, got, d)
		}
	}
	bad := []struct {
		name string
		code ledger.Code
		mod  func(*form)
	}{
		{"signed by another key", storage.CodeBadServedSignature, func(x *form) { x.signer = "bob" }},
		{"another shard", storage.CodeServedMismatch, func(x *form) { x.shard = 1 }},
		{"too old", storage.CodeReportExpired, func(x *form) { x.height = 1 }},
		{"a chunk larger than a signed chunk", ledger.CodeTooLarge, func(x *form) {
			x.signed = append(append([]byte(nil), corrupt...), make([]byte, leaf)...)
			x.chunk = x.signed
		}},
		{"bytes other than the signed ones", storage.CodeChunkHashMismatch, func(x *form) { x.chunk = honest }},
		{"a leaf before the chunk", storage.CodeLeafNotInChunk, func(x *form) { x.leaf = 0 }},
		{"a leaf after the chunk", storage.CodeLeafNotInChunk, func(x *form) { x.leaf = uint64(first + per) }},
		{"a true leaf that is not the deal's", storage.CodeBadTrueLeaf, func(x *form) { x.trueLeaf = corrupt[(wrong-first)*leaf : (wrong-first+1)*leaf] }},
		{"a path of another leaf", storage.CodeBadTrueLeaf, func(x *form) { x.leaf = wrong + 1 }},
		{"a bad path hash", ledger.CodeMalformed, func(x *form) { x.path = append(path(), []byte{1, 2, 3}) }},
		{"an honest chunk", storage.CodeDownloadNotFaulty, func(x *form) { x.signed, x.chunk = honest, honest }},
		{"an honest leaf of a corrupt chunk", storage.CodeDownloadNotFaulty, func(x *form) {
			q, _ := f.tree.Proof(wrong + 1)
			x.leaf, x.trueLeaf, x.path = wrong+1, f.shard[(wrong+1)*leaf:(wrong+2)*leaf], nil
			for _, h := range q.Path {
				x.path = append(x.path, append([]byte(nil), h[:]...))
			}
		}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			f.expect("alice", c.code, storage.TypeReport, report(c.mod))
			unchanged(c.name)
		})
	}
	at := f.height()
	res := f.expect("alice", ledger.CodeOK, storage.TypeReport, report(nil))
	if !hasEvent(res, "storage.report", "served_leaf", "3") || !hasEvent(res, "storage.slash", "reason", "corrupt_download") {
		t.Fatalf("an upheld chunk report without its events: %+v", res.Txs[0].Events)
	}
	got := f.deal()
	want, _ := ledger.MulDiv(d.Collateral, storage.ReportSlashBps.Default, 10_000)
	if got.ReportsUpheld != 1 || got.LastReportHeight != at || got.Burned+got.SlashedToOwner != want {
		t.Fatalf("after an upheld chunk report: %+v, want %d slashed", got, want)
	}
	d = got
	f.expect("alice", storage.CodeAlreadyReported, storage.TypeReport, report(func(x *form) { x.height = at }))
	unchanged("a second report in one period")
}
