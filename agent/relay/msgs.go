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
