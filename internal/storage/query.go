package storage

import (
	"encoding/hex"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// DealView is a deal as queries answer it: addresses in bech32, the CID in
// its text form, hashes in hex, 64-bit integers as decimal strings.
type DealView struct {
	ID             uint64 `json:"id,string"`
	Owner          string `json:"owner"`
	Provider       string `json:"provider"`
	CID            string `json:"cid"`
	Shard          uint32 `json:"shard"`
	Root           string `json:"root"`
	ShardSize      uint64 `json:"shard_size,string"`
	LeafSize       uint32 `json:"leaf_size"`
	State          string `json:"state"`
	CreatedHeight  int64  `json:"created_height,string"`
	AckDeadline    int64  `json:"ack_deadline,string"`
	AckedHeight    int64  `json:"acked_height,string"`
	FirstWindow    uint64 `json:"first_window,string"`
	Collateral     uint64 `json:"collateral,string"`
	CollateralLeft uint64 `json:"collateral_left,string"`
	SlashedToOwner uint64 `json:"slashed_to_owner,string"`
	Burned         uint64 `json:"burned,string"`
	ProofsPassed   uint64 `json:"proofs_passed,string"`
	ProofsMissed   uint64 `json:"proofs_missed,string"`
	ProofsWrong    uint64 `json:"proofs_wrong,string"`
	MissedInRow    uint32 `json:"missed_in_row"`
	// ReportsUpheld counts the owner's reports of corrupt downloads the
	// chain upheld (storage/report).
	ReportsUpheld uint64 `json:"reports_upheld,string,omitempty"`
	CloseReason   string `json:"close_reason,omitempty"`
	ClosedHeight  int64  `json:"closed_height,string"`
}

// ViewDeal renders a deal.
func ViewDeal(d *storagev1.Deal) DealView {
	v := DealView{ID: d.Id, Owner: addr(d.Owner).String(), Provider: addr(d.Provider).String(),
		CID: FormatCID([32]byte(d.Cid)), Shard: d.Shard, Root: hex.EncodeToString(d.Root), ShardSize: d.ShardSize,
		LeafSize: d.LeafSize, State: dealStateName(d.State), CreatedHeight: d.CreatedHeight, AckDeadline: d.AckDeadline,
		AckedHeight: d.AckedHeight, FirstWindow: d.FirstWindow, Collateral: d.Collateral, CollateralLeft: d.CollateralLeft,
		SlashedToOwner: d.SlashedToOwner, Burned: d.Burned, ProofsPassed: d.ProofsPassed, ProofsMissed: d.ProofsMissed,
		ProofsWrong: d.ProofsWrong, MissedInRow: d.MissedInRow, ReportsUpheld: d.ReportsUpheld, ClosedHeight: d.ClosedHeight}
	if d.State == storagev1.DealState_DEAL_STATE_CLOSED {
		v.CloseReason = CloseReasonName(d.CloseReason)
	}
	return v
}

// ReputationView is a provider's reputation.
type ReputationView struct {
	Provider     string `json:"provider"`
	Alpha        uint64 `json:"alpha,string"`
	Beta         uint64 `json:"beta,string"`
	ScorePPM     uint64 `json:"score_ppm,string"`
	Outcomes     uint64 `json:"outcomes,string"`
	Status       string `json:"status"`
	StatusHeight int64  `json:"status_height,string"`
	Deals        int    `json:"deals"`
	ActiveDeals  int    `json:"active_deals"`
	// OpenDeals are the pending and active ones.
	OpenDeals int `json:"open_deals"`
	// DealCap is the most open deals the provider may hold while it is
	// vetted (storage.vetting_max_open_deals); 0 once vetted: no cap.
	DealCap uint64 `json:"deal_cap,string"`
}

// ChallengeView is a leaf a provider must prove in the open window.
type ChallengeView struct {
	Deal   uint64 `json:"deal,string"`
	Window uint64 `json:"window,string"`
	Index  uint64 `json:"index,string"`
	Leaves uint64 `json:"leaves,string"`
	CID    string `json:"cid"`
	Shard  uint32 `json:"shard"`
}

// WindowView is the proof window open at a height.
type WindowView struct {
	Height     int64           `json:"height,string"`
	Open       bool            `json:"open"`
	Number     uint64          `json:"number,string"`
	OpenHeight int64           `json:"open_height,string"`
	Last       int64           `json:"last,string"`
	Challenges []ChallengeView `json:"challenges"`
}

// Queries registers the storage module's read-only queries:
//
//	storage/deals/{id}                a deal
//	storage/deals?owner=&provider=    deals of an owner or a provider
//	storage/cids/{cid}                the deals of a content id, by shard
//	storage/providers/{address}       a provider's reputation
//	storage/challenges/{address}      the open window and the provider's unproven challenges
//	storage/repairs                   shards that need a repair, with their owners' repair funds
func Queries(rt *ledger.QueryRouter) {
	rt.Add("storage/deals/{id}", queryDeal)
	rt.Add("storage/deals", queryDeals)
	rt.Add("storage/cids/{cid}", queryCID)
	rt.Add("storage/providers/{address}", queryProvider)
	rt.Add("storage/challenges/{address}", queryChallenges)
	rt.Add("storage/repairs", queryRepairs)
}

// RepairView is a shard that needs a repair: its last deal closed for a
// fault and no deal holds it now.
type RepairView struct {
	// Deal is the closed deal a repair deal names (repair_of).
	Deal  uint64 `json:"deal,string"`
	CID   string `json:"cid"`
	Shard uint32 `json:"shard"`
	Owner string `json:"owner"`
	// Fund is the owner's repair fund, which pays the repair.
	Fund uint64 `json:"fund,string"`
}

// Repairs lists the shards that need a repair, by content id and shard.
// It reads every deal: a query for repair workers, never run by the state
// machine.
func Repairs(st ledger.Store) []RepairView {
	var out []RepairView
	last := map[string]int{} // cid and shard -> index in out
	ledger.IteratePrefix(st, key(tagCID), func(k, _ []byte) bool {
		d, _ := GetDeal(st, ledger.ReadU64(k[len(k)-8:]))
		id := string(d.Cid) + string(ledger.U64(uint64(d.Shard)))
		i, seen := last[id]
		switch {
		case !repairable(d) && d.State != storagev1.DealState_DEAL_STATE_CLOSED:
			if seen {
				out[i].Deal = 0 // an open deal holds the shard
			} else {
				last[id] = -1
			}
		case repairable(d) && !seen:
			last[id] = len(out)
			owner := addr(d.Owner)
			out = append(out, RepairView{Deal: d.Id, CID: FormatCID([32]byte(d.Cid)), Shard: d.Shard, Owner: owner.String(), Fund: Fund(st, owner)})
		case repairable(d) && i >= 0 && out[i].Deal != 0:
			out[i].Deal = d.Id
		}
		return true
	})
	kept := make([]RepairView, 0, len(out))
	for _, r := range out {
		if r.Deal != 0 {
			kept = append(kept, r)
		}
	}
	return kept
}

func queryRepairs(q *ledger.Query) (any, *ledger.QueryError) {
	return Repairs(q.Store), nil
}

func badRequest(format string, args ...any) *ledger.QueryError {
	return ledger.QueryErrorf(ledger.QueryBadRequest, format, args...)
}

func views(ds []*storagev1.Deal) []DealView {
	out := make([]DealView, 0, len(ds))
	for _, d := range ds {
		out = append(out, ViewDeal(d))
	}
	return out
}

func queryDeal(q *ledger.Query) (any, *ledger.QueryError) {
	id, err := strconv.ParseUint(q.Vars[0], 10, 64)
	if err != nil {
		return nil, badRequest("deal id %q is not a number", q.Vars[0])
	}
	d, ok := GetDeal(q.Store, id)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no deal %d", id)
	}
	return ViewDeal(d), nil
}

