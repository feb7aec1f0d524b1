package stake

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// FuzzHandlers feeds arbitrary bytes to every staking message handler from
// arbitrary signers: no input may panic, and a rejected one changes
// nothing, an accepted one keeps the invariants.
func FuzzHandlers(f *testing.F) {
	seed := func(m proto.Message) []byte { b, _ := proto.Marshal(m); return b }
	v0, v1 := acct(0), acct(1)
	f.Add(uint8(0), uint8(4), seed(&stakev1.MsgCreateValidator{PubKey: consKey(9), Amount: 2000 * pin, MaxCommissionBps: 100}))
	f.Add(uint8(1), uint8(0), seed(&stakev1.MsgEditValidator{SetMoniker: true, Moniker: "x"}))
	f.Add(uint8(2), uint8(5), seed(&stakev1.MsgDelegate{Validator: v0[:], Amount: pin}))
	f.Add(uint8(3), uint8(0), seed(&stakev1.MsgUndelegate{Validator: v0[:], Amount: pin}))
	f.Add(uint8(4), uint8(0), seed(&stakev1.MsgRedelegate{Src: v0[:], Dst: v1[:], Amount: pin}))
	f.Add(uint8(5), uint8(0), seed(&stakev1.MsgWithdrawRewards{}))
	f.Add(uint8(6), uint8(0), seed(&stakev1.MsgUnjail{}))
	f.Add(uint8(2), uint8(5), []byte{0xff, 0x01})
	rt := ledger.NewRouter()
	Register(rt)
	types := rt.Types()
	f.Fuzz(func(t *testing.T, which, signer uint8, raw []byte) {
		k := newKit(t, 2)
		h, _ := rt.Handler(types[int(which)%len(types)])
		before := snapshot(k.st)
		o := ledger.NewOverlay(k.st)
		ctx := &ledger.Context{Store: o, ChainID: "test", Height: k.height, Time: k.time, Signer: acct(int(signer) % 8)}
		if e := h(ctx, raw); e != nil {
			if snapshot(k.st) != before {
				t.Fatal("a rejected message wrote through its overlay")
			}
			return
		}
		o.Flush()
		k.check()
		k.block(allSigned(k))
	})
}
