package chain_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// Market commands of the scenario files:
//
//	tx <p> market/create-provider host=<uri> [attrs=k:v,..]
//	tx <p> market/update-provider host=<uri> [attrs=k:v,..]
//	tx <authority> market/set-auditor auditor=<key> [remove=1]
//	tx <auditor> market/attest provider=<key> [attrs=k:v,..]
//	tx <c> market/create-order kind=<k> qty=<n> max=<n> duration=<n> deposit=<n> [attrs=k:v,..] [allof=<key>,..] [anyof=<key>,..]
//	tx <c> market/close-order order=<id>
//	tx <p> market/bid order=<id> price=<n> collateral=<n>
//	tx <p> market/close-bid order=<id>
//	tx <c> market/accept order=<id> provider=<key>
//	tx <any> market/deposit lease=<id> amount=<n>
//	tx <c|p> market/close-lease lease=<id> [reason=<n>]
//	tx <p> market/submit-receipts receipts=<payer>:<credits>:<nonce>[:<lease>][:bad|:chain|:to=<key>],..
//	tx <any> credits/buy credits=<n> [beneficiary=<key>]

func nameMarketAccounts(names map[string]string) {
	names[market.Escrow.String()] = "market_escrow"
	names[market.Collateral.String()] = "market_collateral"
	names[market.Treasury.String()] = "treasury"
}

func (s *scenario) attrs(a args) []*marketv1.Attribute {
	var out []*marketv1.Attribute
	for _, kv := range a.list("attrs") {
		k, v := splitPair(s.t, kv)
		out = append(out, &marketv1.Attribute{Key: k, Value: v})
	}
	return out
}

func (s *scenario) addrList(a args, name string) [][]byte {
	var out [][]byte
	for _, n := range a.list(name) {
		out = append(out, s.addrBytes(n))
	}
	return out
}

// marketMessage encodes a market or credits message of a tx command.
func (s *scenario) marketMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case market.TypeCreateProvider:
		return mustMarshal(&marketv1.MsgCreateProvider{HostUri: a.opt("host", ""), Attributes: s.attrs(a)}), true
	case market.TypeUpdateProvider:
		return mustMarshal(&marketv1.MsgUpdateProvider{HostUri: a.opt("host", ""), Attributes: s.attrs(a)}), true
	case market.TypeSetAuditor:
		return mustMarshal(&marketv1.MsgSetAuditor{Auditor: s.addrBytes(a.take("auditor")), Remove: a.optU64("remove", 0) == 1}), true
	case market.TypeAttest:
		return mustMarshal(&marketv1.MsgAttest{Provider: s.addrBytes(a.take("provider")), Attributes: s.attrs(a)}), true
	case market.TypeCreateOrder:
		return mustMarshal(&marketv1.MsgCreateOrder{Kind: a.opt("kind", ""), Quantity: a.optU64("qty", 0),
			Requirements: &marketv1.Requirements{Attributes: s.attrs(a), AllOf: s.addrList(a, "allof"), AnyOf: s.addrList(a, "anyof")},
			MaxPrice:     a.optU64("max", 0), Duration: a.optU64("duration", 0), Deposit: a.optU64("deposit", 0)}), true
	case market.TypeCloseOrder:
		return mustMarshal(&marketv1.MsgCloseOrder{Order: a.optU64("order", 0)}), true
	case market.TypeBid:
		return mustMarshal(&marketv1.MsgBid{Order: a.optU64("order", 0), Price: a.optU64("price", 0), Collateral: a.optU64("collateral", 0)}), true
	case market.TypeCloseBid:
		return mustMarshal(&marketv1.MsgCloseBid{Order: a.optU64("order", 0)}), true
	case market.TypeAccept:
		return mustMarshal(&marketv1.MsgAccept{Order: a.optU64("order", 0), Provider: s.addrBytes(a.take("provider"))}), true
	case market.TypeDeposit:
		return mustMarshal(&marketv1.MsgDeposit{Lease: a.optU64("lease", 0), Amount: a.optU64("amount", 0)}), true
	case market.TypeCloseLease:
		return mustMarshal(&marketv1.MsgCloseLease{Lease: a.optU64("lease", 0), Reason: uint32(a.optU64("reason", 0))}), true
	case market.TypeSubmitReceipts:
		return mustMarshal(&marketv1.MsgSubmitReceipts{Receipts: s.receipts(a)}), true
	case credit.TypeBuy:
		m := &creditv1.MsgBuy{Credits: a.optU64("credits", 0)}
		if a.has("beneficiary") {
			m.Beneficiary = s.addrBytes(a.take("beneficiary"))
		}
		return mustMarshal(m), true
	}
	return nil, false
}

