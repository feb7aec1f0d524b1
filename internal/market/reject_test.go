package market

import (
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// rejectEnv is a state with a provider p1, an open order 1 of alice with
// p1's bid, an active lease 1 (order 2) of alice with p1, a closed lease 2
// (order 3), and credits for alice.
func rejectEnv(t tb) *env {
	e := newEnv(t, nil, "alice", "bob", "p1", "p2")
	e.provider("p1")
	o := e.order("alice", 1, 1_000, 100, 500_000)
	e.must("p1", TypeBid, &marketv1.MsgBid{Order: o, Price: 500, Collateral: 500_000})
	e.leaseFor("alice", "p1", 1, 1_000, 100, 500_000)
	id := e.leaseFor("alice", "p1", 1, 1_000, 100, 500_000)
	e.must("alice", TypeCloseLease, &marketv1.MsgCloseLease{Lease: id})
	e.buy("alice", 1_000)
	e.endBlock()
	e.must("p1", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 0, 10, 5)}})
	e.endBlock()
	return e
}

func TestRejections(t *testing.T) {
	p1, p2, alice := testAddr("p1"), testAddr("p2"), testAddr("alice")
	cases := []struct {
		name   string
		signer string
		typ    string
		msg    func(e *env) proto.Message
		code   ledger.Code
	}{
		{"bid above max price", "p1", TypeBid, func(*env) proto.Message {
			return &marketv1.MsgBid{Order: 1, Price: 1_001, Collateral: 500_000}
		}, CodePriceAboveMax},
		{"bid by a non-provider", "p2", TypeBid, func(*env) proto.Message {
			return &marketv1.MsgBid{Order: 1, Price: 10, Collateral: 500_000}
		}, CodeUnknownProvider},
		{"bid twice", "p1", TypeBid, func(*env) proto.Message {
			return &marketv1.MsgBid{Order: 1, Price: 10, Collateral: 500_000}
		}, CodeBidExists},
		{"bid on a matched order", "p1", TypeBid, func(*env) proto.Message {
			return &marketv1.MsgBid{Order: 2, Price: 10, Collateral: 500_000}
		}, CodeOrderNotOpen},
		{"bid with low collateral", "p1", TypeBid, func(*env) proto.Message {
			return &marketv1.MsgBid{Order: 1, Price: 10, Collateral: 1}
		}, CodeCollateralTooLow},
		{"accept by a non-owner", "bob", TypeAccept, func(*env) proto.Message {
			return &marketv1.MsgAccept{Order: 1, Provider: p1[:]}
		}, ledger.CodeUnauthorized},
		{"accept an unknown bid", "alice", TypeAccept, func(*env) proto.Message {
			return &marketv1.MsgAccept{Order: 1, Provider: p2[:]}
		}, CodeUnknownBid},
		{"close twice", "alice", TypeCloseLease, func(*env) proto.Message {
			return &marketv1.MsgCloseLease{Lease: 2}
		}, CodeLeaseClosed},
		{"close by a stranger", "bob", TypeCloseLease, func(*env) proto.Message {
			return &marketv1.MsgCloseLease{Lease: 1}
		}, ledger.CodeUnauthorized},
		{"owner closes with a provider reason", "alice", TypeCloseLease, func(*env) proto.Message {
			return &marketv1.MsgCloseLease{Lease: 1, Reason: ReasonProvider}
		}, CodeBadCloseReason},
		{"deposit to a closed lease", "bob", TypeDeposit, func(*env) proto.Message {
			return &marketv1.MsgDeposit{Lease: 2, Amount: 10}
		}, CodeLeaseClosed},
		{"deposit to an unknown lease", "bob", TypeDeposit, func(*env) proto.Message {
			return &marketv1.MsgDeposit{Lease: 99, Amount: 10}
		}, CodeUnknownLease},
		{"deposit overflowing the escrow", "bob", TypeDeposit, func(*env) proto.Message {
			return &marketv1.MsgDeposit{Lease: 1, Amount: math.MaxUint64}
		}, ledger.CodeOverflow},
		{"deposit beyond the balance", "bob", TypeDeposit, func(*env) proto.Message {
			return &marketv1.MsgDeposit{Lease: 1, Amount: funds + 1}
		}, ledger.CodeInsufficientFunds},
		{"close an order twice", "alice", TypeCloseOrder, func(*env) proto.Message {
			return &marketv1.MsgCloseOrder{Order: 2}
		}, CodeOrderNotOpen},
		{"overflowing quantity × price × duration", "alice", TypeCreateOrder, func(*env) proto.Message {
			return &marketv1.MsgCreateOrder{Kind: "compute", Quantity: 1 << 20, MaxPrice: 1 << 30, Duration: 1 << 20, Deposit: 500_000}
		}, ledger.CodeOverflow},
		{"overflowing quantity × price", "alice", TypeCreateOrder, func(*env) proto.Message {
			return &marketv1.MsgCreateOrder{Kind: "compute", Quantity: 1 << 40, MaxPrice: 1 << 30, Duration: 1, Deposit: 500_000}
		}, ledger.CodeOverflow},
		{"order deposit below the minimum", "alice", TypeCreateOrder, func(*env) proto.Message {
			return &marketv1.MsgCreateOrder{Kind: "compute", Quantity: 1, MaxPrice: 1, Duration: 1, Deposit: 1}
		}, CodeDepositTooLow},
		{"order with a bad kind", "alice", TypeCreateOrder, func(*env) proto.Message {
			return &marketv1.MsgCreateOrder{Kind: "Compute!", Quantity: 1, MaxPrice: 1, Duration: 1, Deposit: 500_000}
		}, ledger.CodeMalformed},
		{"update by a non-provider", "p2", TypeUpdateProvider, func(*env) proto.Message {
			return &marketv1.MsgUpdateProvider{HostUri: "https://p2.example"}
		}, CodeUnknownProvider},
		{"update with a duplicate attribute", "p1", TypeUpdateProvider, func(*env) proto.Message {
			return &marketv1.MsgUpdateProvider{HostUri: "https://p1.example", Attributes: []*marketv1.Attribute{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}}
		}, ledger.CodeMalformed},
		{"provider twice", "p1", TypeCreateProvider, func(*env) proto.Message {
			return &marketv1.MsgCreateProvider{HostUri: "https://p1.example"}
		}, CodeProviderExists},
		{"auditor set by a non-authority", "alice", TypeSetAuditor, func(*env) proto.Message {
			return &marketv1.MsgSetAuditor{Auditor: alice[:]}
		}, ledger.CodeUnauthorized},
		{"forged receipt", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			sr := e.receipt("alice", "p1", 0, 10, 6)
			sr.Signature[0] ^= 1
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{sr}}
		}, CodeForgedReceipt},
		{"receipt signed by another key", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			sr := e.receipt("alice", "p1", 0, 10, 6)
			other := SignReceipt(testKey("bob"), &marketv1.Receipt{})
			sr.PubKey = other.PubKey
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{sr}}
		}, CodeForgedReceipt},
		{"replayed receipt", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 0, 10, 5)}}
		}, CodeReceiptReplayed},
		{"nonce repeated in a batch", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 0, 10, 6), e.receipt("alice", "p1", 0, 10, 6)}}
		}, CodeReceiptReplayed},
		{"receipt for another provider", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p2", 0, 10, 6)}}
		}, CodeReceiptProvider},
		{"receipt for a lease of someone else", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("bob", "p1", 1, 10, 6)}}
		}, CodeReceiptLease},
		{"receipt with a future period", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			sr := e.receipt("alice", "p1", 0, 10, 6)
			r, _ := DecodeReceipt(sr.Receipt)
			r.PeriodEnd = e.height + 1
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{SignReceipt(testKey("alice"), r)}}
		}, CodeReceiptPeriod},
		{"receipt for another chain", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			sr := e.receipt("alice", "p1", 0, 10, 6)
			r, _ := DecodeReceipt(sr.Receipt)
			r.ChainId = "other"
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{SignReceipt(testKey("alice"), r)}}
		}, CodeReceiptChain},
		{"the first bad receipt of a batch is reported", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			forged := e.receipt("alice", "p1", 0, 10, 7)
			forged.Signature[5] ^= 1
			junk := &marketv1.SignedReceipt{Receipt: []byte{0xff}}
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p1", 0, 10, 6), forged, junk}}
		}, CodeForgedReceipt},
		{"a malformed receipt before a forged one", "p1", TypeSubmitReceipts, func(e *env) proto.Message {
			forged := e.receipt("alice", "p1", 0, 10, 7)
			forged.Signature[5] ^= 1
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{{Receipt: []byte{0xff}}, forged}}
		}, ledger.CodeMalformed},
		{"receipts from a non-provider", "p2", TypeSubmitReceipts, func(e *env) proto.Message {
			return &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p2", 0, 10, 6)}}
		}, CodeUnknownProvider},
		{"buy zero credits", "alice", credit.TypeBuy, func(*env) proto.Message {
			return &creditv1.MsgBuy{}
		}, ledger.CodeInvalidAmount},
		{"buy beyond the balance", "alice", credit.TypeBuy, func(*env) proto.Message {
			return &creditv1.MsgBuy{Credits: funds}
		}, ledger.CodeInsufficientFunds},
		{"buy above credit.max_buy", "alice", credit.TypeBuy, func(*env) proto.Message {
			return &creditv1.MsgBuy{Credits: 1 << 62}
		}, ledger.CodeTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := rejectEnv(t)
			before := e.snapshot()
			err := e.deliver(c.signer, c.typ, c.msg(e))
			if err == nil || err.Code != c.code {
				t.Fatalf("got %v, want code %s", err, c.code)
			}
			if e.snapshot() != before {
				t.Fatalf("a rejected %s changed state", c.typ)
			}
		})
	}
}

func TestBidExpires(t *testing.T) {
	e := newEnv(t, map[string]uint64{"market.bid_timeout_blocks": 5}, "alice", "p1")
	e.provider("p1")
	o := e.order("alice", 1, 10, 10, 500_000)
	e.must("p1", TypeBid, &marketv1.MsgBid{Order: o, Price: 10, Collateral: 500_000})
	e.blocks(6)
	p1 := testAddr("p1")
	if err := e.deliver("alice", TypeAccept, &marketv1.MsgAccept{Order: o, Provider: p1[:]}); err == nil || err.Code != CodeBidExpired {
		t.Fatalf("accepting an expired bid: %v", err)
	}
	before := e.balance("p1")
	e.must("alice", TypeCloseOrder, &marketv1.MsgCloseOrder{Order: o})
	if got := e.balance("p1") - before; got != 500_000 {
		t.Fatalf("expired bid refunded %d at order close", got)
	}
	e.endBlock()
}
