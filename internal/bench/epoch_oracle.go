package bench

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/durable"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// The oracle's path (`depin bench epoch --oracle`): the same fleet as
// NewFleet, but every device has an ed25519 key, and every beacon and
// witness is a signed report in a log record, cut into committed segments
// as ingest writes them. What is timed and sampled is what the oracle does
// with an epoch (oracle.Prepare, then the store's save): verify each
// segment against its commitment, decode and check every report and verify
// the signatures in batches (segment.Reports, collecting the coverage
// reports into columns), score.Run (the coverage scorer, the reward engine,
// the per-device explanations), and the JSON lines of the explanations the
// oracle stores and serves, written as they are built. As in the oracle,
// each segment is read from where the oracle fetches it (here a file the
// setup wrote) and stored as soon as it is verified (a file in a store
// directory): the raw segments are never all held. Signing the epoch is
// setup, spread over every core; it is not measured.

// segmentRecords is the number of records per segment.
const segmentRecords = 50_000

// OracleEpochRun is one fleet size's outcome on the oracle's path.
type OracleEpochRun struct {
	Devices, Reports int
	// SegmentBytes is the size of the raw segments the oracle reads and
	// stores.
	SegmentBytes uint64
	// Decode is reading, verifying and storing the segments, report
	// decoding and signature checks; Score is score.Run; Explain is
	// writing the explanations' JSON lines.
	Decode, Score, Explain time.Duration
	// CPU is the CPU time of the thread doing all three.
	CPU time.Duration
	// BaseHeap is the live heap before the timed work (the bundle);
	// PeakHeap the most in use during it.
	BaseHeap, PeakHeap uint64
	PeakRSS            uint64
	ExplainBytes       int
	MemoryLimit        int64
	Root               reward.Hash
}

// oracleEpoch is a signed epoch as the oracle finds it: its segments in
// files under dir, named by their index.
type oracleEpoch struct {
	bundle   *score.Bundle
	dir      string
	segments int
	bytes    uint64
	reports  int
	pending  []unsigned
}

// unsigned is a report to sign and put in the next segment.
type unsigned struct {
	dev      int32
	received int64
	raw      []byte
}

