package ledger

import "google.golang.org/protobuf/proto"

// Unmarshal decodes a protobuf message strictly: bytes that do not decode,
// and fields the chain does not know (which must not be signed for and then
// silently dropped), are a CodeMalformed error. The message names what was
// being decoded and nothing else: the protobuf library's own error text
// varies between builds, and results must read the same on every node.
func Unmarshal(what string, raw []byte, m proto.Message) *Error {
	if err := proto.Unmarshal(raw, m); err != nil {
		return Errorf(CodeMalformed, "%s is not a valid protobuf encoding", what)
	}
	if len(m.ProtoReflect().GetUnknown()) > 0 {
		return Errorf(CodeMalformed, "%s has fields this chain does not know", what)
	}
	return nil
}
