package ingest

import (
	"errors"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// The connect codecs of the ingest service: connect's own, except that a
// body that does not decode gets depin's words instead of the protobuf
// library's text, which changes between builds (issue 8 item 7). connect
// answers it with code invalid_argument.

// errBadBody is what a request body that does not decode is told.
var errBadBody = errors.New("ingest: the request body is not a valid message of this call")

// errNotMessage means a codec was handed a value that is not a protobuf
// message: a programming error.
var errNotMessage = errors.New("ingest: codec: not a protobuf message")

type protoCodec struct{}

func (protoCodec) Name() string { return "proto" }

func (protoCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, errNotMessage
	}
	return proto.Marshal(m)
}

func (protoCodec) Unmarshal(b []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return errNotMessage
	}
	if proto.Unmarshal(b, m) != nil {
		return errBadBody
	}
	return nil
}

type jsonCodec struct{}

func (jsonCodec) Name() string { return "json" }

func (jsonCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, errNotMessage
	}
	return protojson.Marshal(m)
}

func (jsonCodec) Unmarshal(b []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return errNotMessage
	}
	// Unknown fields are dropped, as connect's own JSON codec does, so
	// clients and servers need not share a schema version exactly.
	if len(b) == 0 || (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, m) != nil {
		return errBadBody
	}
	return nil
}
