package query

import (
	"encoding/json"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
)

// maxSegments bounds one segment listing.
const maxSegments = 100_000

var pj = protojson.MarshalOptions{UseProtoNames: true}

func protoJSON(m proto.Message) json.RawMessage {
	b, err := pj.Marshal(m)
	if err != nil {
		panic("query: marshal " + string(m.ProtoReflect().Descriptor().FullName()) + ": " + err.Error())
	}
	return b
}

func parseEpoch(s string) (uint64, *Error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errorf(CodeBadRequest, "epoch %q is not a number", s)
	}
	return n, nil
}

// rewardEpoch answers /rewards/epochs/{n} with a depin.reward.v1.Epoch.
func (r *request) rewardEpoch(s string) (any, *Error) {
	n, e := parseEpoch(s)
	if e != nil {
		return nil, e
	}
	ep, ok := reward.GetEpoch(r.st, n)
	if !ok {
		return nil, errorf(CodeNotFound, "epoch %d has not started", n)
	}
	return protoJSON(ep), nil
}

// rewardCurrent answers /rewards/epochs/current.
func (r *request) rewardCurrent() (any, *Error) {
	return protoJSON(reward.CurrentEpoch(r.st)), nil
}

// rewardSettlement answers /rewards/epochs/{n}/settlement.
func (r *request) rewardSettlement(s string) (any, *Error) {
	n, e := parseEpoch(s)
	if e != nil {
		return nil, e
	}
	set, ok := reward.GetSettlement(r.st, n)
	if !ok {
		return nil, errorf(CodeNotFound, "epoch %d is not settled", n)
	}
	return protoJSON(set), nil
}

// rewardClaimed answers /rewards/devices/{id}/claimed: what a device's
// owners have claimed so far.
func (r *request) rewardClaimed(s string) (any, *Error) {
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return nil, errorf(CodeBadRequest, "%v", err)
	}
	return struct {
		Device  string `json:"device"`
		Claimed uint64 `json:"claimed,string"`
	}{a.String(), reward.Claimed(r.st, a)}, nil
}

// proofSegments answers /proof/epochs/{n}/segments with every segment
// committed for the epoch, in commit order.
func (r *request) proofSegments(s string) (any, *Error) {
	n, e := parseEpoch(s)
	if e != nil {
		return nil, e
	}
	segs, _, more := proof.Segments(r.st, n, 0, maxSegments)
	if more {
		return nil, errorf(CodeBadRequest, "epoch %d has more than %d segments", n, maxSegments)
	}
	out := make([]json.RawMessage, len(segs))
	for i, sg := range segs {
		out[i] = protoJSON(sg)
	}
	return struct {
		Segments []json.RawMessage `json:"segments"`
	}{out}, nil
}
