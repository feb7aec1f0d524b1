package energy

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
)

// FuzzHandlers feeds hostile message bytes to every handler: none panics,
// and a rejected message changes nothing.
func FuzzHandlers(f *testing.F) {
	e0 := newEnv(f, []meterSpec{{"sun", solarAttrs(5000)}})
	dev := testAddr("sun")
	ask, _ := proto.Marshal(&energyv1.MsgAsk{Device: dev[:], Interval: uint64(e0.now/interval) + 2, Wh: 100, Price: 1000})
	read, _ := proto.Marshal(&energyv1.MsgRead{Report: e0.signedRead("sun", rd(uint64(e0.now/interval)-1, 1, 1, 1, 1))})
	f.Add(uint8(0), ask)
	f.Add(uint8(1), ask)
	f.Add(uint8(2), read)
	f.Add(uint8(3), []byte{0x08, 0x01})
	f.Add(uint8(2), []byte{0x0a, 0x03, 0x01, 0x02, 0x03})
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		e := newEnv(t, []meterSpec{{"sun", solarAttrs(5000)}})
		typ := []string{TypeAsk, TypeBid, TypeRead, TypeRetire}[int(which)%4]
		before := snapshot(e.st)
		if err := e.deliverRaw(testAddr("owner/sun"), typ, body); err != nil {
			if after := snapshot(e.st); after != before {
				t.Fatalf("%s rejected with %v but changed state", typ, err)
			}
		}
		e.advance(e.now + 3*interval)
	})
}

func snapshot(st *ledger.MemStore) string {
	var out []byte
	st.Iterate(nil, nil, func(k, v []byte) bool {
		out = append(out, k...)
		out = append(out, 0)
		out = append(out, v...)
		return true
	})
	return string(out)
}
