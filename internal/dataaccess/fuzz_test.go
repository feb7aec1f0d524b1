package dataaccess

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
)

// FuzzHandlers feeds raw message bytes to every handler after a valid
// grant: never a panic, a refusal changes nothing, the invariants hold.
func FuzzHandlers(f *testing.F) {
	d, a := testAddr("station"), testAddr("alice")
	ok, _ := proto.Marshal(&datav1.MsgGrant{Device: d[:], Grantee: a[:], Channels: []string{"humidity"}, NotBefore: 1, NotAfter: 1_800_000_100, Price: 7})
	f.Add(uint8(0), ok, uint8(0))
	f.Add(uint8(1), []byte{0x08, 0x01}, uint8(2))
	f.Add(uint8(2), []byte{0x08, 0x02}, uint8(0))
	f.Add(uint8(0), []byte{0xff, 0x01}, uint8(1))
	f.Fuzz(func(t *testing.T, which uint8, raw []byte, signer uint8) {
		e := newEnv(t)
		if err := e.deliver("owner", TypeGrant, e.grantMsg("station", "bob", []string{"temperature"}, e.now, e.now+60, 5)); err != nil {
			t.Fatal(err)
		}
		typ := []string{TypeGrant, TypeAccept, TypeRevoke}[int(which)%3]
		who := []string{"owner", "alice", "bob"}[int(signer)%3]
		before := e.dump()
		h, _ := e.rt.Handler(typ)
		ov := ledger.NewOverlay(e.st)
		ctx := &ledger.Context{Store: ov, ChainID: "data-test", Height: e.now, Time: e.now * 1e9, Signer: testAddr(who)}
		if err := h(ctx, raw); err != nil {
			if e.dump() != before {
				t.Fatal("refusal changed state")
			}
			return
		}
		ov.Flush()
		e.advance(e.now + 30)
	})
}
