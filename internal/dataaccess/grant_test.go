package dataaccess

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

func (e *env) grantMsg(dev string, grantee string, chans []string, nb, na int64, price uint64) *datav1.MsgGrant {
	d, g := testAddr(dev), testAddr(grantee)
	return &datav1.MsgGrant{Device: d[:], Grantee: g[:], Channels: chans, NotBefore: nb, NotAfter: na, Price: price}
}

func status(t *testing.T, e *env, id uint64) datav1.Status {
	g, ok := GetGrant(e.st, id)
	if !ok {
		t.Fatalf("no grant %d", id)
	}
	return g.Status
}

// TestRejections: every bad message gets its code and changes nothing.
func TestRejections(t *testing.T) {
	e := newEnv(t)
	now := e.now
	if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "alice", []string{"temperature"}, now, now+3600, 0)); err != nil {
		t.Fatal(err)
	}
	if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "bob", []string{"humidity"}, now, now+3600, 500)); err != nil {
		t.Fatal(err)
	}
	g := func(dev, grantee string, chans []string, nb, na int64) proto.Message {
		return e.grantMsg(dev, grantee, chans, nb, na, 0)
	}
	temp, hum := []string{"temperature"}, []string{"humidity"}
	cases := []struct {
		name   string
		signer string
		typ    string
		m      proto.Message
		want   ledger.Code
	}{
		{"not owner", "alice", TypeGrant, g("station", "bob", temp, now, now+60), CodeNotOwner},
		{"no location", "owner", TypeGrant, g("unplaced", "bob", temp, now, now+60), CodeNotSensor},
		{"unknown device", "owner", TypeGrant, g("nobody", "bob", temp, now, now+60), CodeNotSensor},
		{"self", "owner", TypeGrant, g("station", "owner", temp, now, now+60), CodeSelfGrant},
		{"undeclared channel", "owner", TypeGrant, g("station", "bob", []string{"pm25"}, now, now+60), CodeBadChannels},
		{"unknown channel", "owner", TypeGrant, g("station", "bob", []string{"radiation"}, now, now+60), CodeBadChannels},
		{"unsorted", "owner", TypeGrant, g("station", "bob", []string{"temperature", "humidity"}, now, now+60), CodeBadChannels},
		{"repeated", "owner", TypeGrant, g("station", "bob", []string{"humidity", "humidity"}, now, now+60), CodeBadChannels},
		{"no channels", "owner", TypeGrant, g("station", "bob", nil, now, now+60), CodeBadChannels},
		{"ended", "owner", TypeGrant, g("station", "bob", hum, now-100, now), CodeBadWindow},
		{"inverted", "owner", TypeGrant, g("station", "bob", hum, now+100, now+50), CodeBadWindow},
		{"too long", "owner", TypeGrant, g("station", "bob", hum, now, now+int64(MaxWindowSeconds.Default)+1), CodeBadWindow},
		{"bad grantee", "owner", TypeGrant, &datav1.MsgGrant{Device: func() []byte { a := testAddr("station"); return a[:] }(), Grantee: []byte{1}, Channels: hum, NotBefore: now, NotAfter: now + 9}, ledger.CodeInvalidAddress},
		{"accept unknown", "bob", TypeAccept, &datav1.MsgAccept{Id: 99}, CodeNoGrant},
		{"accept not grantee", "alice", TypeAccept, &datav1.MsgAccept{Id: 2}, CodeNotGrantee},
		{"accept free", "alice", TypeAccept, &datav1.MsgAccept{Id: 1}, CodeNotPending},
		{"revoke unknown", "owner", TypeRevoke, &datav1.MsgRevoke{Id: 99}, CodeNoGrant},
		{"revoke not owner", "alice", TypeRevoke, &datav1.MsgRevoke{Id: 1}, CodeNotOwner},
	}
	for _, c := range cases {
		before := e.dump()
		err := e.deliver(c.signer, c.typ, c.m)
		if err == nil || err.Code != c.want {
			t.Errorf("%s: got %v, want code %d", c.name, err, c.want)
		}
		if e.dump() != before {
			t.Errorf("%s: a refusal changed state", c.name)
		}
	}
}