// receipts builds signed receipts for the signer of the tx (the provider),
// of the kind of their lease (relay without one),
// one per <payer>:<credits>:<nonce>[:<lease>][:<flag>] item; flags: bad (a
// corrupted signature), chain (another chain), to=<key> (another
// provider).
func (s *scenario) receipts(a args) []*marketv1.SignedReceipt {
	h, _ := s.app.LastCommit()
	var out []*marketv1.SignedReceipt
	for _, item := range a.list("receipts") {
		parts := strings.Split(item, ":")
		if len(parts) < 3 {
			s.t.Fatalf("receipt %q: want <payer>:<credits>:<nonce>[:<lease>][:flag]", item)
		}
		payer := s.addr(parts[0])
		r := &marketv1.Receipt{ChainId: s.chainID, Payer: payer[:], Kind: "relay", PeriodStart: 1, PeriodEnd: h,
			Units: 1 << 20, Credits: parseU64(s.t, parts[1]), Nonce: parseU64(s.t, parts[2])}
		bad := false
		for _, p := range parts[3:] {
			switch {
			case p == "bad":
				bad = true
			case p == "chain":
				r.ChainId = "depin-other"
			case strings.HasPrefix(p, "to="):
				r.Provider = s.addrBytes(strings.TrimPrefix(p, "to="))
			default:
				r.Lease = parseU64(s.t, p)
			}
		}
		if r.Provider == nil {
			r.Provider = s.addrBytes(s.signer)
		}
		if l, ok := market.GetLease(s.app.Committed(), r.Lease); ok {
			r.Kind = l.Kind
		}
		sr := market.SignReceipt(keyFor(parts[0]), r)
		if bad {
			sr.Signature[0] ^= 1
		}
		out = append(out, sr)
	}
	return out
}

// blocks runs n empty blocks and prints their end-block events by height
// and the last app hash.
func (s *scenario) blocks(a args) string {
	s.requireApp()
	n := a.optU64("n", 1)
	a.done()
	var b strings.Builder
	for range n {
		res := finalize(s.t, s.app, nil)
		finalize(s.t, s.shadow, nil)
		h, _ := s.app.LastCommit()
		for _, e := range res.Events {
			if strings.HasPrefix(e.Type, "market.") || strings.HasPrefix(e.Type, "storage.") || e.Type == "bank.transfer" {
				fmt.Fprintf(&b, "%d end_block %s\n", h, eventLine(e))
			}
		}
	}
	h, hash := s.app.LastCommit()
	fmt.Fprintf(&b, "height %d app_hash %X", h, hash)
	return b.String()
}

// marketDump prints the market's records and the credit balances.
func (s *scenario) marketDump(b *strings.Builder, what string) bool {
	st := s.app.Committed()
	all := market.Page{Limit: market.MaxLimit}
	switch what {
	case "providers":
		ps, _ := market.ListProviders(st, all)
		for _, p := range ps {
			v := market.ViewProvider(st, p, true)
			fmt.Fprintf(b, "%s host=%s attrs=%s leases=%d credits_earned=%d attested_by=%d\n", v.Owner, v.HostURI, attrsLine(v.Attributes), v.Leases, v.CreditsEarned, len(v.Attestations))
		}
	case "orders":
		os, _ := market.ListOrders(st, market.OrderFilter{}, all)
		for _, o := range os {
			v := market.ViewOrder(o)
			fmt.Fprintf(b, "%d owner=%s kind=%s qty=%d max=%d duration=%d deposit=%d state=%s bids=%d lease=%d\n", v.ID, v.Owner, v.Kind, v.Quantity, v.MaxPrice, v.Duration, v.Deposit, v.State, v.Bids, v.Lease)
		}
	case "bids":
		bs, _ := market.ListBids(st, market.BidFilter{}, all)
		for _, x := range bs {
			v := market.ViewBid(x)
			fmt.Fprintf(b, "order=%d provider=%s price=%d collateral=%d state=%s expires=%d\n", v.Order, v.Provider, v.Price, v.Collateral, v.State, v.ExpiresHeight)
		}
	case "leases":
		ls, _ := market.ListLeases(st, market.LeaseFilter{}, all)
		for _, l := range ls {
			v := market.ViewLease(l)
			fmt.Fprintf(b, "%d order=%d owner=%s provider=%s rate=%d start=%d end=%d settled=%d next_due=%d state=%s balance=%d deposited=%d paid=%d take=%d refunded=%d",
				v.ID, v.Order, v.Owner, v.Provider, v.Rate, v.StartHeight, v.EndHeight, v.SettledHeight, v.NextDue, v.State, v.Balance, v.Deposited, v.Paid, v.Take, v.Refunded)
			if v.State == "closed" {
				fmt.Fprintf(b, " closed=%d reason=%s", v.ClosedHeight, v.CloseReason)
			}
			b.WriteString("\n")
			for _, d := range v.Depositors {
				fmt.Fprintf(b, "  depositor %s amount=%d remaining=%d\n", d.Address, d.Amount, d.Remaining)
			}
		}
	case "credits":
		t := credit.GetTotals(st)
		fmt.Fprintf(b, "outstanding=%d bought=%d spent=%d burned_upin=%d pending_remint_upin=%d reminted_upin=%d\n",
			t.Outstanding, t.Bought, t.Spent, t.BurnedUpin, t.PendingRemintUpin, t.RemintedUpin)
		addrs := make([]string, 0, len(s.names))
		for addr := range s.names {
			addrs = append(addrs, addr)
		}
		sort.Strings(addrs)
		for _, addr := range addrs {
			a, err := ledger.ParseAddress(addr)
			if err == nil && credit.Balance(st, a) > 0 {
				fmt.Fprintf(b, "%s %d\n", addr, credit.Balance(st, a))
			}
		}
	default:
		return false
	}
	return true
}

func attrsLine(as []market.AttributeView) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, a.Key+":"+a.Value)
	}
	return strings.Join(parts, ",")
}
