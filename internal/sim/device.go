package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Report kinds in records.
const (
	KindBeacon  = "beacon"
	KindWitness = "witness"
	KindReplay  = "replay"
)

// Record is one report a device sent and ingest's answer.
type Record struct {
	Kind string
	// Forged marks a cheat: every report of a spoofer or a forger, a
	// clique member's witness of a beacon it could not hear, every replay.
	Forged bool
	// Status and Message are ingest's answer; Hash (hex) is the report's
	// id, the leaf hash the oracle's explanations name it by.
	Status  ingestv1.Status
	Message string
	Hash    string
	// Err is set when the report never got an answer.
	Err string
}

func recordOf(kind string, forged bool, r agent.Result) Record {
	rec := Record{Kind: kind, Forged: forged, Status: r.Status, Message: r.Message, Hash: hex.EncodeToString(r.Hash)}
	if r.Err != nil {
		rec.Err = r.Err.Error()
	}
	return rec
}

// simDevice is one running device.
type simDevice struct {
	m     Member
	radio *acov.SimRadio
	side  chan acov.Frame // clique beacons shared off the air
	b     *agent.Builder

	maxRecords int
	mu         sync.Mutex
	recs       []Record
	own        []*reportv1.SignedReport // recent accepted reports, for replays
	beacons    int
	replays    int
}

func (d *simDevice) add(r Record) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.recs) >= d.maxRecords {
		d.recs = d.recs[1:]
	}
	d.recs = append(d.recs, r)
}

func (d *simDevice) keep(sr *reportv1.SignedReport) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.own = append(d.own, sr)
	if len(d.own) > 8 {
		d.own = d.own[1:]
	}
}

func (d *simDevice) records() []Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Record(nil), d.recs...)
}

// runDevice is one device's loop: beacon on schedule, witness what the
// radio (or, for the clique, the side channel) delivers, replay on a timer.
func (f *Fleet) runDevice(ctx context.Context, d *simDevice, ic *agent.Client, start time.Time) {
	next := start.Add(d.m.FirstBeacon)
	beacon := time.NewTimer(time.Until(next))
	defer beacon.Stop()
	var replay <-chan time.Time
	if d.m.Class == Replayer {
		t := time.NewTicker(f.cfg.ReplayInterval)
		defer t.Stop()
		replay = t.C
	}
	if d.m.Class == Eavesdropper {
		beacon.Stop() // it beacons nothing and hears nothing: it reads the feed
		f.eavesdrop(ctx, d, ic)
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-beacon.C:
			f.beacon(ctx, d, ic)
			next = f.nextBeacon(d, time.Now())
			beacon.Reset(max(time.Until(next), 0))
		case h := <-d.radio.Heard():
			f.witness(d, ic, h, false)
		case fr := <-d.side:
			f.witness(d, ic, acov.Heard{Frame: fr, FrequencyHz: fr.FrequencyHz, At: time.Now()}, true)
		case <-replay:
			f.replay(ctx, d, ic)
		}
	}
}

// nextBeacon is when a device beacons after beaconing at t: in the next
// beacon interval bucket (the scorer accepts one beacon per bucket of the
// Unix clock, iot_verifier verify_beacon_schedule), at the device's own
// phase between 5% and 95% of the bucket, so that delays of up to 5% of
// the interval never put two beacons in one bucket.
func (f *Fleet) nextBeacon(d *simDevice, t time.Time) time.Time {
	iv := int64(f.cfg.BeaconInterval)
	phase := iv/20 + int64(draw(f.cfg.Seed, "phase", d.m.Index)%uint64(iv*9/10+1))
	bucket := t.UnixNano() / iv
	return time.Unix(0, (bucket+1)*iv+phase)
}

// beaconLocalEntropy draws a beacon's local entropy from crypto/rand, as a
// real device does (agent): with it in the payload, nothing public
// (the seed, the chain, the schedule) tells a future beacon's payload, so
// only a device that hears the beacon can witness it (issue 19: seeded
// local entropy let a device witness beacons it never heard). Placement,
// keys and schedules stay derived from the seed.
func beaconLocalEntropy() ([acov.LocalEntropySize]byte, error) {
	var local [acov.LocalEntropySize]byte
	if _, err := rand.Read(local[:]); err != nil {
		return local, fmt.Errorf("sim: beacon local entropy: %w", err)
	}
	return local, nil
}