// newOracleEpoch signs the fleet's reports into segment files under dir
// and builds the bundle the oracle would, devices and prior state included.
func newOracleEpoch(n, perBeacon int, dir string) (*oracleEpoch, error) {
	keys := make([]sig.PrivateKey, n)
	pubs := make([][]byte, n)
	addrs := make([]ledger.Address, n)
	index := make(map[ledger.Address]int32, n)
	for i := range n {
		seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("depin/bench/oracle-device"), uint64(i)))
		keys[i] = sig.KeyFromSeed(seed[:])
		pubs[i] = sig.PublicOf(keys[i])
		addrs[i] = ledger.AddressOf(pubs[i])
		index[addrs[i]] = int32(i)
	}
	in, err := newFleet(n, perBeacon, func(i int) ledger.Address { return addrs[i] })
	if err != nil {
		return nil, err
	}
	ent := in.Entropy[0]
	ref := func() *reportv1.BlockRef { return &reportv1.BlockRef{Height: int64(ent.Height), Hash: ent.Hash[:]} }
	e := &oracleEpoch{dir: dir}
	nonces := make([]uint64, n)
	sign := func(dev int32, received int64, typ string, body proto.Message) error {
		b, err := proto.Marshal(body)
		if err != nil {
			return err
		}
		nonces[dev]++
		raw, err := proto.Marshal(&reportv1.Report{PubKey: pubs[dev], Nonce: nonces[dev], Timestamp: received,
			Entropy: ref(), Kind: coverage.Name, Type: typ, Body: b})
		if err != nil {
			return err
		}
		e.pending = append(e.pending, unsigned{dev: dev, received: received, raw: raw})
		if len(e.pending) == segmentRecords {
			return e.cut(in.Epoch, keys)
		}
		return nil
	}
	for i := range in.Beacons {
		b := &in.Beacons[i]
		if err := sign(index[b.Device], b.Received, coverage.TypeBeacon, &coveragev1.Beacon{LocalEntropy: b.LocalEntropy,
			Payload: b.Payload, Frequency: b.FrequencyHz, TxPower: b.TxPowerDBm * 10, Region: b.Region.String()}); err != nil {
			return nil, fmt.Errorf("bench: oracle epoch: beacon %d: %w", i, err)
		}
	}
	for k := range in.WitnessColumns.Len() {
		w := in.WitnessColumns.At(k)
		if err := sign(index[w.Device], w.Received, coverage.TypeWitness, &coveragev1.Witness{Beaconer: pubs[index[w.Beaconer]],
			Payload: w.Payload, Frequency: w.FrequencyHz, Signal: w.SignalDdBm, Snr: w.SNRcB, BeaconEntropy: ref()}); err != nil {
			return nil, fmt.Errorf("bench: oracle epoch: witness %d: %w", k, err)
		}
	}
	if err := e.cut(in.Epoch, keys); err != nil {
		return nil, err
	}
	e.reports = len(in.Beacons) + in.WitnessColumns.Len()

	devices := make([]kind.Device, n)
	for i, h := range in.Hotspots {
		devices[i] = kind.Device{ID: h.Device, Owner: h.Owner, Cell: h.Cell,
			Attributes: coverage.EncodeAttributes(h.GainDdBi, h.ElevationM, h.Region)}
	}
	byID := func(a, b kind.Device) int { return bytes.Compare(a.ID[:], b.ID[:]) }
	slices.SortFunc(devices, byID)
	act := in.Activity
	slices.SortFunc(act, func(a, b coverage.Activity) int { return bytes.Compare(a.Device[:], b.Device[:]) })
	e.bundle.Start, e.bundle.End = in.Start, in.End
	e.bundle.Emission, e.bundle.Pools = epochEmission, reward.DefaultPools()
	e.bundle.Entropy = []kind.Entropy{{Height: ent.Height, Hash: ent.Hash, Time: ent.Time}}
	e.bundle.Kinds = []score.KindInputs{{Name: coverage.Name, ScorerVersion: coverage.ScorerVersion,
		Params: kind.Defaults(coverage.Kind{}.Specs()), Devices: devices, State: coverage.EncodeActivity(act)}}
	return e, nil
}

// cut signs the pending reports on every core, encodes them as the
// epoch's next segment, writes it to its file and commits to it.
func (e *oracleEpoch) cut(epoch uint64, keys []sig.PrivateKey) error {
	if e.bundle == nil {
		e.bundle = &score.Bundle{Epoch: epoch, ScorerVersion: score.CurrentScorer, StartHeight: 1, EndHeight: 100}
	}
	if len(e.pending) == 0 {
		return nil
	}
	recs := make([][]byte, len(e.pending))
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(recs); i += len(errs) {
				u := &e.pending[i]
				recs[i], errs[w] = proto.Marshal(&ingestv1.LogRecord{Report: &reportv1.SignedReport{Report: u.raw,
					Signature: sig.Sign(keys[u.dev], segment.Domain, u.raw)}, Received: u.received, Epoch: epoch})
				if errs[w] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	e.pending = e.pending[:0]
	seg := &ingestv1.Segment{Epoch: epoch, Records: recs}
	raw, err := segment.Encode(seg)
	if err != nil {
		return err
	}
	if err := os.WriteFile(e.segmentPath(e.segments), raw, 0o600); err != nil {
		return err
	}
	e.segments++
	e.bytes += uint64(len(raw))
	e.bundle.Segments = append(e.bundle.Segments, segment.Ref{Hash: sha256.Sum256(raw), MerkleRoot: segment.Root(seg), Count: uint64(len(recs))})
	return nil
}

func (e *oracleEpoch) segmentPath(i int) string {
	return filepath.Join(e.dir, fmt.Sprintf("segment-%06d", i))
}

// storeObject writes b to dir under its SHA-256, as the oracle's store
// does (durably).
func storeObject(dir string, b []byte) error {
	sum := sha256.Sum256(b)
	return durable.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])), b, 0o644)
}

