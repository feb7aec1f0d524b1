package chain_test

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Storage messages for the determinism generator: deals on the storage
// leases the market messages open, acknowledgements, and proofs, honest or
// wrong, over a synthetic shard the generator can rebuild from the lease id.

const genLeaf = 64

// genShard is the synthetic shard of a lease: 1-16 leaves of 64 bytes.
func genShard(lease uint64) [][]byte {
	n := 1 + lease%16
	out := make([][]byte, n)
	for i := range out {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:], lease)
		binary.BigEndian.PutUint64(b[8:], uint64(i))
		h := sha256.Sum256(b[:])
		out[i] = append(h[:], h[:]...)
	}
	return out
}

func genTree(lease uint64) *merkle.Tree {
	data := genShard(lease)
	hs := make([]merkle.Hash, len(data))
	for i, d := range data {
		hs[i] = merkle.LeafHash(d)
	}
	return merkle.NewTree(hs)
}

func genDeal(lease uint64) *storagev1.MsgCreateDeal {
	cid := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("gen-cid"), lease))
	root := genTree(lease).Root()
	return &storagev1.MsgCreateDeal{Lease: lease, Cid: cid[:], Root: root[:], ShardSize: uint64(len(genShard(lease))) * genLeaf, LeafSize: genLeaf}
}

// genProof answers deal d's challenge in window w, corrupting the leaf when
// wrong.
func (g *gen) genProof(d *storagev1.Deal, w storage.Window, wrong bool) (*storagev1.Proof, bool) {
	ch, ok := storage.ChallengeOf(g.st, d, w)
	if !ok {
		return nil, false
	}
	p, _ := genTree(d.Id).Proof(ch.Index)
	leaf := append([]byte(nil), genShard(d.Id)[ch.Index]...)
	if wrong {
		leaf[0] ^= 1
	}
	out := &storagev1.Proof{Deal: d.Id, Window: w.Number, Index: ch.Index, Leaf: leaf}
	for _, h := range p.Path {
		out.Path = append(out.Path, append([]byte(nil), h[:]...))
	}
	return out, true
}

// storageTxs plans the block's storage txs, after every other tx of the
// block and without drawing from the generator's random stream, so that
// adding storage changes no other message's plan: each signer not used in
// the block yet with storage work (a window to prove, an upload to
// acknowledge, a deal to create) does it, and now and then one sends a
// storage tx that must fail.
func (g *gen) storageTxs(st ledger.Store) []planned {
	var out []planned
	h := g.height()
	for _, name := range append(append([]string(nil), g.funded...), g.admins...) {
		if g.used[addrFor(name)] {
			continue
		}
		if p, ok := g.storageValid(name); ok {
			g.used[addrFor(name)] = true
			out = append(out, p)
			continue
		}
		if h%7 == 0 {
			if p, ok := g.storageInvalid(name, int(h/7)); ok {
				g.used[addrFor(name)] = true
				out = append(out, p)
				h++ // one per block
			}
		}
	}
	return out
}

