package energy

import (
	"testing"

	"pgregory.net/rapid"
)

// naiveAuction computes the most tradable quantity and the Walrasian price
// interval by trying every integer price: at price p, supply counts asks
// priced at most p and demand bids priced at least p. The quantity is the
// largest min(supply, demand); the interval holds every p at which asks
// priced below p and bids priced above p fit in that quantity while those
// priced at most / at least p cover it. The price is the interval's
// midpoint, rounded down.
func naiveAuction(asks, bids []Offer, maxPrice uint64) (q, price uint64) {
	sum := func(offers []Offer, keep func(uint64) bool) uint64 {
		var s uint64
		for _, o := range offers {
			if keep(o.Price) {
				s += o.Wh
			}
		}
		return s
	}
	for p := uint64(0); p <= maxPrice; p++ {
		s := sum(asks, func(x uint64) bool { return x <= p })
		d := sum(bids, func(x uint64) bool { return x >= p })
		q = max(q, min(s, d))
	}
	if q == 0 {
		return 0, 0
	}
	lo, hi, found := uint64(0), uint64(0), false
	for p := uint64(0); p <= maxPrice; p++ {
		sLess := sum(asks, func(x uint64) bool { return x < p })
		sAt := sum(asks, func(x uint64) bool { return x <= p })
		dMore := sum(bids, func(x uint64) bool { return x > p })
		dAt := sum(bids, func(x uint64) bool { return x >= p })
		if sLess <= q && q <= sAt && dMore <= q && q <= dAt {
			if !found {
				lo, found = p, true
			}
			hi = p
		}
	}
	return q, lo + (hi-lo)/2
}

func drawBook(t *rapid.T, side string, maxPrice int) []Offer {
	n := rapid.IntRange(0, 12).Draw(t, side+"s")
	out := make([]Offer, n)
	for i := range out {
		out[i] = Offer{ID: uint64(rapid.IntRange(1, 40).Draw(t, side+"id")), Wh: uint64(rapid.IntRange(0, 50).Draw(t, side+"wh")),
			Price: uint64(rapid.IntRange(1, maxPrice).Draw(t, side+"price"))}
	}
	return out
}

func TestClearMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		const maxPrice = 30
		asks, bids := drawBook(t, "ask", maxPrice), drawBook(t, "bid", maxPrice)
		res := Clear(asks, bids)
		q, price := naiveAuction(asks, bids, maxPrice)
		if res.Traded != q || res.Price != price {
			t.Fatalf("got %d Wh at %d, naive %d Wh at %d", res.Traded, res.Price, q, price)
		}
		// Every match is individually rational and no order trades more
		// than it offered.
		askOf := map[uint64]uint64{}
		bidOf := map[uint64]uint64{}
		var total uint64
		for _, m := range res.Matches {
			askOf[m.Ask] += m.Wh
			bidOf[m.Bid] += m.Wh
			total += m.Wh
		}
		if total != res.Traded {
			t.Fatalf("matches sum to %d, traded %d", total, res.Traded)
		}
		check := func(offers []Offer, got map[uint64]uint64, ask bool) {
			byID := map[uint64]uint64{}
			for _, o := range offers {
				byID[o.ID] += o.Wh
				if got[o.ID] > 0 && ((ask && o.Price > res.Price) || (!ask && o.Price < res.Price)) {
					// An ID may be shared by several offers in the draw;
					// only a sole offer's price is checked.
					if count(offers, o.ID) == 1 {
						t.Fatalf("offer %d at %d traded at %d", o.ID, o.Price, res.Price)
					}
				}
			}
			for id, wh := range got {
				if wh > byID[id] {
					t.Fatalf("offer %d traded %d of %d", id, wh, byID[id])
				}
			}
		}
		check(asks, askOf, true)
		check(bids, bidOf, false)
	})
}

func count(offers []Offer, id uint64) int {
	n := 0
	for _, o := range offers {
		if o.ID == id {
			n++
		}
	}
	return n
}

func TestClearTies(t *testing.T) {
	// Two asks at the same price: the earlier (lower id) sells first.
	res := Clear([]Offer{{ID: 2, Wh: 100, Price: 50}, {ID: 1, Wh: 100, Price: 50}}, []Offer{{ID: 3, Wh: 150, Price: 80}})
	want := []Match{{Ask: 1, Bid: 3, Wh: 100}, {Ask: 2, Bid: 3, Wh: 50}}
	if len(res.Matches) != 2 || res.Matches[0] != want[0] || res.Matches[1] != want[1] {
		t.Fatalf("got %+v, want %+v", res.Matches, want)
	}
	// Ask 2 has energy left at 50, so the price is at most 50; the last
	// matched ask is at 50: the price is 50.
	if res.Price != 50 || res.Traded != 150 {
		t.Fatalf("got %d Wh at %d, want 150 at 50", res.Traded, res.Price)
	}
	// Fully matched on both sides: the midpoint of 40 and 80.
	if r := Clear([]Offer{{ID: 1, Wh: 100, Price: 40}}, []Offer{{ID: 2, Wh: 100, Price: 80}}); r.Price != 60 {
		t.Fatalf("got price %d, want 60", r.Price)
	}
	// No crossing: nothing trades.
	if r := Clear([]Offer{{ID: 1, Wh: 100, Price: 90}}, []Offer{{ID: 2, Wh: 100, Price: 80}}); r.Traded != 0 || r.Price != 0 {
		t.Fatalf("got %+v, want no trade", r)
	}
}
