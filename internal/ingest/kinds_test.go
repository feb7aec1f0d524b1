package ingest

import (
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// testKinds are the kinds the tests check reports with.
var testKinds = kind.NewRegistry(coverage.Kind{})

// mustBody encodes a report body.
func mustBody(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// setBody makes r a coverage report of type typ with body m.
func setBody(r *reportv1.Report, typ string, m proto.Message) {
	r.Kind, r.Type, r.Body = coverage.Name, typ, mustBody(m)
}