// streamObject writes what write produces to a synced file in dir while
// hashing it, as the oracle's store writes a streamed object, and returns
// its size.
func streamObject(dir string, write func(io.Writer) error) (int, error) {
	f, err := os.CreateTemp(dir, "object-")
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	hc := hashCounter{w: bw, h: sha256.New()}
	err = write(&hc)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return hc.n, err
}

// hashCounter counts and hashes what is written to the file behind it.
type hashCounter struct {
	w io.Writer
	h hash.Hash
	n int
}

func (c *hashCounter) Write(b []byte) (int, error) {
	c.h.Write(b)
	c.n += len(b)
	return c.w.Write(b)
}

// RunOracleEpoch runs the oracle's path over a signed epoch of n devices,
// under score.MemoryLimit capped at limitCap (0: none) as the oracle runs.
func RunOracleEpoch(n, perBeacon int, limitCap int64) (OracleEpochRun, error) {
	run := OracleEpochRun{Devices: n}
	dir, err := os.MkdirTemp("", "depin-bench-oracle-")
	if err != nil {
		return run, err
	}
	defer os.RemoveAll(dir)
	objects := filepath.Join(dir, "objects")
	if err := os.Mkdir(objects, 0o755); err != nil {
		return run, err
	}
	e, err := newOracleEpoch(n, perBeacon, dir)
	if err != nil {
		return run, err
	}
	run.Reports, run.SegmentBytes = e.reports, e.bytes
	runtime.GC()
	debug.FreeOSMemory()
	rssReset := resetPeak() == nil
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	run.BaseHeap = m.HeapInuse
	// As the oracle does: the epoch's limit over what is live before it.
	if l := score.MemoryLimitOver(m.HeapAlloc, uint64(e.reports), score.OracleBytesPerReport, limitCap); l > 0 {
		prev := debug.SetMemoryLimit(l)
		defer debug.SetMemoryLimit(prev)
	}
	run.MemoryLimit = debug.SetMemoryLimit(-1)
	kinds := kind.NewRegistry(coverage.Kind{})
	hs := sampleHeap(20 * time.Millisecond)
	runtime.LockOSThread()
	c0 := threadCPU()
	t0 := time.Now()
	reps := segment.Collecting()
	for i := range e.segments {
		raw, err := os.ReadFile(e.segmentPath(i))
		var seg *ingestv1.Segment
		if err == nil {
			seg, err = segment.Verify(raw, e.bundle.Segments[i], e.bundle.Epoch)
		}
		if err == nil {
			reps.Add(kinds, seg)
			err = storeObject(objects, raw)
		}
		if err != nil {
			runtime.UnlockOSThread()
			hs.done()
			return run, fmt.Errorf("bench: oracle epoch of %d devices: %w", n, err)
		}
	}
	t1 := time.Now()
	out, err := score.Run(score.EpochInputs{Bundle: e.bundle, Reports: reps, Kinds: kinds, Geo: geo.H3{}})
	t2 := time.Now()
	explainBytes := 0
	if err == nil {
		// As Prepare does once scored: the bundle streamed to the store.
		_, err = streamObject(dir, func(w io.Writer) error { return score.WriteBundle(w, e.bundle) })
	}
	if err == nil {
		explainBytes, err = streamObject(dir, out.WriteExplanations)
	}
	t3 := time.Now()
	run.CPU = threadCPU() - c0
	runtime.UnlockOSThread()
	run.PeakHeap = hs.done()
	if st, serr := procStatus(); serr == nil && rssReset {
		run.PeakRSS = st["VmHWM"]
	}
	if err != nil {
		return run, fmt.Errorf("bench: oracle epoch of %d devices: %w", n, err)
	}
	if reps.Forged+reps.Malformed > 0 {
		return run, fmt.Errorf("bench: oracle epoch of %d devices: %d forged and %d malformed reports", n, reps.Forged, reps.Malformed)
	}
	run.Decode, run.Score, run.Explain = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
	run.ExplainBytes, run.Root = explainBytes, out.Root
	if out.Summary.DevicesPaid == 0 || out.Summary.Valid == 0 {
		return run, fmt.Errorf("bench: oracle epoch of %d devices: %d paid, %d valid reports; the fleet is not scoring", n, out.Summary.DevicesPaid, out.Summary.Valid)
	}
	return run, nil
}

