package compute

import (
	"crypto/sha256"
	"os"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/kind/compute"
)

// BenchmarkVerificationOverhead renders a 64-tile job of the reference
// scene once (the job's work) and re-executes the tasks the chain's rule
// samples at the default compute.sample_bps, drawn from a different
// entropy each iteration; it reports re-execution time ÷ job time (target
// ≤ 0.15, docs/compute.md) and the share of tasks sampled.
func BenchmarkVerificationOverhead(b *testing.B) {
	scene, err := os.ReadFile("../kind/compute/render/testdata/spheres.json")
	if err != nil {
		b.Fatal(err)
	}
	p, err := compute.Prepare(compute.Job{Type: compute.TypeRender, Input: scene, Tasks: 64})
	if err != nil {
		b.Fatal(err)
	}
	var job, verify time.Duration
	var sampled, tasks int
	for i := 0; i < b.N; i++ {
		e := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		t0 := time.Now()
		for k := 0; k < p.Tasks; k++ {
			p.Execute(k)
		}
		t1 := time.Now()
		for k := 0; k < p.Tasks; k++ {
			if Sampled(e, 1, uint32(k), 1, SampleBps.Default) {
				p.Execute(k)
				sampled++
			}
		}
		job += t1.Sub(t0)
		verify += time.Since(t1)
		tasks += p.Tasks
	}
	b.ReportMetric(verify.Seconds()/job.Seconds(), "verify/job")
	b.ReportMetric(float64(sampled)/float64(tasks), "sampled")
}
