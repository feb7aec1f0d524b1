package dataaccess

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

func TestRefundShare(t *testing.T) {
	for _, c := range []struct {
		net         uint64
		nb, na, now int64
		want        uint64
	}{
		{9_800, 100, 1100, 600, 4_900},                    // half way
		{9_800, 100, 1100, 0, 9_800},                      // before the window: all
		{9_800, 100, 1100, 100, 9_800},                    // at its start: all
		{9_800, 100, 1100, 1100, 0},                       // at its end: nothing
		{9_800, 100, 1100, 5000, 0},                       // after: nothing
		{10, 0, 3, 1, 6},                                  // 20/3 rounds down, the remainder stays with the owner
		{^uint64(0), 0, 1 << 40, 1 << 39, ^uint64(0) / 2}, // no overflow
	} {
		if got := Refund(c.net, c.nb, c.na, c.now); got != c.want {
			t.Errorf("Refund(%d, %d, %d, %d) = %d, want %d", c.net, c.nb, c.na, c.now, got, c.want)
		}
	}
}

// TestRevokeRefund: bob accepts a priced grant; the owner revokes half way
// through the window and refunds bob half of what the owner received (the
// take stays with the treasury); supply is unchanged. A grant revoked when
// its window has ended refunds nothing, and once expired cannot be revoked.
func TestRevokeRefund(t *testing.T) {
	e := newEnv(t)
	now := e.now
	const price = 10_000
	for _, m := range []*datav1.MsgGrant{
		e.grantMsg("station", "bob", []string{"humidity"}, now, now+1000, price),
		e.grantMsg("station", "alice", []string{"humidity"}, now, now+10, price),
	} {
		if err := e.deliver("owner", TypeGrant, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct {
		who string
		id  uint64
	}{{"bob", 1}, {"alice", 2}} {
		if err := e.deliver(a.who, TypeAccept, &datav1.MsgAccept{Id: a.id}); err != nil {
			t.Fatal(err)
		}
	}
	take := uint64(price) * market.TakeRateBps.Default / 10_000
	// A later change of the take rate does not change what is refunded.
	e.st.Set(ledger.Key(ledger.PrefixParams, []byte("v"), []byte(market.TakeRateBps.Name)), ledger.U64(5_000))
	if params.Get(e.st, market.TakeRateBps) != 5_000 {
		t.Fatal("take rate not changed")
	}
	supply := bank.GetSupply(e.st)
	owner, bob, treasury := bank.Balance(e.st, testAddr("owner")), bank.Balance(e.st, testAddr("bob")), bank.Balance(e.st, market.Treasury)

	// Revoke of grant 2 at the end of its window (before the sweep): nothing back.
	e.now = now + 10
	alice := bank.Balance(e.st, testAddr("alice"))
	if err := e.deliver("owner", TypeRevoke, &datav1.MsgRevoke{Id: 2}); err != nil {
		t.Fatal(err)
	}
	if got := bank.Balance(e.st, testAddr("alice")); got != alice {
		t.Errorf("revoke after the window refunded %d", got-alice)
	}

	e.advance(now + 500) // half of grant 1's window
	if err := e.deliver("owner", TypeRevoke, &datav1.MsgRevoke{Id: 1}); err != nil {
		t.Fatal(err)
	}
	want := (price - take) / 2
	if got := bank.Balance(e.st, testAddr("bob")) - bob; got != want {
		t.Errorf("bob refunded %d, want %d", got, want)
	}
	if got := owner - bank.Balance(e.st, testAddr("owner")); got != want {
		t.Errorf("owner paid back %d, want %d", got, want)
	}
	if bank.Balance(e.st, market.Treasury) != treasury {
		t.Error("the treasury's take changed")
	}
	if bank.GetSupply(e.st) != supply {
		t.Error("supply changed")
	}
	if err := bank.Invariant(e.st); err != nil {
		t.Fatal(err)
	}
	if g, _ := GetGrant(e.st, 1); g.Status != datav1.Status_STATUS_REVOKED || g.OwnerReceived != price-take || g.Refunded != want {
		t.Fatalf("grant 1: %s, owner received %d, refunded %d", statusName(g.Status), g.OwnerReceived, g.Refunded)
	}
}

// TestRevokeExpiredNoRefund: once the sweep expired a paid grant, revoke is
// refused and no money moves.
func TestRevokeExpiredNoRefund(t *testing.T) {
	e := newEnv(t)
	if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "bob", []string{"humidity"}, e.now, e.now+10, 5_000)); err != nil {
		t.Fatal(err)
	}
	if err := e.deliver("bob", TypeAccept, &datav1.MsgAccept{Id: 1}); err != nil {
		t.Fatal(err)
	}
	e.advance(e.now + 10)
	before := e.dump()
	if err := e.deliver("owner", TypeRevoke, &datav1.MsgRevoke{Id: 1}); err == nil || err.Code != CodeClosed {
		t.Fatalf("revoke expired: %v", err)
	}
	if e.dump() != before {
		t.Fatal("a refused revoke changed state")
	}
}

// TestRevokeUnfunded: an owner who cannot cover the refund cannot revoke,
// and nothing changes.
func TestRevokeUnfunded(t *testing.T) {
	e := newEnv(t)
	if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "bob", []string{"humidity"}, e.now, e.now+1000, 5_000)); err != nil {
		t.Fatal(err)
	}
	if err := e.deliver("bob", TypeAccept, &datav1.MsgAccept{Id: 1}); err != nil {
		t.Fatal(err)
	}
	if err := bank.Transfer(e.st, testAddr("owner"), testAddr("alice"), bank.Balance(e.st, testAddr("owner"))); err != nil {
		t.Fatal(err)
	}
	before := e.dump()
	if err := e.deliver("owner", TypeRevoke, &datav1.MsgRevoke{Id: 1}); err == nil {
		t.Fatal("an owner without funds revoked a paid grant")
	}
	if e.dump() != before {
		t.Fatal("a refused revoke changed state")
	}
}