// storageValid plans a storage tx that must succeed, if one fits name.
// Choices follow from the deal and window, not from the random stream.
func (g *gen) storageValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	me := addrFor(name)
	h := g.height()
	// Prove the open window for own deals: skip one deal-window in five,
	// answer one in eleven wrongly.
	if w, open := storage.WindowAt(g.st, h); open {
		var proofs []*storagev1.Proof
		for _, d := range storage.DealsOfProvider(g.st, me) {
			if d.State != storagev1.DealState_DEAL_STATE_ACTIVE || d.FirstWindow > w.Number ||
				storage.Proven(g.st, w.Number, d.Id) || (d.Id+w.Number)%5 == 0 {
				continue
			}
			if p, ok := g.genProof(d, w, (d.Id*7+w.Number)%11 == 0); ok {
				proofs = append(proofs, p)
			}
		}
		if len(proofs) > 0 {
			return ok(storage.TypeProve, marketMsg(storage.TypeProve, &storagev1.MsgProve{Proofs: proofs}))
		}
	}
	// Report a corrupt download of an own active deal now and then: the
	// provider's key signs a statement of a root that is not the deal's.
	for _, d := range storage.DealsOfOwner(g.st, me) {
		period := int64(params.Get(g.st, storage.ProofPeriod))
		if d.State != storagev1.DealState_DEAL_STATE_ACTIVE || (d.Id+uint64(h))%13 != 0 ||
			(d.ReportsUpheld > 0 && (h-1)/period <= d.LastReportHeight/period) {
			continue
		}
		if r, found := g.genReport(d, h-1, true); found && g.claim(d.Provider) {
			label := storage.TypeReport
			if len(r.Chunk) > 0 {
				label += " (signed chunk)"
			}
			return g.okTx(name, label, marketMsg(storage.TypeReport, r))
		}
	}
	// Report an honest download (the deal's own root): refused, nothing
	// changes.
	for _, d := range storage.DealsOfOwner(g.st, me) {
		if d.State == storagev1.DealState_DEAL_STATE_ACTIVE && (d.Id+uint64(h))%13 == 6 {
			if r, found := g.genReport(d, h-1, false); found {
				return g.badTx(name, "download_not_faulty", storage.CodeDownloadNotFaulty, marketMsg(storage.TypeReport, r))
			}
		}
	}
	// Keep a repair fund for own files, resetting it now and then.
	if ds := storage.DealsOfOwner(g.st, me); len(ds) > 0 && h%9 == 0 && bank.Balance(g.st, me) > 1_000_000_000 {
		return g.okTx(name, storage.TypeSetRepairFund, marketMsg(storage.TypeSetRepairFund,
			&storagev1.MsgSetRepairFund{Amount: (storage.Fund(g.st, me) + 500_000) % 2_000_000}))
	}
	// Acknowledge a pending deal of own.
	for _, d := range storage.DealsOfProvider(g.st, me) {
		if d.State == storagev1.DealState_DEAL_STATE_PENDING && d.AckDeadline >= h && g.leaseActive(d.Id) &&
			bank.Balance(g.st, me) > 1_000_000_000 && g.claim(d.Owner) {
			return ok(storage.TypeAck, marketMsg(storage.TypeAck, &storagev1.MsgAck{Deal: d.Id}))
		}
	}
	// Create the deal of an own storage lease.
	for _, l := range g.leases(market.LeaseFilter{Owner: &me, State: marketv1.LeaseState_LEASE_STATE_ACTIVE}) {
		if _, has := storage.GetDeal(g.st, l.Id); has || l.Kind != storage.Kind {
			continue
		}
		if r, _ := storage.GetReputation(g.st, addrOf(l.Provider)); r != nil && r.Status >= storagev1.ProviderStatus_PROVIDER_STATUS_SUSPENDED {
			continue
		}
		if g.claim(l.Provider) {
			return ok(storage.TypeCreateDeal, marketMsg(storage.TypeCreateDeal, genDeal(l.Id)))
		}
	}
	return planned{}, false
}

func (g *gen) leaseActive(id uint64) bool {
	l, ok := market.GetLease(g.st, id)
	return ok && l.State == marketv1.LeaseState_LEASE_STATE_ACTIVE
}

