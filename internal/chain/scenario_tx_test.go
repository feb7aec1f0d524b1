package chain_test

import (
	"strings"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// tx builds, signs and queues a transaction. Without seq= it carries the
// signer's committed sequence plus the txs of that signer already queued
// and accepted by CheckTx in the pending block.
func (s *scenario) tx(signer, typ string, a args) string {
	s.requireApp()
	from := s.addr(signer)
	s.signer = signer
	m := msg{typ: typ}
	if a.has("raw") {
		m.value = mustHex(s.t, a.take("raw"))
	} else {
		m.value = s.message(typ, a)
	}
	explicitSeq := a.has("seq")
	o := txOpts{
		chainID: a.opt("chain", s.chainID),
		seq:     a.optU64("seq", app.Sequence(s.app.Committed(), from)+s.queued[from]),
		fee:     a.optU64("fee", 1000),
		memo:    a.opt("memo", ""),
	}
	msgs := make([]msg, a.optU64("repeat", 1))
	for i := range msgs {
		msgs[i] = m
	}
	raw := buildTx(keyFor(signer), o, msgs...)
	switch a.opt("sig", "good") {
	case "good":
	case "bad":
		raw = badSignature(raw)
	default:
		s.t.Fatalf("sig= must be good or bad")
	}
	if n := a.optU64("truncate", 0); n > 0 {
		raw = raw[:uint64(len(raw))-n]
	}
	force := a.opt("force", "no") == "yes"
	a.done()
	out := s.queue(raw, force)
	// A queued tx uses its sequence when it passes the ante step: accepted,
	// or forced in although a message fails.
	if !explicitSeq && (out == "checktx: ok" || force && strings.Contains(out, ": message ")) {
		s.queued[from]++
	}
	return out
}

// addrBytes reads an address argument: a key name, or hex:<bytes> for a
// malformed one.
func (s *scenario) addrBytes(v string) []byte {
	if h, ok := strings.CutPrefix(v, "hex:"); ok {
		return mustHex(s.t, h)
	}
	a := s.addr(v)
	return a[:]
}

func (s *scenario) kind(v string) string { return v }

// message encodes the message of a tx command from its arguments.
func (s *scenario) message(typ string, a args) []byte {
	switch typ {
	case bank.TypeSend:
		return mustMarshal(&bankv1.MsgSend{To: s.addrBytes(a.take("to")), Amount: a.optU64("amount", 0)})
	case bank.TypeMultiSend:
		var tos []ledger.Address
		var amounts []uint64
		for _, out := range a.list("out") {
			name, amount := splitPair(s.t, out)
			tos = append(tos, s.addr(name))
			amounts = append(amounts, parseU64(s.t, amount))
		}
		return multiSendMsg(tos, amounts).value
	case "params/set":
		var names []string
		var values []uint64
		for _, kv := range a.list("set") {
			n, v := splitPair(s.t, kv)
			names = append(names, n)
			values = append(values, parseU64(s.t, v))
		}
		return setParamsMsg(names, values).value
	case "params/set-authority":
		return setAuthorityMsg(s.addrBytes(a.take("authority"))).value
	case device.TypeRegisterMaker:
		var kinds []string
		for _, k := range strings.Split(a.opt("kinds", ""), "+") {
			if k != "" {
				kinds = append(kinds, s.kind(k))
			}
		}
		key := a.take("key")
		s.addr(key)
		_, v := device.RegisterMakerMsg(a.opt("name", key), sig.PublicOf(keyFor(key)), kinds, a.optU64("fee", 0))
		return v
	case device.TypeOnboard:
		return s.onboard(a)
	case device.TypeAssertLocation:
		dev, cell := s.addrBytes(a.take("device")), parseU64(s.t, "0x"+a.take("cell"))
		attrs, ok := s.assertAttributes(cell, a)
		if !ok {
			attrs = coverage.EncodeAttributes(parseI32(s.t, a.opt("gain", "0")), parseI32(s.t, a.opt("elevation", "0")), coverage.RegionUnknown)
		}
		return mustMarshal(&devicev1.MsgAssertLocation{Device: dev, Cell: cell, Attributes: attrs})
	case device.TypeTransfer:
		return mustMarshal(&devicev1.MsgTransfer{Device: s.addrBytes(a.take("device")), NewOwner: s.addrBytes(a.take("to"))})
	case device.TypeDecommission:
		return mustMarshal(&devicev1.MsgDecommission{Device: s.addrBytes(a.take("device"))})
	}
	for _, build := range []func(string, args) ([]byte, bool){s.marketMessage, s.rewardMessage, s.stakeMessage, s.storageMessage,
		s.computeMessage, s.energyMessage, s.relayMessage, s.dataMessage} {
		if v, ok := build(typ, a); ok {
			return v
		}
	}
	return nil // an unknown type carries raw= or nothing
}

// onboard builds a device/onboard message: maker= certifies device= of
// kind= with serial=, bound to owner= (default the signer's name given as
// owner) on bindchain= (default the scenario chain). certmaker= names
// another maker id in the certificate; makersig=bad and devicesig=bad
// corrupt the signatures.
func (s *scenario) onboard(a args) []byte {
	makerName, devName := a.take("maker"), a.take("device")
	s.addr(makerName)
	s.addr(devName)
	makerPriv, devPriv := keyFor(makerName), keyFor(devName)
	certMaker := s.addr(a.opt("certmaker", makerName))
	owner := s.addr(a.take("owner"))
	cert, cs := device.NewCertificate(makerPriv, certMaker, sig.PublicOf(devPriv), s.kind(a.take("kind")), a.take("serial"))
	bind, bs := device.NewBinding(devPriv, a.opt("bindchain", s.chainID), owner)
	if a.opt("makersig", "good") == "bad" {
		cs[0] ^= 1
	}
	if a.opt("devicesig", "good") == "bad" {
		bs[0] ^= 1
	}
	_, v := device.OnboardMsg(cert, cs, bind, bs)
	return v
}
