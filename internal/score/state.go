package score

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// KindState is what one kind's scorer left for the next epoch.
type KindState struct {
	Kind  string
	State []byte
}

// States lists what each kind's scorer left for the next epoch, in the
// bundle's order: the epoch's settled state, whose hash (StateHash of
// EncodeStates) the oracles submit with the root.
func (o *EpochOutput) States() []KindState {
	out := make([]KindState, len(o.Kinds))
	for i, k := range o.Kinds {
		out[i] = KindState{Kind: k.Name, State: k.State}
	}
	return out
}

// StateOf returns the state of a kind in a list, nil if absent.
func StateOf(states []KindState, name string) []byte {
	for _, s := range states {
		if s.Kind == name {
			return s.State
		}
	}
	return nil
}

type stateJSON struct {
	Kind  string `json:"kind"`
	State string `json:"state"` // hex
}

// EncodeStates returns the canonical bytes of a state list: a JSON array
// of {"kind", "state" (hex)} in the given order.
func EncodeStates(states []KindState) []byte {
	j := make([]stateJSON, len(states))
	for i, s := range states {
		j[i] = stateJSON{Kind: s.Kind, State: hex.EncodeToString(s.State)}
	}
	b, err := json.Marshal(j)
	if err != nil {
		panic(fmt.Sprintf("score: encode states: %v", err)) // strings always encode
	}
	return b
}

// StateHash is the SHA-256 of encoded states: the state_hash of
// MsgSubmitRoot and of the settlement.
func StateHash(encoded []byte) [32]byte { return sha256.Sum256(encoded) }

// DecodeStates parses canonical state bytes. Anything else (unknown
// fields, bad hex, a kind listed twice, bytes that do not re-encode
// identically) is a *ledger.Error with CodePriorMismatch.
func DecodeStates(raw []byte) ([]KindState, error) {
	var j []stateJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, ledger.Errorf(CodePriorMismatch, "decode states: %v", err)
	}
	out := make([]KindState, len(j))
	for i, s := range j {
		b, err := hex.DecodeString(s.State)
		if err != nil {
			return nil, ledger.Errorf(CodePriorMismatch, "decode states: kind %q: %v", s.Kind, err)
		}
		if len(b) == 0 {
			b = nil
		}
		for _, prev := range out[:i] {
			if prev.Kind == s.Kind {
				return nil, ledger.Errorf(CodePriorMismatch, "decode states: kind %q listed twice", s.Kind)
			}
		}
		out[i] = KindState{Kind: s.Kind, State: b}
	}
	if !bytes.Equal(EncodeStates(out), raw) {
		return nil, ledger.Errorf(CodePriorMismatch, "decode states: not in canonical encoding")
	}
	return out, nil
}
