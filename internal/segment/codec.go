package segment

import (
	"bytes"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/merkle"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
)

// Encode returns the segment file bytes. Protobuf encoders write fields in
// number order and these are scalars, bytes and repeated bytes, so the
// encoding is a pure function of the segment.
func Encode(seg *ingestv1.Segment) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(seg)
	if err != nil {
		return nil, fmt.Errorf("segment: encode: %w", err)
	}
	return b, nil
}

// Decode decodes segment file bytes and checks they are in the canonical
// encoding, so that a segment has exactly one file and one hash.
func Decode(b []byte) (*ingestv1.Segment, error) {
	var seg ingestv1.Segment
	if err := proto.Unmarshal(b, &seg); err != nil {
		return nil, errors.New("segment: decode: not a segment")
	}
	again, err := Encode(&seg)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, errors.New("segment: decode: not in canonical encoding")
	}
	return &seg, nil
}

// Root returns the Merkle root over the segment's record leaf hashes.
func Root(seg *ingestv1.Segment) merkle.Hash {
	leaves := make([]merkle.Hash, len(seg.GetRecords()))
	for i, r := range seg.GetRecords() {
		leaves[i] = merkle.LeafHash(r)
	}
	return merkle.Root(leaves)
}