// RunOracleEpochs runs RunOracleEpoch at each size of cfg once and reports
// peak heap, time and CPU, each size against the one 10× smaller.
func RunOracleEpochs(cfg EpochConfig) (*Report, []OracleEpochRun, error) {
	rep := &Report{Title: fmt.Sprintf("epoch, oracle path: read, verify and store segments, decode and check signed reports, score.Run (coverage, rewards), explanations as JSON lines; 1 beacon and up to %d witnesses per device, GOMAXPROCS=%d",
		cfg.Witnesses, runtime.GOMAXPROCS(0))}
	var runs []OracleEpochRun
	for k, n := range cfg.Sizes {
		run, err := RunOracleEpoch(n, cfg.Witnesses, cfg.MemoryLimitCap)
		if err != nil {
			return nil, nil, err
		}
		runs = append(runs, run)
		name := fmt.Sprintf("oracle path, %d devices, %d reports", n, run.Reports)
		wall := run.Decode + run.Score + run.Explain
		row := Row{Name: name + ", wall", Figure: wall.Seconds(), Unit: "s",
			Note: fmt.Sprintf("read+verify+store segments %.2fs, score.Run %.2fs, explanations JSON lines %.2fs (%d MiB); root %x",
				run.Decode.Seconds(), run.Score.Seconds(), run.Explain.Seconds(), run.ExplainBytes>>20, run.Root[:8])}
		cpuRow := Row{Name: name + ", thread CPU", Figure: run.CPU.Seconds(), Unit: "s", Note: "CPU time of the oracle's thread"}
		if k > 0 {
			prev := runs[k-1]
			row.BaselineName = fmt.Sprintf("%d devices", cfg.Sizes[k-1])
			row.Baseline = (prev.Decode + prev.Score + prev.Explain).Seconds()
			cpuRow.BaselineName, cpuRow.Baseline = row.BaselineName, prev.CPU.Seconds()
		}
		rep.Rows = append(rep.Rows, row)
		if cpuMeasured {
			rep.Rows = append(rep.Rows, cpuRow)
		}
		limit := "no memory limit"
		if run.MemoryLimit != 1<<63-1 {
			limit = fmt.Sprintf("memory limit %d MiB", run.MemoryLimit>>20)
		}
		rep.Rows = append(rep.Rows, Row{Name: name + ", peak heap", Figure: float64(run.PeakHeap) / (1 << 20), Unit: "MiB",
			Note: fmt.Sprintf("bundle held before: %d MiB (segments, %d MiB, read one at a time); %d bytes per report at the peak; %s",
				run.BaseHeap>>20, run.SegmentBytes>>20, run.PeakHeap/uint64(max(1, run.Reports)), limit)})
		if run.PeakRSS > 0 {
			rep.Rows = append(rep.Rows, Row{Name: name + ", peak RSS", Figure: float64(run.PeakRSS) / (1 << 20), Unit: "MiB",
				Note: "process VmHWM from after the epoch was signed (its fleet freed) to the end of the run"})
		}
	}
	return rep, runs, nil
}