// storageInvalid plans a storage tx that must be rejected: which one
// follows from turn.
func (g *gen) storageInvalid(name string, turn int) (planned, bool) {
	bad := func(label string, code ledger.Code, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: code, label: "bad:" + label}, true
	}
	me := addrFor(name)
	if w, open := storage.WindowAt(g.st, g.height()); open && turn%2 == 1 {
		for _, d := range storage.DealsOfProvider(g.st, me) {
			if d.State != storagev1.DealState_DEAL_STATE_ACTIVE || d.FirstWindow > w.Number || storage.Proven(g.st, w.Number, d.Id) {
				continue
			}
			if p, ok := g.genProof(d, w, false); ok && len(genShard(d.Id)) > 1 {
				p.Index = (p.Index + 1) % uint64(len(genShard(d.Id)))
				return bad("wrong_leaf", storage.CodeWrongLeaf, marketMsg(storage.TypeProve, &storagev1.MsgProve{Proofs: []*storagev1.Proof{p}}))
			}
		}
	}
	if turn%3 == 1 {
		// Setting the repair fund to what it holds changes nothing.
		return g.badTx(name, "fund_unchanged", storage.CodeFundUnchanged, marketMsg(storage.TypeSetRepairFund,
			&storagev1.MsgSetRepairFund{Amount: storage.Fund(g.st, me)}))
	}
	if turn%2 == 0 {
		// Only a deal's owner reports its downloads.
		for _, d := range storage.ActiveDeals(g.st) {
			if addrOf(d.Owner) == me {
				continue
			}
			if r, found := g.genReport(d, g.height()-1, true); found {
				return g.badTx(name, "not_deal_owner", storage.CodeNotDealOwner, marketMsg(storage.TypeReport, r))
			}
		}
	}
	if turn%3 == 0 {
		for _, l := range g.leases(market.LeaseFilter{}) {
			if d, has := storage.GetDeal(g.st, l.Id); has && addrOf(d.Provider) != me {
				return bad("not_deal_provider", storage.CodeNotProvider, marketMsg(storage.TypeAck, &storagev1.MsgAck{Deal: d.Id}))
			}
		}
	}
	return bad("unknown_deal", storage.CodeUnknownDeal, marketMsg(storage.TypeProve, &storagev1.MsgProve{Proofs: []*storagev1.Proof{{Deal: 1 << 40}}}))
}

// genReport builds a report of deal d by its owner: the provider's signed
// statement of a download at height h, of a corrupt root when corrupt, of
// the deal's own root otherwise. It fails when no generator key is the
// provider's.
func (g *gen) genReport(d *storagev1.Deal, h int64, corrupt bool) (*storagev1.MsgReport, bool) {
	var key sig.PrivateKey
	for _, name := range append(append([]string(nil), g.funded...), g.admins...) {
		if addrFor(name) == addrOf(d.Provider) {
			key = keyFor(name)
		}
	}
	if key == nil {
		return nil, false
	}
	if (d.Id+uint64(h))%2 == 0 {
		return genChunkReport(key, g.chainID, d, h, corrupt), true
	}
	root := append([]byte(nil), d.Root...)
	if corrupt {
		root[0] ^= 1
	}
	raw, s := storage.SignServed(key, &storagev1.Served{ChainId: g.chainID, Cid: d.Cid, Shard: d.Shard, Size: d.ShardSize, Root: root, Height: h})
	return &storagev1.MsgReport{Deal: d.Id, Served: raw, PubKey: sig.PublicOf(key), Signature: s}, true
}

// genChunkReport is genReport's signed-chunk form: the provider signed a
// chunk of the deal's shard starting at a leaf picked from the deal and
// height, with one leaf corrupted when corrupt; the report carries that
// leaf's true bytes and path.
func genChunkReport(key sig.PrivateKey, chainID string, d *storagev1.Deal, h int64, corrupt bool) *storagev1.MsgReport {
	leaves := genShard(d.Id)
	first := (d.Id + uint64(h)) % uint64(len(leaves))
	end := min(first+uint64(storage.ChunkLeaves(genLeaf)), uint64(len(leaves)))
	wrong := first + (end-first)/2
	var chunk []byte
	for i := first; i < end; i++ {
		chunk = append(chunk, leaves[i]...)
	}
	if corrupt {
		chunk[(wrong-first)*genLeaf] ^= 1
	}
	raw, s := storage.SignChunk(key, chainID, d.Cid, d.Shard, first, h, chunk)
	p, _ := genTree(d.Id).Proof(wrong)
	r := &storagev1.MsgReport{Deal: d.Id, Served: raw, PubKey: sig.PublicOf(key), Signature: s, Chunk: chunk, Leaf: wrong,
		TrueLeaf: append([]byte(nil), leaves[wrong]...)}
	for _, x := range p.Path {
		r.Path = append(r.Path, append([]byte(nil), x[:]...))
	}
	return r
}
