package ledger

import (
	"fmt"
	"strconv"

	"google.golang.org/protobuf/proto"
)

// Shared state helpers: every module stores protobuf records the same way,
// so the encoding is written once here.

var deterministic = proto.MarshalOptions{Deterministic: true}

// Encode marshals a state record deterministically (the same bytes on
// every node, so the app hash agrees). Records always encode; a failure is a
// programming error and panics.
func Encode(m proto.Message) []byte {
	b, err := deterministic.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("ledger: encode %T: %v", m, err))
	}
	return b
}

// DecodeState decodes a record read from state. A record that does not
// decode is a broken invariant: the node panics (halts) rather than diverge.
func DecodeState(b []byte, m proto.Message) {
	if err := proto.Unmarshal(b, m); err != nil {
		panic(fmt.Sprintf("ledger: corrupt %T in state: %v", m, err))
	}
}

// GetU64 reads a counter; absent is 0.
func GetU64(st Store, k []byte) uint64 { return ReadU64(st.Get(k)) }

// SetU64 writes a counter; 0 deletes the key, so absent and 0 agree.
func SetU64(st Store, k []byte, v uint64) {
	if v == 0 {
		st.Delete(k)
		return
	}
	st.Set(k, U64(v))
}

// A builds an event attribute.
func A(key, value string) Attr { return Attr{Key: key, Value: value} }

// AU64 builds an event attribute with a decimal value.
func AU64(key string, v uint64) Attr { return Attr{Key: key, Value: strconv.FormatUint(v, 10)} }
