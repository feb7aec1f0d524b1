package energy

import (
	"cmp"
	"slices"
)

// Offer is one order in an auction: an ask or a bid of Wh at a price in
// upin per kWh. ID orders offers of equal price: the lower (earlier) ID
// trades first.
type Offer struct {
	ID    uint64
	Wh    uint64
	Price uint64
}

// Match is a quantity traded between an ask and a bid.
type Match struct {
	Ask uint64
	Bid uint64
	Wh  uint64
}

// Result is the outcome of one auction.
type Result struct {
	// Price is the uniform clearing price (0 when nothing trades).
	Price   uint64
	Traded  uint64
	Matches []Match
}

// Clear runs a uniform-price double auction. Asks are ranked by price
// ascending, bids by price descending, equal prices by ID ascending (time
// priority: IDs are given in the order orders reach the chain). Walking both
// rankings, the best remaining ask trades with the best remaining bid while
// the ask's price is at most the bid's; each step trades the smaller
// remaining quantity. This maximises the traded quantity. The price is the
// midpoint, rounded down, of the interval of prices at which exactly the
// matched orders want to trade: from the highest of the last matched ask
// price and the price of the best bid left wanting, to the lowest of the
// last matched bid price and the price of the best ask left wanting. The
// inputs are not modified.
func Clear(asks, bids []Offer) Result {
	a := rank(asks, 1)
	b := rank(bids, -1)
	var res Result
	i, j := 0, 0
	var ra, rb uint64 // remaining of a[i], b[j]
	if len(a) > 0 {
		ra = a[0].Wh
	}
	if len(b) > 0 {
		rb = b[0].Wh
	}
	var lastAsk, lastBid uint64
	for i < len(a) && j < len(b) && a[i].Price <= b[j].Price {
		q := min(ra, rb)
		if q > 0 {
			res.Matches = append(res.Matches, Match{Ask: a[i].ID, Bid: b[j].ID, Wh: q})
			res.Traded += q
			lastAsk, lastBid = a[i].Price, b[j].Price
		}
		ra -= q
		rb -= q
		if ra == 0 {
			if i++; i < len(a) {
				ra = a[i].Wh
			}
		}
		if rb == 0 {
			if j++; j < len(b) {
				rb = b[j].Wh
			}
		}
	}
	if res.Traded == 0 {
		return res
	}
	lo, hi := lastAsk, lastBid
	if j < len(b) { // a bid still wants energy: the price is at least its
		lo = max(lo, b[j].Price)
	}
	if i < len(a) { // an ask still has energy: the price is at most its
		hi = min(hi, a[i].Price)
	}
	res.Price = lo + (hi-lo)/2
	return res
}

// rank sorts a copy of offers by price (dir 1 ascending, -1 descending),
// then ID ascending, dropping empty ones.
func rank(offers []Offer, dir int) []Offer {
	out := make([]Offer, 0, len(offers))
	for _, o := range offers {
		if o.Wh > 0 {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(x, y Offer) int {
		if c := cmp.Compare(x.Price, y.Price); c != 0 {
			return dir * c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out
}
