package relay

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// Message types of the relay module.
const (
	TypeRegister = "relay/register"
	TypeOpen     = "relay/open"
	TypeClose    = "relay/close"
	TypeClaim    = "relay/claim"
)

func marshal(typ string, m proto.Message) (string, []byte, error) {
	b, err := proto.Marshal(m)
	if err != nil {
		return "", nil, fmt.Errorf("agent: relay: encode %s: %w", typ, err)
	}
	return typ, b, nil
}

// RegisterMsg registers the signer (a market provider) as a relay.
func RegisterMsg(hostURI string) (string, []byte, error) {
	return marshal(TypeRegister, &relayv1.MsgRegister{HostUri: hostURI})
}

// OpenMsg opens or tops up a channel with a relay.
func OpenMsg(relay ledger.Address, pricePerMiB, deposit uint64) (string, []byte, error) {
	return marshal(TypeOpen, &relayv1.MsgOpen{Relay: relay[:], Price: pricePerMiB, Deposit: deposit})
}

// ClaimMsg claims a consumer's latest receipt.
func ClaimMsg(sr *relayv1.SignedReceipt) (string, []byte, error) {
	return marshal(TypeClaim, &relayv1.MsgClaim{Receipt: sr})
}

// Inflate returns a copy of a signed receipt with its bytes doubled and
// the consumer's signature kept: what a cheating relay would claim. The
// chain refuses it as forged (simulations and tests).
func Inflate(sr *relayv1.SignedReceipt) *relayv1.SignedReceipt {
	var r relayv1.Receipt
	if proto.Unmarshal(sr.Receipt, &r) != nil {
		return sr
	}
	r.Bytes *= 2
	return &relayv1.SignedReceipt{Receipt: ledger.Encode(&r), PubKey: sr.PubKey, Signature: sr.Signature}
}

// ReceiptBytes returns the cumulative bytes of a signed receipt (0 if it
// does not decode).
func ReceiptBytes(sr *relayv1.SignedReceipt) uint64 {
	var r relayv1.Receipt
	if proto.Unmarshal(sr.Receipt, &r) != nil {
		return 0
	}
	return r.Bytes
}
