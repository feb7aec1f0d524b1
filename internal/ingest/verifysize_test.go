package ingest

import (
	"fmt"
	"testing"

	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// BenchmarkVerifyBatchSize measures the cached-key batch verification cost
// per signature by batch size (one goroutine).
// Run: go test ./internal/ingest -run '^$' -bench VerifyBatchSize
func BenchmarkVerifyBatchSize(b *testing.B) {
	f := newFleet(4096)
	ent := &reportv1.BlockRef{Height: 100, Hash: blockHash(100)}
	var pubs, msgs, sigs [][]byte
	for i := range 4096 {
		sr := f.heartbeat(i, ent)
		rep, err := segment.DecodeReport(testKinds, sr, 2048)
		if err != nil {
			b.Fatal(err)
		}
		pubs, msgs, sigs = append(pubs, rep.GetPubKey()), append(msgs, sr.GetReport()), append(sigs, sr.GetSignature())
	}
	c := sig.NewKeyCache(8192)
	c.VerifyBatch(Domain, pubs, msgs, sigs)
	for _, n := range []int{64, 128, 256, 512, 1024, 2048, 4096} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				o := (i * n) % 4096
				c.VerifyBatch(Domain, pubs[o:o+n], msgs[o:o+n], sigs[o:o+n])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
		})
	}
}
