package device

import (
	"slices"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// checkKinds validates a maker's kinds and returns them sorted ascending.
func checkKinds(known Kinds, kinds []string) ([]string, *ledger.Error) {
	if len(kinds) == 0 {
		return nil, ledger.Errorf(ledger.CodeMalformed, "maker certifies no kinds")
	}
	out := slices.Clone(kinds)
	slices.Sort(out)
	for i, k := range out {
		if !known.Has(k) {
			return nil, ledger.Errorf(ledger.CodeMalformed, "kind %q is not a network kind of this chain", k)
		}
		if i > 0 && out[i-1] == k {
			return nil, ledger.Errorf(ledger.CodeMalformed, "kind %s listed twice", k)
		}
	}
	return out, nil
}

// newMaker checks a maker registration against the message's own rules and
// the state, and returns the record to write.
func newMaker(st ledger.Store, known Kinds, name string, pubKey []byte, kinds []string, fee uint64, height int64) (*devicev1.Maker, *ledger.Error) {
	if e := checkText("maker name", name, params.Get(st, MaxNameLen), true); e != nil {
		return nil, e
	}
	if len(pubKey) != sig.PubKeyLen {
		return nil, ledger.Errorf(ledger.CodeMalformed, "maker public key is %d bytes, want %d", len(pubKey), sig.PubKeyLen)
	}
	sorted, e := checkKinds(known, kinds)
	if e != nil {
		return nil, e
	}
	id := ledger.AddressOf(pubKey)
	if _, ok := GetMaker(st, id); ok {
		return nil, ledger.Errorf(ledger.CodeMakerExists, "maker key %s is registered already", id)
	}
	if st.Get(nameKey(name)) != nil {
		return nil, ledger.Errorf(ledger.CodeMakerExists, "maker name %q is taken", name)
	}
	return &devicev1.Maker{
		Id: id[:], Name: name, PubKey: slices.Clone(pubKey), Kinds: sorted,
		OnboardFee: fee, RegisteredHeight: height,
	}, nil
}

func writeMaker(st ledger.Store, m *devicev1.Maker) {
	putMaker(st, m)
	st.Set(nameKey(m.Name), m.Id)
}

func handleRegisterMaker(ctx *ledger.Context, known Kinds, raw []byte) *ledger.Error {
	var m devicev1.MsgRegisterMaker
	if e := ledger.Unmarshal(TypeRegisterMaker, raw, &m); e != nil {
		return e
	}
	if e := params.RequireAuthority(ctx); e != nil {
		return e
	}
	mk, e := newMaker(ctx.Store, known, m.Name, m.PubKey, m.Kinds, m.OnboardFee, ctx.Height)
	if e != nil {
		return e
	}
	writeMaker(ctx.Store, mk)
	id, _ := ledger.AddressFromBytes(mk.Id)
	kinds := ""
	for i, k := range mk.Kinds {
		if i > 0 {
			kinds += ","
		}
		kinds += k
	}
	ctx.Emit("device.maker_registered",
		ledger.A("maker", id.String()), ledger.A("name", mk.Name), ledger.A("kinds", kinds),
		ledger.AU64("onboard_fee", mk.OnboardFee))
	return nil
}
