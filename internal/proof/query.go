package proof

import (
	"encoding/json"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/depin-network/depin/internal/ledger"
)

// maxQuerySegments bounds one segment listing.
const maxQuerySegments = 100_000

// Queries registers the proof module's read-only queries:
//
//	proof/epochs/{n}/segments   every segment committed for epoch n, in
//	                            commit order (depin.proof.v1 records in the
//	                            proto3 JSON mapping)
func Queries(rt *ledger.QueryRouter) {
	rt.Add("proof/epochs/{n}/segments", querySegments)
}

func querySegments(q *ledger.Query) (any, *ledger.QueryError) {
	n, err := strconv.ParseUint(q.Vars[0], 10, 64)
	if err != nil {
		return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "epoch %q is not a number", q.Vars[0])
	}
	segs, _, more := Segments(q.Store, n, 0, maxQuerySegments)
	if more {
		return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "epoch %d has more than %d segments", n, maxQuerySegments)
	}
	pj := protojson.MarshalOptions{UseProtoNames: true}
	out := make([]json.RawMessage, len(segs))
	for i, sg := range segs {
		b, err := pj.Marshal(sg)
		if err != nil {
			panic("proof: marshal segment: " + err.Error())
		}
		out[i] = b
	}
	return struct {
		Segments []json.RawMessage `json:"segments"`
	}{out}, nil
}
