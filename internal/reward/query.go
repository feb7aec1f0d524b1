package reward

import (
	"encoding/json"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Queries registers the reward module's read-only queries:
//
//	rewards/epochs/current             the running epoch (depin.reward.v1.Epoch)
//	rewards/epochs/{n}                 an epoch that has started
//	rewards/epochs/{n}/settlement      a settled epoch's settlement
//	rewards/devices/{id}/claimed       what a device's owners have claimed
//	rewards/pools                      the current pool list (depin.reward.v1.PoolList)
//
// Bodies use the proto3 JSON mapping with proto field names, so 64-bit
// integers are decimal strings.
func Queries(rt *ledger.QueryRouter) {
	rt.Add("rewards/epochs/current", func(q *ledger.Query) (any, *ledger.QueryError) {
		return ProtoJSON(CurrentEpoch(q.Store)), nil
	})
	rt.Add("rewards/epochs/{n}", queryEpoch)
	rt.Add("rewards/epochs/{n}/settlement", querySettlement)
	rt.Add("rewards/devices/{id}/claimed", queryClaimed)
	rt.Add("rewards/pools", func(q *ledger.Query) (any, *ledger.QueryError) {
		return ProtoJSON(&rewardv1.PoolList{Pools: PoolsToProto(Pools(q.Store))}), nil
	})
}

var pj = protojson.MarshalOptions{UseProtoNames: true}

// ProtoJSON renders a stored record for a query answer.
func ProtoJSON(m proto.Message) json.RawMessage {
	b, err := pj.Marshal(m)
	if err != nil {
		// Every stored record marshals; this is a programming error.
		panic("reward: marshal " + string(m.ProtoReflect().Descriptor().FullName()) + ": " + err.Error())
	}
	return b
}

// ParseEpoch reads an epoch number from a query path segment.
func ParseEpoch(s string) (uint64, *ledger.QueryError) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, ledger.QueryErrorf(ledger.QueryBadRequest, "epoch %q is not a number", s)
	}
	return n, nil
}

func queryEpoch(q *ledger.Query) (any, *ledger.QueryError) {
	n, e := ParseEpoch(q.Vars[0])
	if e != nil {
		return nil, e
	}
	ep, ok := GetEpoch(q.Store, n)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "epoch %d has not started", n)
	}
	return ProtoJSON(ep), nil
}

func querySettlement(q *ledger.Query) (any, *ledger.QueryError) {
	n, e := ParseEpoch(q.Vars[0])
	if e != nil {
		return nil, e
	}
	set, ok := GetSettlement(q.Store, n)
	if !ok {
		return nil, ledger.QueryErrorf(ledger.QueryNotFound, "epoch %d is not settled", n)
	}
	return ProtoJSON(set), nil
}

func queryClaimed(q *ledger.Query) (any, *ledger.QueryError) {
	a, err := ledger.ParseAddress(q.Vars[0])
	if err != nil {
		return nil, ledger.QueryErrorf(ledger.QueryBadRequest, "%v", err)
	}
	return struct {
		Device  string `json:"device"`
		Claimed uint64 `json:"claimed,string"`
	}{a.String(), Claimed(q.Store, a)}, nil
}