// beacon transmits a beacon over the simulated air, reports it, and for a
// clique member shares it with the members out of radio range.
func (f *Fleet) beacon(ctx context.Context, d *simDevice, ic *agent.Client) {
	ent, ok := f.entropy()
	if !ok {
		return
	}
	d.mu.Lock()
	n := d.beacons
	d.beacons++
	d.mu.Unlock()
	local, err := beaconLocalEntropy()
	if err != nil {
		f.log.Warn("sim: beacon", "device", d.m.Index, "beacon", n, "err", err)
		return
	}
	sr, fr, err := acov.Beacon(d.b, ent, f.cfg.Region, local)
	if err != nil {
		f.log.Warn("sim: beacon", "device", d.m.Index, "err", err)
		return
	}
	if err := d.radio.Transmit(ctx, fr); err != nil {
		return
	}
	f.send(ic, d, KindBeacon, d.m.Class == Spoofer, sr)
	if d.m.Class != Clique {
		return
	}
	for _, o := range f.devs {
		if o == d || o.m.Class != Clique {
			continue
		}
		if _, heard := f.medium.Link(d.radio.Placement(), o.radio.Placement(), fr); heard {
			continue // it witnesses the real thing
		}
		select {
		case o.side <- fr:
		default:
		}
	}
}

// witness reports a heard beacon: honestly, or with the device's cheat.
func (f *Fleet) witness(d *simDevice, ic *agent.Client, h acov.Heard, side bool) {
	ent, ok := f.entropy()
	if !ok {
		return
	}
	forged := side || d.m.Class == Spoofer
	if d.m.Class == Forger || side {
		b, known := f.byPub[string(h.Frame.Beaconer)]
		if !known {
			return
		}
		bound, err := FreeSpaceBoundDdBm(h.Frame.TxPowerDdBm, b.m.GainDdBi, d.m.GainDdBi, b.m.Cell, d.m.Cell, h.FrequencyHz)
		if err != nil {
			return
		}
		h.SignalDdBm = bound + f.cfg.ForgeMarginDdB
		if side {
			h.SignalDdBm = max(h.SignalDdBm, f.cfg.CliqueSignalDdBm)
		}
		h.SNRDdB = min(h.SignalDdBm+1170, 100)
		forged = true
	}
	sr, err := acov.Witness(d.b, ent, h)
	if err != nil {
		return
	}
	f.send(ic, d, KindWitness, forged, sr)
}

// replay re-sends a report ingest accepted before, in turn: the device's
// own (exact), a neighbour's (exact), and the device's own re-signed with
// its spent nonce and a new timestamp. Ingest must answer each with
// REPLAY or DUPLICATE, or STALE_ENTROPY once the report's entropy has left
// the window.
func (f *Fleet) replay(ctx context.Context, d *simDevice, ic *agent.Client) {
	d.mu.Lock()
	k := d.replays
	d.replays++
	var own *reportv1.SignedReport
	if len(d.own) > 0 {
		own = d.own[int(draw(f.cfg.Seed, "replay-own", d.m.Index<<20|k)%uint64(len(d.own)))]
	}
	d.mu.Unlock()
	var sr *reportv1.SignedReport
	switch k % 3 {
	case 0:
		sr = own
	case 1:
		f.mu.Lock()
		if len(f.captured) > 0 {
			sr = f.captured[int(draw(f.cfg.Seed, "replay-other", d.m.Index<<20|k)%uint64(len(f.captured)))]
		}
		f.mu.Unlock()
	case 2:
		if own != nil {
			sr = resign(d.m.Key, own)
		}
	}
	if sr == nil {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := ic.SubmitBatch(cctx, []*reportv1.SignedReport{sr})
	if err != nil || len(res) != 1 {
		return
	}
	d.add(recordOf(KindReplay, true, res[0]))
}

// resign signs a copy of an accepted report with a new timestamp but the
// nonce it already spent.
func resign(k *agent.Key, sr *reportv1.SignedReport) *reportv1.SignedReport {
	var rep reportv1.Report
	if err := proto.Unmarshal(sr.GetReport(), &rep); err != nil {
		return nil
	}
	rep.Timestamp++
	out, err := agent.SignReport(k, &rep)
	if err != nil {
		return nil
	}
	return out
}