func queryDeals(q *ledger.Query) (any, *ledger.QueryError) {
	switch {
	case q.Arg("owner") != "":
		a, err := ledger.ParseAddress(q.Arg("owner"))
		if err != nil {
			return nil, badRequest("owner: %v", err)
		}
		return views(DealsOfOwner(q.Store, a)), nil
	case q.Arg("provider") != "":
		a, err := ledger.ParseAddress(q.Arg("provider"))
		if err != nil {
			return nil, badRequest("provider: %v", err)
		}
		return views(DealsOfProvider(q.Store, a)), nil
	}
	return nil, badRequest("name an owner or a provider")
}

func queryCID(q *ledger.Query) (any, *ledger.QueryError) {
	c, err := ParseCID(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	ds := DealsOfCID(q.Store, c[:])
	if len(ds) == 0 {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "no deal holds %s", q.Vars[0])
	}
	return views(ds), nil
}

func queryProvider(q *ledger.Query) (any, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	r := reputationOf(q.Store, a, 0)
	v := ReputationView{Provider: a.String(), Alpha: r.Alpha, Beta: r.Beta, ScorePPM: Score(r), Outcomes: r.Outcomes,
		Status: StatusName(r.Status), StatusHeight: r.StatusHeight}
	for _, d := range DealsOfProvider(q.Store, a) {
		v.Deals++
		if d.State == storagev1.DealState_DEAL_STATE_ACTIVE {
			v.ActiveDeals++
		}
		if d.State != storagev1.DealState_DEAL_STATE_CLOSED {
			v.OpenDeals++
		}
	}
	if r.Status == storagev1.ProviderStatus_PROVIDER_STATUS_VETTING {
		v.DealCap = params.Get(q.Store, VettingMaxOpenDeals)
	}
	return v, nil
}

// latestHeight is the last executed height (the one with the latest
// entropy): the committed height a query reads.
func latestHeight(st ledger.Store) int64 {
	h, _, _ := proof.LatestEntropy(st)
	return h
}

func queryChallenges(q *ledger.Query) (any, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, badRequest("%v", err)
	}
	// The next block is the one a proof lands in.
	h := latestHeight(q.Store) + 1
	v := WindowView{Height: h, Challenges: []ChallengeView{}}
	w, open := WindowAt(q.Store, h)
	if !open {
		return v, nil
	}
	v.Open, v.Number, v.OpenHeight, v.Last = true, w.Number, w.OpenHeight, w.Last
	for _, d := range DealsOfProvider(q.Store, a) {
		if d.State != storagev1.DealState_DEAL_STATE_ACTIVE || d.FirstWindow > w.Number || q.Store.Get(provenKey(w.Number, d.Id)) != nil {
			continue
		}
		ch, ok := ChallengeOf(q.Store, d, w)
		if !ok {
			continue
		}
		v.Challenges = append(v.Challenges, ChallengeView{Deal: d.Id, Window: w.Number, Index: ch.Index, Leaves: ch.Leaves,
			CID: FormatCID([32]byte(d.Cid)), Shard: d.Shard})
	}
	return v, nil
}
