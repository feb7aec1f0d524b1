package segment

import (
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Reports are an epoch's decoded reports, each with its kind. The zero
// value keeps every report in List. Reports made by Collecting hand the
// reports of a kind that collects (kind.Collecting) to that kind's
// Collector instead, as each segment is decoded, so that an epoch's reports
// are never all held here; Collected returns them for the kind's Input.
type Reports struct {
	List []KindReport
	// Malformed counts records that do not decode, fail the report checks
	// (an unknown kind among them) or name another epoch. Ingest never
	// logs such a record, so only a faulty or malicious ingest operator
	// commits one; it is skipped rather than stall the epoch.
	Malformed uint64
	// Forged counts reports whose signature does not verify. Ingest
	// verified every report it logged, so only a log written by someone
	// else holds one; it is skipped and earns nothing.
	Forged uint64

	collect    bool
	collectors []collected
	heights    []uint64 // entropy heights of collected reports, compacted as it grows
	compactAt  int
}

// collected is one kind's collector.
type collected struct {
	name string
	c    kind.Collector // nil: the kind does not collect
}

// Collecting returns empty Reports that hand the reports of every kind that
// collects to its collector.
func Collecting() Reports { return Reports{collect: true} }

// Collected returns the collector holding a kind's reports, nil if the kind
// does not collect or these Reports do not (its reports are then in List).
func (r *Reports) Collected(name string) kind.Collector {
	for _, c := range r.collectors {
		if c.name == name {
			return c.c
		}
	}
	return nil
}

// collector returns the collector of a kind, made on its first report; nil
// if the kind does not collect.
func (r *Reports) collector(kinds *kind.Registry, name string) kind.Collector {
	for _, c := range r.collectors {
		if c.name == name {
			return c.c
		}
	}
	var c kind.Collector
	if k, ok := kinds.Get(name); ok {
		if ck, ok := k.(kind.Collecting); ok {
			c = ck.NewCollector()
		}
	}
	r.collectors = append(r.collectors, collected{name: name, c: c})
	return c
}

// KindReport is a report and the name of its kind.
type KindReport struct {
	Kind string
	kind.Report
}

// Add decodes the records of a verified segment into r, in order,
// checking each envelope and body with kinds and the signatures in batches
// of verifyBatch (sig.BatchVerifier, ZIP-215: a signature's verdict does not
// depend on its batch). A report's id is its leaf hash, the hash ingest
// acknowledged it with.
func (r *Reports) Add(kinds *kind.Registry, seg *ingestv1.Segment) {
	recs := seg.GetRecords()
	for len(recs) > 0 {
		n := min(len(recs), verifyBatch)
		r.addBatch(kinds, seg.GetEpoch(), recs[:n])
		recs = recs[n:]
	}
}

// verifyBatch is how many records Add decodes and verifies at once: enough
// for batch verification's gain, few enough that a segment's decoded reports
// are not all held (a segment of 50,000 records decoded at once held about
// 100 MB).
const verifyBatch = 4096

func (r *Reports) addBatch(kinds *kind.Registry, epoch uint64, recs [][]byte) {
	type pending struct {
		id       [32]byte
		received int64
		rep      *reportv1.Report
		signed   *reportv1.SignedReport
	}
	var ok []pending
	bv := sig.NewBatchVerifier()
	for _, raw := range recs {
		var rec ingestv1.LogRecord
		if err := proto.Unmarshal(raw, &rec); err != nil || rec.GetEpoch() != epoch {
			r.Malformed++
			continue
		}
		sr := rec.GetReport()
		rep, rj := DecodeReport(kinds, sr, len(sr.GetReport())+len(sr.GetSignature()))
		if rj != nil {
			r.Malformed++
			continue
		}
		ok = append(ok, pending{id: merkle.LeafHash(raw), received: rec.GetReceived(), rep: rep, signed: sr})
		bv.Add(rep.GetPubKey(), Domain, sr.GetReport(), sr.GetSignature())
	}
	if len(ok) == 0 {
		return
	}
	all, valid := bv.Verify()
	for i, p := range ok {
		if !all && !valid[i] {
			r.Forged++
			continue
		}
		r.add(kinds, p.id, p.received, p.rep)
	}
}

func (r *Reports) add(kinds *kind.Registry, id [32]byte, received int64, rep *reportv1.Report) {
	kr := KindReport{Kind: rep.GetKind(), Report: kind.Report{
		ID: id, Device: ledger.AddressOf(rep.GetPubKey()), Received: received, Timestamp: rep.GetTimestamp(),
		EntropyHeight: uint64(rep.GetEntropy().GetHeight()), Type: rep.GetType(), Body: rep.GetBody(),
	}}
	copy(kr.EntropyHash[:], rep.GetEntropy().GetHash())
	if r.collect {
		if c := r.collector(kinds, kr.Kind); c != nil {
			c.Add(&kr.Report)
			r.addHeight(kr.EntropyHeight)
			return
		}
	}
	r.List = append(r.List, kr)
}

// addHeight records a collected report's entropy height. Reports answer few
// distinct heights, so the list is sorted and compacted whenever it doubles.
func (r *Reports) addHeight(h uint64) {
	if n := len(r.heights); n > 0 && r.heights[n-1] == h {
		return
	}
	r.heights = append(r.heights, h)
	if len(r.heights) > r.compactAt {
		slices.Sort(r.heights)
		r.heights = slices.Compact(r.heights)
		r.compactAt = max(64, 2*len(r.heights))
	}
}

// Of returns the reports of one kind, in order.
func (r *Reports) Of(name string) []kind.Report {
	var out []kind.Report
	for i := range r.List {
		if r.List[i].Kind == name {
			out = append(out, r.List[i].Report)
		}
	}
	return out
}

// EntropyHeights lists the distinct entropy heights the reports answer,
// ascending: the chain blocks an epoch's bundle must record.
func (r *Reports) EntropyHeights() []uint64 {
	out := make([]uint64, 0, 16+len(r.heights))
	out = append(out, r.heights...)
	for i := range r.List {
		out = append(out, r.List[i].EntropyHeight)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