// TestLifecycle: free grants are active at once; priced ones pending until
// accepted and paid (take rate to the treasury); revoke closes; expiry
// closes at the end of the window; a closed grant cannot be revoked or
// accepted.
func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	now := e.now
	for _, m := range []*datav1.MsgGrant{
		e.grantMsg("station", "alice", []string{"temperature"}, now, now+100, 0),
		e.grantMsg("station", "bob", []string{"humidity", "temperature"}, now, now+1000, 10_000),
		e.grantMsg("station", "alice", []string{"humidity"}, now, now+1000, 0),
	} {
		if err := e.deliver("owner", TypeGrant, m); err != nil {
			t.Fatal(err)
		}
	}
	if status(t, e, 1) != datav1.Status_STATUS_ACTIVE || status(t, e, 2) != datav1.Status_STATUS_PENDING {
		t.Fatal("free grant not active or priced grant not pending")
	}
	ownerBefore, bobBefore := bank.Balance(e.st, testAddr("owner")), bank.Balance(e.st, testAddr("bob"))
	if err := e.deliver("bob", TypeAccept, &datav1.MsgAccept{Id: 2}); err != nil {
		t.Fatal(err)
	}
	take := uint64(10_000) * market.TakeRateBps.Default / 10_000
	if got := bank.Balance(e.st, testAddr("owner")) - ownerBefore; got != 10_000-take {
		t.Errorf("owner got %d, want %d", got, 10_000-take)
	}
	if got := bobBefore - bank.Balance(e.st, testAddr("bob")); got != 10_000 {
		t.Errorf("bob paid %d, want 10000", got)
	}
	if status(t, e, 2) != datav1.Status_STATUS_ACTIVE {
		t.Fatal("accepted grant not active")
	}
	if err := e.deliver("owner", TypeRevoke, &datav1.MsgRevoke{Id: 3}); err != nil {
		t.Fatal(err)
	}
	e.advance(now + 99)
	if status(t, e, 1) != datav1.Status_STATUS_ACTIVE {
		t.Fatal("grant expired early")
	}
	e.advance(now + 100)
	if status(t, e, 1) != datav1.Status_STATUS_EXPIRED || status(t, e, 3) != datav1.Status_STATUS_REVOKED || status(t, e, 2) != datav1.Status_STATUS_ACTIVE {
		t.Fatalf("statuses %s %s %s", status(t, e, 1), status(t, e, 2), status(t, e, 3))
	}
	for _, id := range []uint64{1, 3} {
		if err := e.deliver("owner", TypeRevoke, &datav1.MsgRevoke{Id: id}); err == nil || err.Code != CodeClosed {
			t.Errorf("revoke closed grant %d: %v", id, err)
		}
	}
	if gs := DeviceGrants(e.st, testAddr("station")); len(gs) != 3 {
		t.Errorf("device grants: %d", len(gs))
	}
	if gs := GranteeGrants(e.st, testAddr("alice")); len(gs) != 2 {
		t.Errorf("alice's grants: %d", len(gs))
	}
	// Export and import give the same state.
	raw, err := ExportGenesis(e.st)
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t)
	if err := InitGenesis(e2.st, raw); err != nil {
		t.Fatal(err)
	}
	if err := Invariants(e2.st); err != nil {
		t.Fatal(err)
	}
	raw2, _ := ExportGenesis(e2.st)
	if string(raw) != string(raw2) {
		t.Errorf("export round trip:\n%s\n%s", raw, raw2)
	}
}

// TestMaxOpenGrants bounds a device's open grants.
func TestMaxOpenGrants(t *testing.T) {
	e := newEnv(t)
	for i := range MaxOpenGrants.Default {
		if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "alice", []string{"temperature"}, e.now, e.now+10+int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "alice", []string{"temperature"}, e.now, e.now+10, 0)); err == nil || err.Code != CodeTooMany {
		t.Fatalf("got %v, want too_many_grants", err)
	}
	e.advance(e.now + 10) // one expires
	if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "alice", []string{"temperature"}, e.now, e.now+10, 0)); err != nil {
		t.Fatalf("after an expiry: %v", err)
	}
}
