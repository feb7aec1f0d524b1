package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/kind/coverage"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// The eavesdropper is issue 19's attack: a device that only reads public
// endpoints polls ingest's segment feed and witnesses every beacon it can
// read there, with a signal a free-space link would allow. Ingest keeps
// segments private until their epoch has ended plus a grace, so while an
// epoch runs the reads are refused; what it reads later is too late to
// witness. FeedReads counts both outcomes.

// eavesdropPoll is how often an eavesdropper polls the feed.
const eavesdropPoll = 2 * time.Second

// feedStats counts the eavesdroppers' segment reads.
type feedStats struct{ refused, served atomic.Int64 }

// FeedReads returns how many segment reads the eavesdroppers made that
// ingest refused (not public yet) and served.
func (f *Fleet) FeedReads() (refused, served int64) {
	return f.feed.refused.Load(), f.feed.served.Load()
}

// eavesdrop polls the feed until ctx ends.
func (f *Fleet) eavesdrop(ctx context.Context, d *simDevice, ic *agent.Client) {
	client := &http.Client{Timeout: 10 * time.Second}
	done := map[string]bool{} // segments witnessed from
	var epoch uint64          // the lowest epoch with segments not all read
	t := time.NewTicker(eavesdropPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for e := epoch; e <= epoch+2; e++ {
			hashes, err := f.listSegments(ctx, client, e)
			if err != nil {
				break
			}
			all := true
			for _, h := range hashes {
				if done[h] {
					continue
				}
				seg, public, err := f.readSegment(ctx, client, h)
				switch {
				case err != nil:
					all = false
				case !public:
					f.feed.refused.Add(1)
					all = false
				default:
					f.feed.served.Add(1)
					done[h] = true
					f.witnessFeed(d, ic, seg)
				}
			}
			if e == epoch && all && len(hashes) > 0 {
				epoch++
			}
		}
	}
}

func (f *Fleet) listSegments(ctx context.Context, c *http.Client, epoch uint64) ([]string, error) {
	body, status, err := get(ctx, c, fmt.Sprintf("%s/v1/epochs/%d/segments", strings.TrimRight(f.cfg.IngestURL, "/"), epoch))
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("sim: eavesdrop: list epoch %d: status %d: %v", epoch, status, err)
	}
	var l struct {
		Segments []struct {
			Hash string `json:"hash"`
		} `json:"segments"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, fmt.Errorf("sim: eavesdrop: list epoch %d: %w", epoch, err)
	}
	out := make([]string, len(l.Segments))
	for i, s := range l.Segments {
		out[i] = s.Hash
	}
	return out, nil
}

// readSegment GETs a segment anonymously: public reports whether ingest
// served it.
func (f *Fleet) readSegment(ctx context.Context, c *http.Client, hash string) (*ingestv1.Segment, bool, error) {
	body, status, err := get(ctx, c, strings.TrimRight(f.cfg.IngestURL, "/")+"/v1/segments/"+hash)
	switch {
	case err != nil:
		return nil, false, err
	case status == http.StatusForbidden:
		return nil, false, nil
	case status != http.StatusOK:
		return nil, false, fmt.Errorf("sim: eavesdrop: segment %s: status %d", hash, status)
	}
	var seg ingestv1.Segment
	if err := proto.Unmarshal(body, &seg); err != nil {
		return nil, false, fmt.Errorf("sim: eavesdrop: segment %s: does not decode", hash)
	}
	return &seg, true, nil
}

// witnessFeed witnesses every beacon of seg it did not send, as if heard.
func (f *Fleet) witnessFeed(d *simDevice, ic *agent.Client, seg *ingestv1.Segment) {
	ent, ok := f.entropy()
	if !ok {
		return
	}
	for _, raw := range seg.GetRecords() {
		var rec ingestv1.LogRecord
		var rep reportv1.Report
		var b coveragev1.Beacon
		if proto.Unmarshal(raw, &rec) != nil || proto.Unmarshal(rec.GetReport().GetReport(), &rep) != nil ||
			rep.GetKind() != coverage.Name || rep.GetType() != coverage.TypeBeacon || proto.Unmarshal(rep.GetBody(), &b) != nil {
			continue
		}
		beaconer, known := f.byPub[string(rep.GetPubKey())]
		if !known || beaconer == d {
			continue
		}
		fr := acov.Frame{Beaconer: rep.GetPubKey(), Payload: b.GetPayload(), FrequencyHz: b.GetFrequency(), TxPowerDdBm: b.GetTxPower()}
		fr.Entropy.Height = rep.GetEntropy().GetHeight()
		copy(fr.Entropy.Hash[:], rep.GetEntropy().GetHash())
		h := acov.Heard{Frame: fr, FrequencyHz: fr.FrequencyHz, At: time.Now()}
		// A plausible signal: 5 dB under what free space allows.
		if bound, err := FreeSpaceBoundDdBm(fr.TxPowerDdBm, beaconer.m.GainDdBi, d.m.GainDdBi, beaconer.m.Cell, d.m.Cell, fr.FrequencyHz); err == nil {
			h.SignalDdBm = bound - 50
			h.SNRDdB = min(h.SignalDdBm+1170, 100)
		}
		sr, err := acov.Witness(d.b, ent, h)
		if err != nil {
			continue
		}
		f.send(ic, d, KindWitness, true, sr)
	}
}

func get(ctx context.Context, c *http.Client, url string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	return b, res.StatusCode, err
}
